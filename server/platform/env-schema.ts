// The parsers every room's settings are written with. Each names its variable in its message, because
// the message is all an operator sees when the server refuses to start.
import { z } from 'zod';

export const bool = (name: string) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'], {
      error: () => `${name} must be one of true/false/1/0/yes/no`,
    })
    .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: () => `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

/** A URL whose scheme matches; the message shows only the scheme given, never credentials in the rest. */
export const schemeUrl = (name: string, scheme: RegExp, expected: string) =>
  z.string().refine((v) => scheme.test(v), {
    error: (issue) => `${name} must be ${expected}, got ${String(issue.input).split(':')[0]}:…`,
  });

/** A comma-separated list of URLs (blanks around and between commas ignored); the message names the entry that is wrong. */
export const urlList = (name: string, scheme: RegExp, expected: string) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .superRefine((urls, ctx) => {
      urls.forEach((url, i) => {
        if (!scheme.test(url))
          ctx.addIssue({ code: 'custom', message: `${name} entry ${i + 1} must be ${expected}, got ${url.split(':')[0]}:…` });
      });
    });
