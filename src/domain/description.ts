import { invalid } from './errors.js';

export const MAX_DESCRIPTION_LENGTH = 1024;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;

/** A group description: trimmed, at most 1024 characters, line breaks allowed, other controls not. */
export function normalizeDescription(input: unknown, field = 'description'): string {
  if (input === null || input === undefined) return '';
  if (typeof input !== 'string') throw invalid(`${field} must be a string`, field);
  if (FORBIDDEN.test(input)) throw invalid(`${field} must not contain control characters`, field);
  const text = input.trim();
  const length = [...text].length;
  if (length > MAX_DESCRIPTION_LENGTH) {
    throw invalid(`${field} must be at most ${MAX_DESCRIPTION_LENGTH} characters (got ${length})`, field);
  }
  return text;
}
