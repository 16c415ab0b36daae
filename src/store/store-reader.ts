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

async function listUsers(db: Kysely<Database>, query: UserQuery = {}): Promise<{ users: User[]; total: number }> {
  let base = db.selectFrom('users');
  if (query.search !== undefined && query.search !== '') {
    const pattern = `%${escapeLike(query.search)}%`;
    base = base.where((eb) =>
      eb.or([eb('username', 'ilike', pattern), eb('email', 'ilike', pattern), eb('display_name', 'ilike', pattern)]),
    );
  }
  if (query.active !== undefined) base = base.where('active', '=', query.active);
  if (query.role !== undefined) base = base.where('role', '=', query.role);
  if (query.source !== undefined) base = base.where('source', '=', query.source);
  if (query.memberOf !== undefined) {
    const groupId = isUuid(query.memberOf) ? query.memberOf : '00000000-0000-0000-0000-000000000000';
    base = base.where('id', 'in', (eb) => eb.selectFrom('memberships').select('user_id').where('group_id', '=', groupId));
  }
  const { total } = await base.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow();
  let rows = base
    .selectAll()
    .orderBy(sql`lower(username)`, (ob) => ob.asc().nullsLast())
    .orderBy(sql`lower(email)`)
    .offset(clamp(query.offset, 0, Number.MAX_SAFE_INTEGER));
  if (query.limit !== undefined) rows = rows.limit(clamp(query.limit, 100, 100_000));
  return { users: (await rows.execute()).map(toUser), total: toNumber(total) };
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
