import type { Application } from '../../domain/application.js';
import { isAtLeast } from '../../domain/roles.js';
import { isListed } from '../../domain/user-listing.js';
import type { StoreReader } from '../../store/store.js';

/** One user who may use an application, and why (GET /api/v1/apps/:id/users). */
export interface AppUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly role: string;
  /** admin: pgdir role admin or owner; everyone: the rule says so; group: member of `groups`. */
  readonly reason: 'admin' | 'everyone' | 'group';
  /** The rule's groups the user is in (reason group). */
  readonly groups?: readonly string[];
}

/**
 * Who has access, from the store (the same rule the LDAP view applies, view/app-access.ts): the
 * users LDAP lists (active, with a username). Team rules grant nothing until the teams feature
 * lands (see app-access.ts).
 */
export async function appUsers(reader: StoreReader, app: Application): Promise<AppUser[]> {
  const { users } = await reader.listUsers({ active: true, limit: 100_000 });
  const viaGroups = new Map<string, string[]>();
  for (const groupId of app.access.groups) {
    const group = await reader.getGroup(groupId);
    if (group === undefined) continue;
    for (const userId of await reader.groupMemberIds(groupId)) viaGroups.set(userId, [...(viaGroups.get(userId) ?? []), group.name]);
  }
  const out: AppUser[] = [];
  for (const user of users) {
    if (!isListed(user) || user.username === null) continue;
    const base = { id: user.id, username: user.username, email: user.email, role: user.role };
    if (isAtLeast(user.role, 'admin')) out.push({ ...base, reason: 'admin' });
    else if (app.access.everyone) out.push({ ...base, reason: 'everyone' });
    else {
      const groups = viaGroups.get(user.id);
      if (groups !== undefined) out.push({ ...base, reason: 'group', groups });
    }
  }
  return out;
}
