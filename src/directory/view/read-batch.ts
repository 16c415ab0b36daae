import type { Change, StoreReader } from '../../store/store.js';
import type { ChangeTimes, GroupRecord, RecordBatch } from './directory-state.js';
import type { Group, ServiceAccount, User } from '../../domain/model.js';
import type { Grant, Team } from '../../domain/team.js';

/** Parallel reads per step: enough to hide round trips, few enough not to drain a pool. */
const PARALLEL = 16;
/**
 * From this many membership changes in one group, re-read the group's member list once instead
 * of each user's groups (setMembers of 5,000 users: one query instead of 5,000). Below it, the
 * users' side is cheaper: a group may have 100,000 members.
 */
const GROUP_READ_THRESHOLD = 16;

async function readAll<T>(ids: Iterable<string>, read: (id: string) => Promise<T>): Promise<Map<string, T>> {
  const list = [...ids];
  const out = new Map<string, T>();
  for (let i = 0; i < list.length; i += PARALLEL) {
    const chunk = list.slice(i, i + PARALLEL);
    const values = await Promise.all(chunk.map(read));
    chunk.forEach((id, j) => out.set(id, values[j] as T));
  }
  return out;
}

/**
 * Re-reads, by id, every record a run of change-log rows names (the log says what changed, never
 * the data: store.ts). A record read here may already be newer than the last change in the run;
 * its own change row then re-reads it once more, which is harmless.
 */
export async function readBatch(store: StoreReader, changes: readonly Change[]): Promise<RecordBatch> {
  const users = new Set<string>();
  const groups = new Set<string>();
  const accounts = new Set<string>();
  const teams = new Set<string>();
  const grants = new Set<string>();
  const memberships = new Map<string, Set<string>>(); // group id → user ids
  for (const change of changes) {
    if (change.kind === 'user') users.add(change.key);
    else if (change.kind === 'group') groups.add(change.key);
    else if (change.kind === 'service_account') accounts.add(change.key);
    else if (change.kind === 'membership') addMembership(memberships, change.key);
    else if (change.kind === 'team') teams.add(change.key);
    else if (change.kind === 'grant') grants.add(change.key);
  }
  const memberUsers = new Set<string>();
  for (const [groupId, userIds] of memberships) {
    if (userIds.size >= GROUP_READ_THRESHOLD) groups.add(groupId);
    else for (const u of userIds) memberUsers.add(u);
  }
  const revision = changes.reduce((max, c) => Math.max(max, c.revision), 0);
  return {
    revision,
    users: await readAll<User | undefined>(users, (id) => store.getUser(id)),
    groups: await readAll<GroupRecord | undefined>(groups, (id) => readGroup(store, id)),
    userGroups: await readAll<readonly string[]>(memberUsers, (id) => store.userGroupIds(id)),
    accounts: await readAll<ServiceAccount | undefined>(accounts, (id) => store.getServiceAccount(id)),
    teams: await readAll<Team | undefined>(teams, (id) => store.getTeam(id)),
    grants: await readAll<Grant | undefined>(grants, (id) => store.getGrant(id)),
    changedAt: changeTimes(changes),
  };
}

async function readGroup(store: StoreReader, id: string): Promise<GroupRecord | undefined> {
  const group: Group | undefined = await store.getGroup(id);
  if (group === undefined) return undefined;
  return { group, memberIds: await store.groupMemberIds(id) };
}

/** A membership change's key is `<groupId>:<userId>` (store.ts). */
function addMembership(memberships: Map<string, Set<string>>, key: string): void {
  const at = key.indexOf(':');
  const groupId = key.slice(0, at);
  const userId = key.slice(at + 1);
  if (at <= 0 || userId === '') return;
  let users = memberships.get(groupId);
  if (users === undefined) memberships.set(groupId, (users = new Set()));
  users.add(userId);
}

/**
 * When each user and group named by the run last changed. A membership row names both sides:
 * the store moved both rows' updated_at to that very time (touch-rows.ts), so the view can move
 * theirs without re-reading them (a setMembers of 5,000 users re-reads one member list).
 */
function changeTimes(changes: readonly Change[]): ChangeTimes {
  const users = new Map<string, Date>();
  const groups = new Map<string, Date>();
  const note = (map: Map<string, Date>, id: string, at: Date): void => {
    const known = map.get(id);
    if (known === undefined || known < at) map.set(id, at);
  };
  for (const change of changes) {
    if (change.kind === 'user') note(users, change.key, change.at);
    else if (change.kind === 'group') note(groups, change.key, change.at);
    else if (change.kind === 'membership') {
      const colon = change.key.indexOf(':'); // `<groupId>:<userId>` (store.ts)
      if (colon <= 0) continue;
      note(groups, change.key.slice(0, colon), change.at);
      note(users, change.key.slice(colon + 1), change.at);
    }
  }
  return { users, groups };
}
