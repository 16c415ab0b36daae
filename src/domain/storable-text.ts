import { invalid, type DirectoryError } from './errors.js';

/**
 * PostgreSQL's `text` cannot hold U+0000 (it answers SQLSTATE 22021, "invalid byte sequence for
 * encoding UTF8: 0x00"), so no input may carry one to the store. Every HTTP string input and every
 * LDAP DN goes through this guard at the protocol boundary; other control characters are legal text
 * and are left to each field's own rules.
 */
export const NUL = '\u0000';

export const hasNul = (text: string): boolean => text.includes(NUL);

/**
 * The path (`members.2`, or an object key) of the first string in a decoded value that holds a NUL,
 * or undefined when there is none. Object keys count: records are stored by key.
 */
export function nulPath(value: unknown, path: readonly string[] = []): string[] | undefined {
  if (typeof value === 'string') return hasNul(value) ? [...path] : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulPath(item, [...path, String(i)]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (hasNul(key)) return [...path, key.replaceAll(NUL, '\\u0000')];
    const found = nulPath(item, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** 400 naming the field, or nothing when `value` holds no NUL anywhere. */
export function assertNoNul(value: unknown, where: string): void {
  const path = nulPath(value);
  if (path !== undefined) throw nulError(path.length === 0 ? where : path.join('.'));
}

export const nulError = (field: string): DirectoryError => invalid(`${field}: must not contain NUL characters`, field);
