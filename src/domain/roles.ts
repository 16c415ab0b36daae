import { invalid } from './errors.js';
import { ROLES, type Role } from './model.js';
import { printable } from './name-syntax.js';

export { ROLES, type Role };

/** Position in DESIGN §7's order, lowest (user = 0) to highest (owner = 4). */
export const roleRank = (role: Role): number => ROLES.indexOf(role);

/** True when `a` is strictly higher than `b`. */
export const isHigherRole = (a: Role, b: Role): boolean => roleRank(a) > roleRank(b);

/** True when `a` is `b` or higher. */
export const isAtLeast = (a: Role, b: Role): boolean => roleRank(a) >= roleRank(b);

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Parses a role name (case-insensitive, trimmed); the error lists every valid role. */
export function parseRole(input: unknown, field = 'role'): Role {
  const value = typeof input === 'string' ? input.trim().toLowerCase() : input;
  if (isRole(value)) return value;
  const shown = typeof input === 'string' ? `"${printable(input)}"` : String(input);
  throw invalid(`unknown role ${shown}; valid roles are ${ROLES.join(', ')}`, field);
}
