import type { Application } from '../../domain/application.js';
import { isAtLeast } from '../../domain/roles.js';
import { effectiveLevel } from '../../domain/effective-level.js';
import { atLeast } from '../../domain/levels.js';
import { isListed } from '../../domain/user-listing.js';
import type { User } from '../../domain/model.js';
import type { StoreReader } from '../../store/store.js';
import type { ListingSnapshot, ListingState, UserListing } from '../users/user-listing.js';
import { appAccessReason, hasAppAccess } from '../view/app-access.js';

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
 * Who has access (the users LDAP lists: active, with a username), in the Users list's order:
 * from the daemon's in-memory view when `listing` has one (its per-application access bits, one
 * array read per user), else from the store. Both apply the same rule (view/app-access.ts).
 */
export async function appUsers(reader: StoreReader, app: Application, listing?: UserListing): Promise<AppUser[]> {
  const now = await listing?.snapshot();
  const held = now?.state.records.apps.get(app.id);
  // The view's own record of the app (its bits belong to it); the store's record is as new, since the view caught up.
  if (now !== undefined && held !== undefined) return appUsersInView(now, held);
  return appUsersInStore(reader, app);
}

/** How many users have access to each application (the applications list), from the view; undefined without one. */
export async function appUserCounts(listing: UserListing, apps: readonly Application[]): Promise<Map<string, number> | undefined> {
  const now = await listing.snapshot();
  if (now === undefined) return undefined;
  // The view's own records (the bits belong to them); an app it does not hold yet is evaluated by the rule itself.
  const tests = apps.map((app) => {
    const held = now.state.records.apps.get(app.id);
    return held === undefined ? (user: User) => appAccessReason(now.state, app, user) !== undefined : (user: User) => hasAppAccess(now.state, held, user);
  });
  const counts = apps.map(() => 0);
  // One pass over the users for all applications: a role test, then one bit read per application.
  for (const user of now.state.records.users.values()) {
    if (!isListed(user)) continue;
    for (let i = 0; i < tests.length; i++) if ((tests[i] as (u: User) => boolean)(user)) counts[i] = (counts[i] as number) + 1;
  }
  return new Map(apps.map((app, i) => [app.id, counts[i] as number]));
}

function appUsersInView({ state, sorted }: ListingSnapshot, app: Application): AppUser[] {
  const out: AppUser[] = [];
  for (const user of sorted) {
    if (!isListed(user) || user.username === null || !hasAppAccess(state, app, user)) continue;
    out.push(whyInView(state, app, user, user.username));
  }
  return out;
}

/** The reason as appUsersInStore gives it: the rule's groups the user is in, else its teams reached. */
function whyInView(state: ListingState, app: Application, user: User, username: string): AppUser {
  const base = { id: user.id, username, email: user.email, role: user.role };
  if (isAtLeast(user.role, 'admin')) return { ...base, reason: 'admin' };
  if (app.access.everyone) return { ...base, reason: 'everyone' };
  const mine = state.records.userGroups.get(user.id);
  const groups = app.access.groups.flatMap((id) => {
    const group = state.records.groups.get(id);
    return group !== undefined && mine?.has(id) === true ? [group.name] : [];
  });
  if (groups.length > 0) return { ...base, reason: 'group', groups };
  const teams = app.access.teams.filter((r) => atLeast(state.teams.levelOnTeam(user.id, r.team), r.level)).map((r) => state.teams.teams.get(r.team)?.name ?? r.team);
  return { ...base, reason: 'team', teams };
}

/** Who has access, read from the store: every user once, then the rule's groups and team grants. */
async function appUsersInStore(reader: StoreReader, app: Application): Promise<AppUser[]> {
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
