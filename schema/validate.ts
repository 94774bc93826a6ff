// Checks on free text from clients, with messages that say which field and what is allowed.
import { BadUserInputError } from './errors.ts';

export function requiredText(field: string, value: string, maxLength: number, options: { allowEmpty?: boolean } = {}): string {
  const text = value.trim();
  if (!text && !options.allowEmpty) {
    throw new BadUserInputError(`${field} must not be empty.`, { argumentName: field });
  }
  if (text.length > maxLength) {
    throw new BadUserInputError(`${field} must be at most ${maxLength} characters, got ${text.length}.`, {
      argumentName: field,
    });
  }
  if (text.includes('\u0000')) {
    throw new BadUserInputError(`${field} must not contain NUL characters.`, { argumentName: field });
  }
  return text;
}
