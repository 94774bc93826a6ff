// Rate limits, CSRF prevention and CORS (README: "Authentication and abuse limits"). CSRF and CORS are
// enforced in server/http/, but they are set here with the limits: one README section, one Config.auth.
import { z } from 'zod';
import { bool, int } from '../platform/env-schema.ts';

export interface AuthConfig {
  /** Requests one bearer token may make per minute, cache hits included; 0 turns the limit off. */
  tokenRequestsPerMinute: number;
  /** Login attempts per (email, client address) in one window; a successful login clears that count. */
  loginPerEmailAndIp: number;
  /** Login attempts per client address in one window, whatever the email. */
  loginPerIp: number;
  /** The window both login limits count in. */
  loginWindowSeconds: number;
  /** Proxies in front of the server that append to X-Forwarded-For; 0: the socket's address is the client. */
  trustProxyHops: number;
  /** Require the CSRF header on GET and non-JSON POST requests that carry no Bearer token (server/protocol/csrf.ts). */
  csrfPrevention: boolean;
  /** Origins browsers may call the API from; ['*'] allows any (without credentials: auth is a bearer token). */
  corsOrigins: string[];
}

const ORIGIN = /^https?:\/\/[^/\s]+$/;

export const authEnv = z.object({
  RATE_LIMIT_TOKEN_PER_MINUTE: int('RATE_LIMIT_TOKEN_PER_MINUTE', 0, 10_000_000).default(1200),
  RATE_LIMIT_LOGIN_PER_EMAIL_IP: int('RATE_LIMIT_LOGIN_PER_EMAIL_IP', 0, 1_000_000).default(10),
  RATE_LIMIT_LOGIN_PER_IP: int('RATE_LIMIT_LOGIN_PER_IP', 0, 1_000_000).default(100),
  RATE_LIMIT_LOGIN_WINDOW_SECONDS: int('RATE_LIMIT_LOGIN_WINDOW_SECONDS', 1, 24 * 3600).default(900),
  TRUST_PROXY_HOPS: int('TRUST_PROXY_HOPS', 0, 10).default(0),
  CSRF_PREVENTION: bool('CSRF_PREVENTION').default(true),
  CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .refine((origins) => origins.length > 0 && origins.every((o) => o === '*' || ORIGIN.test(o)), {
      error: (issue) =>
        `CORS_ORIGINS must be * or a comma-separated list of origins like https://desk.example.com (scheme and host, no path), got ${String(issue.input)}`,
    })
    .default(['*']),
});

export function authConfig(e: z.output<typeof authEnv>): AuthConfig {
  return {
    tokenRequestsPerMinute: e.RATE_LIMIT_TOKEN_PER_MINUTE,
    loginPerEmailAndIp: e.RATE_LIMIT_LOGIN_PER_EMAIL_IP,
    loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
    loginWindowSeconds: e.RATE_LIMIT_LOGIN_WINDOW_SECONDS,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    csrfPrevention: e.CSRF_PREVENTION,
    corsOrigins: e.CORS_ORIGINS,
  };
}
