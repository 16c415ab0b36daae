import { invalid } from './errors.js';
import { normalizeName } from './name-syntax.js';
import { RESERVED_USERNAMES } from './reserved-names.js';

/**
 * Validates a username and returns its stored form (lower case) — DESIGN §7.
 * Throws DirectoryError('invalid', ..., { field }) with a message naming the rule that failed.
 */
export function normalizeUsername(input: unknown, field = 'username'): string {
  const name = normalizeName(input, 'username', field);
  if (RESERVED_USERNAMES.includes(name)) throw invalid(`username "${name}" is reserved`, field);
  // Cloudron sends app mail as <app>.app@domain; a user owning such a local part could receive it.
  if (name.includes('.app')) throw invalid(`username "${name}" must not contain ".app"`, field);
  // A bind RDN value starting `uid-` selects the account by id (DESIGN §4), so a username with that
  // prefix could never bind by name.
  if (name.startsWith('uid-')) throw invalid(`username "${name}" must not start with "uid-"`, field);
  return name;
}
