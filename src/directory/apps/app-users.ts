import type { Application } from '../../domain/application.js';
import { isAtLeast } from '../../domain/roles.js';
import { effectiveLevel } from '../../domain/effective-level.js';
import { atLeast } from '../../domain/levels.js';
import { isListed } from '../../domain/user-listing.js';
import type { StoreReader } from '../../store/store.js';

/** One user who may use an application, and why (GET /api/v1/apps/:id/users). */
export interface AppUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly role: string;
  /** admin: pgdir role admin or owner; everyone: the rule says so; group: member of `groups`. */
  readonly reason: 'admin' | 'everyone' | 'group' | 'team';
  /** The rule's groups the user is in (reason group). */
  readonly groups?: readonly string[];
  /** The rule's teams on which the user has at least the level (reason team). */
  readonly teams?: readonly string[];
}

/**
 * Who has access, from the store (the same rule the LDAP view applies, view/app-access.ts): the
 * users LDAP lists (active, with a username).
 */
export async function appUsers(reader: StoreReader, app: Application): Promise<AppUser[]> {
  const { users } = await reader.listUsers({ active: true, limit: 100_000 });
  const viaGroups = new Map<string, string[]>();
  for (const groupId of app.access.groups) {
    const group = await reader.getGroup(groupId);
    if (group === undefined) continue;
    for (const userId of await reader.groupMemberIds(groupId)) viaGroups.set(userId, [...(viaGroups.get(userId) ?? []), group.name]);
  }
  const teamLevels = await teamRuleCheck(reader, app);
  const out: AppUser[] = [];
  for (const user of users) {
    if (!isListed(user) || user.username === null) continue;
    const base = { id: user.id, username: user.username, email: user.email, role: user.role };
    if (isAtLeast(user.role, 'admin')) out.push({ ...base, reason: 'admin' });
    else if (app.access.everyone) out.push({ ...base, reason: 'everyone' });
    else {
      const groups = viaGroups.get(user.id);
      const teams = groups === undefined ? await teamLevels(user.id) : undefined;
      if (groups !== undefined) out.push({ ...base, reason: 'group', groups });
      else if (teams !== undefined && teams.length > 0) out.push({ ...base, reason: 'team', teams });
    }
  }
  return out;
}

/**
 * The rule's teams on which a user reaches the level, by the same pure function the view's team
 * levels follow (domain/effective-level.ts). Group grants need the users' groups: only the groups
 * some grant names are read.
 */
async function teamRuleCheck(reader: StoreReader, app: Application): Promise<(userId: string) => Promise<string[]>> {
  if (app.access.teams.length === 0) return async () => [];
  const grants = await reader.listGrants();
  const groupsOf = new Map<string, Set<string>>();
  const grantGroups = new Set(grants.flatMap((g) => (g.principal.type === 'group' ? [g.principal.id] : [])));
  for (const groupId of grantGroups) {
    for (const userId of await reader.groupMemberIds(groupId)) groupsOf.set(userId, (groupsOf.get(userId) ?? new Set<string>()).add(groupId));
  }
  const names = new Map<string, string>();
  for (const rule of app.access.teams) names.set(rule.team, (await reader.getTeam(rule.team))?.name ?? rule.team);
  return async (userId) => {
    const who = { userId, listed: true, groupIds: groupsOf.get(userId) ?? new Set<string>() };
    return app.access.teams.filter((r) => atLeast(effectiveLevel(grants, r.team, who).level, r.level)).map((r) => names.get(r.team) ?? r.team);
  };
}
