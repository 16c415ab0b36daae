import { invalid } from './errors.js';
import { printable } from './name-syntax.js';

const MAX_EMAIL_LENGTH = 254; // RFC 5321 §4.5.3.1.3 path limit minus the angle brackets
// Local part: RFC 5322 §3.2.3 dot-atom (no quoted strings: they cannot survive DNs and CSV safely).
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/u;
// Domain: dot-separated labels of letters (any script, for IDN), digits and inner hyphens.
const LABEL = /^[\p{L}\p{N}]([\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/**
 * Trims, lower-cases and checks the basic shape `local@domain` of an email address (DESIGN §7:
 * emails are unique and stored lower case). Throws DirectoryError('invalid', ..., { field }).
 */
export function normalizeEmail(input: unknown, field = 'email'): string {
  if (typeof input !== 'string') throw invalid(`${field} must be a string`, field);
  const email = input.trim().toLowerCase();
  if (email.length === 0) throw invalid(`${field} must not be empty`, field);
  if (email.length > MAX_EMAIL_LENGTH) {
    throw invalid(`${field} must be at most ${MAX_EMAIL_LENGTH} characters`, field);
  }
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const shapeOk =
    at > 0 && local.length <= 64 && LOCAL.test(local) && domain.split('.').every((l) => LABEL.test(l));
  if (!shapeOk) throw invalid(`${field} "${printable(input)}" is not a valid email address`, field);
  return email;
}

/** Like normalizeEmail, but null, undefined and blank mean "no address". */
export function normalizeOptionalEmail(input: unknown, field: string): string | null {
  if (input === null || input === undefined) return null;
  if (typeof input === 'string' && input.trim() === '') return null;
  return normalizeEmail(input, field);
}
