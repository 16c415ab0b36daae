import { invalid } from './errors.js';

/** Longest username or group name (DESIGN §7: 1–199 characters). */
export const MAX_NAME_LENGTH = 199;

// ASCII only: these names end up in DNs, memberUid, home directories and mail local parts, where
// anything beyond letters, digits, `.` and `-` needs escaping somewhere (RFC 4514 §2.4).
const NAME_CHARS = /^[a-z0-9.-]+$/;

/**
 * Shared syntax of usernames and group names: trimmed, lower-cased, 1–199 of `[a-z0-9.-]`.
 * `what` names the thing in messages ("username", "group name"); `field` is reported to clients.
 */
export function normalizeName(input: unknown, what: string, field: string): string {
  if (typeof input !== 'string') throw invalid(`${what} must be a string`, field);
  const name = input.trim().toLowerCase();
  if (name.length === 0) throw invalid(`${what} must not be empty`, field);
  if (name.length > MAX_NAME_LENGTH) {
    throw invalid(`${what} must be at most ${MAX_NAME_LENGTH} characters (got ${name.length})`, field);
  }
  if (!NAME_CHARS.test(name)) {
    throw invalid(`${what} "${printable(input)}" may contain only letters, digits, "." and "-"`, field);
  }
  return name;
}

/** Echoes user input in a message without control characters or unbounded length. */
export function printable(input: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 61)}...` : clean;
}
