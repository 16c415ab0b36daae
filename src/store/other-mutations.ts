import { sql, type Updateable } from 'kysely';
import type { ServiceAccount } from '../domain/model.js';
import type { AuditEntry, NewServiceAccount } from './store.js';
import type { ServiceAccountsTable } from './schema.js';
import { toServiceAccount } from './row-mappers.js';
import { found, jsonParam, newId, requireId, type TxContext } from './tx-context.js';

export type ServiceAccountPatch = Partial<Pick<ServiceAccount, 'secretHash' | 'allowedCidrs' | 'privileged'>>;

export function setSetting(ctx: TxContext, key: string, value: unknown): Promise<void> {
  return ctx.step({ key }, async () => {
    const json = jsonParam(value, key);
    await ctx.trx
      .insertInto('settings')
      .values({ key, value: json })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: sql<Date>`now()` }))
      .execute();
    await ctx.changed({ kind: 'setting', key, op: 'upsert' });
  });
}

export function deleteSetting(ctx: TxContext, key: string): Promise<void> {
  return ctx.step({ key }, async () => {
    const row = await ctx.trx.deleteFrom('settings').where('key', '=', key).returning('key').executeTakeFirst();
    if (row) await ctx.changed({ kind: 'setting', key, op: 'delete' });
  });
}

export function insertServiceAccount(ctx: TxContext, account: NewServiceAccount): Promise<ServiceAccount> {
  return ctx.step({ ...account }, async () => {
    const id = newId(undefined);
    const row = await ctx.trx
      .insertInto('service_accounts')
      .values({
        id,
        name: account.name,
        secret_hash: account.secretHash,
        allowed_cidrs: [...(account.allowedCidrs ?? [])],
        privileged: account.privileged ?? false,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await ctx.changed({ kind: 'service_account', key: id, op: 'upsert' });
    return toServiceAccount(row);
  });
}

export function updateServiceAccount(ctx: TxContext, id: string, patch: ServiceAccountPatch): Promise<ServiceAccount> {
  return ctx.step({ ...patch, id }, async () => {
    const key = requireId(id, 'service account');
    const set: Updateable<ServiceAccountsTable> = {};
    if (patch.secretHash !== undefined) set.secret_hash = patch.secretHash;
    if (patch.allowedCidrs !== undefined) set.allowed_cidrs = [...patch.allowedCidrs];
    if (patch.privileged !== undefined) set.privileged = patch.privileged;
    const row = await ctx.trx.updateTable('service_accounts').set({ ...set, updated_at: sql<Date>`now()` }).where('id', '=', key).returningAll().executeTakeFirst();
    const account = toServiceAccount(found(row, 'service account', id));
    await ctx.changed({ kind: 'service_account', key, op: 'upsert' });
    return account;
  });
}

export function deleteServiceAccount(ctx: TxContext, id: string): Promise<void> {
  return ctx.step({ id }, async () => {
    const key = requireId(id, 'service account');
    const row = await ctx.trx.deleteFrom('service_accounts').where('id', '=', key).returning('id').executeTakeFirst();
    found(row, 'service account', id);
    await ctx.changed({ kind: 'service_account', key, op: 'delete' });
  });
}

/** Audit rows are not directory state: no change-log row, so they never serialise writers. */
export function appendAudit(ctx: TxContext, entry: AuditEntry): Promise<void> {
  return ctx.step({}, async () => {
    await ctx.trx
      .insertInto('audit_log')
      .values({
        actor: entry.actor,
        action: entry.action,
        target: entry.target ?? null,
        result: entry.result ?? 'ok',
        ip: entry.ip ?? null,
        details: jsonParam(entry.details ?? {}, 'details'),
      })
      .execute();
  }, false);
}
