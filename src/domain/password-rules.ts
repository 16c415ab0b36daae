import { invalid } from './errors.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Checks a new password against DESIGN §7 (8–256 characters, counted as Unicode code points) and
 * returns it unchanged. NUL is refused because C bcrypt implementations stop at it, so a hash made
 * here could verify differently elsewhere. Note that bcrypt reads only the first 72 bytes; longer
 * passwords are accepted for compatibility with existing $2a$/$2b$ hashes.
 */
export function checkPassword(input: unknown, field = 'password'): string {
  if (typeof input !== 'string') throw invalid(`${field} must be a string`, field);
  const length = [...input].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw invalid(`${field} must be at least ${MIN_PASSWORD_LENGTH} characters`, field);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw invalid(`${field} must be at most ${MAX_PASSWORD_LENGTH} characters`, field);
  }
  if (input.includes('\u0000')) throw invalid(`${field} must not contain NUL characters`, field);
  return input;
}
