import { conflict, invalid } from './errors.js';
import { normalizeGroupName } from './group-name.js';
import { LEVELS } from './levels.js';
import { printable } from './name-syntax.js';
import { ORGANIZATION } from './team.js';

const LEVEL_SUFFIX = new RegExp(`\\.(${LEVELS.join('|')})$`);

/**
 * A team name follows the group-name rules (1–199 of `[a-z0-9.-]`, lower case, built-in group
 * names refused with 409). Two more names are taken by the tree itself: `organization` (the
 * organisation's derived groups, `cn=organization.<level>,ou=teams`) and any name ending in
 * `.<level>`, which would be the DN of another team's derived group (`web.editor`).
 */
export function normalizeTeamName(input: unknown, field = 'name', builtinNames: readonly string[] = []): string {
  const name = normalizeGroupName(input, field, builtinNames);
  if (name === ORGANIZATION) throw conflict(`team name "${ORGANIZATION}" is reserved for organisation grants`, field);
  if (LEVEL_SUFFIX.test(name)) {
    throw invalid(`team name "${printable(name)}" must not end in .${LEVELS.join(', .')}: that is a derived group's name`, field);
  }
  return name;
}
