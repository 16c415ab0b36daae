import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { AppAccess, Application, TeamLevel } from '../domain/application.js';
import type { AppPatch, AppReader, NewApp } from './app-types.js';
import { conflict } from '../domain/errors.js';
import { isUuid } from '../domain/uuid.js';
import type { AppsTable, Database } from './schema.js';
import { found, jsonParam, newId, requireId, type TxContext } from './tx-context.js';

/** Applications in the store (issue 16): reads for StoreReader, mutators for StoreTx. */

type Db = Kysely<Database> | Transaction<Database>;

/** Rows written by this module only, so the jsonb shape is the one jsonParam stored. */
export function toApp(row: Selectable<AppsTable>): Application {
  const raw = (row.access ?? {}) as { everyone?: unknown; groups?: unknown; teams?: unknown };
  const groups = Array.isArray(raw.groups) ? raw.groups.filter((g): g is string => typeof g === 'string') : [];
  const teams = Array.isArray(raw.teams) ? (raw.teams as { team: string; level: TeamLevel }[]) : [];
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    secretHash: row.secret_hash,
    allowedCidrs: row.allowed_cidrs,
    access: { everyone: raw.everyone === true, groups, teams: teams.map((t) => ({ team: t.team, level: t.level })) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createAppReader(db: Db): AppReader {
  const by = async (column: 'id' | 'name', value: string): Promise<Application | undefined> => {
    if (column === 'id' && !isUuid(value)) return undefined;
    const where = column === 'id' ? sql<boolean>`id = ${value}` : sql<boolean>`lower(name) = lower(${value})`;
    const row = await db.selectFrom('apps').selectAll().where(where).executeTakeFirst();
    return row && toApp(row);
  };
  return {
    getApp: (id) => by('id', id),
    findAppByName: (name) => by('name', name),
    listApps: async () => (await db.selectFrom('apps').selectAll().orderBy(sql`lower(name)`).execute()).map(toApp),
  };
}

const accessJson = (access: AppAccess): string =>
  jsonParam({ everyone: access.everyone, groups: [...access.groups], teams: access.teams.map((t) => ({ team: t.team, level: t.level })) }, 'access');

export function insertApp(ctx: TxContext, app: NewApp): Promise<Application> {
  return ctx.step({ name: app.name }, async () => {
    const id = newId(undefined);
    const row = await ctx.trx
      .insertInto('apps')
      .values({ id, name: app.name, description: app.description, secret_hash: app.secretHash, allowed_cidrs: [...app.allowedCidrs], access: accessJson(app.access) })
      .returningAll()
      .executeTakeFirstOrThrow();
    await ctx.changed({ kind: 'app', key: id, op: 'upsert' });
    return toApp(row);
  });
}

export function updateApp(ctx: TxContext, id: string, patch: AppPatch): Promise<Application> {
  return ctx.step({ ...(patch.name === undefined ? {} : { name: patch.name }), id }, async () => {
    const key = requireId(id, 'application');
    const set: Updateable<AppsTable> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.secretHash !== undefined) set.secret_hash = patch.secretHash;
    if (patch.allowedCidrs !== undefined) set.allowed_cidrs = [...patch.allowedCidrs];
    if (patch.access !== undefined) set.access = accessJson(patch.access);
    const row = await ctx.trx.updateTable('apps').set({ ...set, updated_at: sql<Date>`now()` }).where('id', '=', key).returningAll().executeTakeFirst();
    const app = toApp(found(row, 'application', id));
    await ctx.changed({ kind: 'app', key, op: 'upsert' });
    return app;
  });
}

export function deleteApp(ctx: TxContext, id: string): Promise<void> {
  return ctx.step({ id }, async () => {
    const key = requireId(id, 'application');
    found(await ctx.trx.deleteFrom('apps').where('id', '=', key).returning('id').executeTakeFirst(), 'application', id);
    await ctx.changed({ kind: 'app', key, op: 'delete' });
  });
}

/**
 * Deleting a group an access rule names is refused with 409 naming the applications (issue 16:
 * the choice is documented in docs/applications.md). Dropping it from the rules silently would
 * change who can sign in to an app as a side effect of a group clean-up. Runs inside the
 * deleting transaction, after the revision lock every writer takes (tx-context.ts), so an app
 * edit adding the group cannot slip in between the check and the delete.
 */
export async function assertGroupUnused(trx: Db, groupId: string): Promise<void> {
  if (!isUuid(groupId)) return;
  const rows = await sql<{ name: string }>`
    SELECT name FROM apps WHERE access->'groups' @> ${JSON.stringify([groupId.toLowerCase()])}::jsonb ORDER BY lower(name)`.execute(trx);
  if (rows.rows.length === 0) return;
  const names = rows.rows.map((r) => r.name);
  throw conflict(`the group is used by the access rule of ${names.length === 1 ? 'application' : 'applications'} ${names.join(', ')}; change ${names.length === 1 ? 'its' : 'their'} access first`, 'group');
}
