import { createAppReader } from './app-store.js';
import { sql, type Kysely } from 'kysely';
import type { Group, ServiceAccount, User } from '../domain/model.js';
import { isUuid } from '../domain/uuid.js';
import type { AuditQuery, AuditRecord, StoreReader, UserQuery } from './store.js';
import type { Database } from './schema.js';
import { createTeamReader } from './team-store.js';
import { toAuditRecord, toGroup, toNumber, toServiceAccount, toUser } from './row-mappers.js';

/** Reads shared by the Store (outside transactions) and by StoreTx (inside one). */

// Anything that is not a uuid cannot name a row; answering "absent" beats a cast error.

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
const clamp = (value: number | undefined, fallback: number, max: number): number =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.min(Math.max(Math.trunc(value), 0), max);

/**
 * One page of users in the console's and API's order: by username (case-insensitive), users
 * without one (invited) last by email. Named and unnamed users are read apart so that each part
 * walks its own index in order (the partial `lower(username)` index, the `lower(email)` index) and
 * stops after the page, instead of sorting every matching row: at 100,000 users the first page
 * of the Users list took 300 ms of CPU on PGlite with the single sorted query. One counting scan
 * gives the total and how many of them have a username.
 */
async function listUsers(db: Kysely<Database>, query: UserQuery = {}): Promise<{ users: User[]; total: number }> {
  let base = db.selectFrom('users');
  if (query.search !== undefined && query.search !== '') {
    // One match per row on the three fields joined (chr(1) keeps a match from spanning two), the
    // pattern lowered once here: ILIKE three times lowered text and pattern for every column of
    // every row. lower() on both sides: the database's own case folding, as ILIKE's.
    const pattern = `%${escapeLike(query.search)}%`;
    base = base.where(sql<boolean>`lower(coalesce(username, '') || chr(1) || email || chr(1) || coalesce(display_name, '')) like lower(${pattern})`);
  }
  if (query.active !== undefined) base = base.where('active', '=', query.active);
  if (query.role !== undefined) base = base.where('role', '=', query.role);
  if (query.source !== undefined) base = base.where('source', '=', query.source);
  if (query.memberOf !== undefined) {
    const groupId = isUuid(query.memberOf) ? query.memberOf : '00000000-0000-0000-0000-000000000000';
    base = base.where('id', 'in', (eb) => eb.selectFrom('memberships').select('user_id').where('group_id', '=', groupId));
  }
  const counts = await base
    .select((eb) => [eb.fn.countAll<number | string>().as('total'), sql<number | string>`count(*) filter (where username is not null)`.as('named')])
    .executeTakeFirstOrThrow();
  const [total, named] = [toNumber(counts.total), toNumber(counts.named)];
  const offset = clamp(query.offset, 0, Number.MAX_SAFE_INTEGER);
  const limit = query.limit === undefined ? undefined : clamp(query.limit, 100, 100_000);
  const users: User[] = [];
  if (offset < named && limit !== 0) {
    let rows = base.where('username', 'is not', null).selectAll().orderBy(sql`lower(username)`).offset(offset);
    if (limit !== undefined) rows = rows.limit(limit);
    users.push(...(await rows.execute()).map(toUser));
  }
  const left = limit === undefined ? undefined : limit - users.length;
  if (total > named && (left === undefined || left > 0)) {
    let rows = base.where('username', 'is', null).selectAll().orderBy(sql`lower(email)`).offset(Math.max(0, offset - named));
    if (left !== undefined) rows = rows.limit(left);
    users.push(...(await rows.execute()).map(toUser));
  }
  return { users, total };
}

function auditWhere(db: Kysely<Database>, query: AuditQuery) {
  let q = db.selectFrom('audit_log');
  if (query.action !== undefined) q = q.where('action', '=', query.action);
  if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
  if (query.target !== undefined) q = q.where('target', '=', query.target);
  if (query.since !== undefined) q = q.where('at', '>=', query.since);
  if (query.until !== undefined) q = q.where('at', '<', query.until);
  return q;
}

async function listAudit(db: Kysely<Database>, query: AuditQuery = {}): Promise<AuditRecord[]> {
  const rows = await auditWhere(db, query)
    .selectAll()
    .orderBy('id', 'desc')
    .limit(clamp(query.limit, 100, 10_000))
    .offset(clamp(query.offset, 0, Number.MAX_SAFE_INTEGER))
    .execute();
  return rows.map(toAuditRecord);
}

export function createReader(db: Kysely<Database>): StoreReader {
  const apps = createAppReader(db);
  const userBy = async (column: 'id' | 'username' | 'email', value: string): Promise<User | undefined> => {
    if (column === 'id' && !isUuid(value)) return undefined;
    const where = column === 'id' ? sql<boolean>`id = ${value}` : sql<boolean>`lower(${sql.ref(column)}) = lower(${value})`;
    const row = await db.selectFrom('users').selectAll().where(where).executeTakeFirst();
    return row && toUser(row);
  };
  const groupBy = async (column: 'id' | 'name', value: string): Promise<Group | undefined> => {
    if (column === 'id' && !isUuid(value)) return undefined;
    const where = column === 'id' ? sql<boolean>`id = ${value}` : sql<boolean>`lower(name) = lower(${value})`;
    const row = await db.selectFrom('groups').selectAll().where(where).executeTakeFirst();
    return row && toGroup(row);
  };
  const accountBy = async (column: 'id' | 'name', value: string): Promise<ServiceAccount | undefined> => {
    if (column === 'id' && !isUuid(value)) return undefined;
    const where = column === 'id' ? sql<boolean>`id = ${value}` : sql<boolean>`lower(name) = lower(${value})`;
    const row = await db.selectFrom('service_accounts').selectAll().where(where).executeTakeFirst();
    return row && toServiceAccount(row);
  };
  return {
    ...apps,
    ...createTeamReader(db),
    getUser: (id) => userBy('id', id),
    findUserByUsername: (username) => userBy('username', username),
    findUserByEmail: (email) => userBy('email', email),
    listUsers: (query) => listUsers(db, query),
    getGroup: (id) => groupBy('id', id),
    findGroupByName: (name) => groupBy('name', name),
    listGroups: async () =>
      (await db.selectFrom('groups').selectAll().orderBy(sql`lower(name)`).execute()).map(toGroup),
    groupMemberIds: async (groupId) => {
      if (!isUuid(groupId)) return [];
      const rows = await db.selectFrom('memberships').select('user_id').where('group_id', '=', groupId).orderBy('user_id').execute();
      return rows.map((row) => row.user_id);
    },
    groupMemberCounts: async () => {
      const rows = await db.selectFrom('memberships').select((eb) => ['group_id', eb.fn.countAll<number | string>().as('n')]).groupBy('group_id').execute();
      return new Map(rows.map((row) => [row.group_id, toNumber(row.n)]));
    },
    userGroupIds: async (userId) => {
      if (!isUuid(userId)) return [];
      const rows = await db.selectFrom('memberships').select('group_id').where('user_id', '=', userId).orderBy('group_id').execute();
      return rows.map((row) => row.group_id);
    },
    getSetting: async <T>(key: string) => {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value as T | undefined;
    },
    getServiceAccount: (id) => accountBy('id', id),
    findServiceAccountByName: (name) => accountBy('name', name),
    listServiceAccounts: async () =>
      (await db.selectFrom('service_accounts').selectAll().orderBy(sql`lower(name)`).execute()).map(toServiceAccount),
    listAudit: (query) => listAudit(db, query),
    countAudit: async (query = {}) => {
      const { total } = await auditWhere(db, query).select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow();
      return toNumber(total);
    },
  };
}
