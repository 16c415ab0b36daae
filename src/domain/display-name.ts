import { invalid } from './errors.js';

export const MAX_DISPLAY_NAME_LENGTH = 255;
// Control characters (C0, DEL, C1) and line/paragraph separators would break LDIF, CSV and logs.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/**
 * A user's full name: trimmed, inner whitespace runs collapsed, at most 255 characters, no control
 * characters. Empty is allowed (the view then shows the username, DESIGN §3).
 */
export function normalizeDisplayName(input: unknown, field = 'name'): string {
  if (input === null || input === undefined) return '';
  if (typeof input !== 'string') throw invalid(`${field} must be a string`, field);
  if (FORBIDDEN.test(input)) throw invalid(`${field} must not contain control characters`, field);
  const name = input.trim().replace(/\s+/gu, ' ');
  const length = [...name].length;
  if (length > MAX_DISPLAY_NAME_LENGTH) {
    throw invalid(`${field} must be at most ${MAX_DISPLAY_NAME_LENGTH} characters (got ${length})`, field);
  }
  return name;
}
