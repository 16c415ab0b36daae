import { MAX_NAME_LENGTH } from '../../domain/name-syntax.js';
import { RESERVED_USERNAMES } from '../../domain/reserved-names.js';
import { normalizeUsername } from '../../domain/username.js';
import type { StoreReader } from '../../store/store.js';

/**
 * A valid username (DESIGN §7) made from an email's local part, for a self-registered user:
 * lower case, runs of anything but letters, digits, `.` and `-` become one `-`, no `.app` (Cloudron's
 * app mail), no `uid-` prefix, not a reserved name; `user` when nothing is left.
 */
export function usernameBase(email: string): string {
  const local = email.slice(0, Math.max(0, email.lastIndexOf('@'))).normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let name = local
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/\.app/g, '-app')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
  if (name.startsWith('uid-')) name = `u-${name.slice(4)}`;
  name = name.slice(0, MAX_NAME_LENGTH - 8); // room for a "-<n>" suffix
  if (name === '' || RESERVED_USERNAMES.includes(name)) name = name === '' ? 'user' : `${name}-user`;
  return normalizeUsername(name);
}

/** `base`, else `base-2`, `base-3`, …: the first no user has (case-insensitive). */
export async function uniqueUsername(reader: StoreReader, email: string): Promise<string> {
  const base = usernameBase(email);
  for (let n = 1; n < 10_000; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if ((await reader.findUserByUsername(candidate)) === undefined) return candidate;
  }
  // Ten thousand people with one local part: fall back to a random, still valid, suffix.
  return `${base}-${Math.random().toString(36).slice(2, 10)}`;
}
