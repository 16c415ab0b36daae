import { conflict } from './errors.js';
import { normalizeName } from './name-syntax.js';
import { isBuiltinGroupName } from './reserved-names.js';

/**
 * Validates a group name and returns its stored form (lower case, like usernames, so that
 * `cn=Staff` and `cn=staff` are one group). The built-in groups `users` and `admins` exist already
 * and are maintained automatically, so naming a new group after them is a conflict (409), not bad
 * syntax. `builtinNames`: the built-ins' configured LDAP names (`ldap.builtin_groups`).
 */
export function normalizeGroupName(input: unknown, field = 'name', builtinNames: readonly string[] = []): string {
  const name = normalizeName(input, 'group name', field);
  if (isBuiltinGroupName(name, builtinNames)) {
    throw conflict(`group "${name}" is built in and maintained automatically`, field);
  }
  return name;
}
