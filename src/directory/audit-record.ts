import type { Group, User } from '../domain/model.js';

/** What the audit log keeps of a user: never the password hash (DESIGN §7 "never returned"). */
export function auditUser(user: User): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    fallbackEmail: user.fallbackEmail,
    displayName: user.displayName,
    role: user.role,
    active: user.active,
    source: user.source,
  };
}

export function auditGroup(group: Group): Record<string, unknown> {
  return { id: group.id, name: group.name, description: group.description, source: group.source };
}

/** Only the fields that differ, as `{ before, after }` (keeps audit rows small and readable). */
export function auditDiff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const keys = Object.keys(after).filter((k) => before[k] !== after[k]);
  return {
    before: Object.fromEntries(keys.map((k) => [k, before[k]])),
    after: Object.fromEntries(keys.map((k) => [k, after[k]])),
  };
}
