import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { COLUMNS, tables, toAppPassword, type AppPasswordMutations } from './app-password-store.js';
import type { TxContext } from './tx-context.js';
import { isUuid } from '../domain/uuid.js';

/** The StoreTx half: inside the caller's write transaction (no change-log row: not directory state). */
export function appPasswordMutations(ctx: TxContext): AppPasswordMutations {
  const db = tables(ctx.trx);
  return {
    insert: (row) =>
      ctx.step({ name: row.name }, async () => {
        const inserted = await db
          .insertInto('app_passwords')
          .values({ id: randomUUID(), user_id: row.userId, name: row.name, secret_hash: row.secretHash, created_at: sql<Date>`now()`, last_used_at: null })
          .returning(COLUMNS)
          .executeTakeFirstOrThrow();
        return toAppPassword(inserted);
      }, false),
    delete: (id, userId) =>
      ctx.step({ id }, async () => {
        if (!isUuid(id) || !isUuid(userId)) return undefined;
        const row = await db.deleteFrom('app_passwords').where('id', '=', id).where('user_id', '=', userId).returning(COLUMNS).executeTakeFirst();
        return row && toAppPassword(row);
      }, false),
  };
}
