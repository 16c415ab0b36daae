import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { Change } from './store.js';
import { toNumber } from './row-mappers.js';

/**
 * Appends change rows in the writer's transaction.
 *
 * Why a single-row counter (store_revision) instead of a bigserial: sequence values are handed out
 * at insert time, not at commit time, so with two concurrent writers revision 12 can become
 * visible before 11 — a reader that saw 12 and remembered it would skip 11 forever. Bumping one
 * row takes its row lock until commit, so the next writer's bump waits for this transaction to
 * finish and then reads the committed value: revisions are gapless (a rollback undoes the bump)
 * and commit order equals revision order. The price is that writers serialise from their first
 * change to their commit, which a directory's write rate easily affords; writes that change
 * nothing the view needs (audit entries) never touch the counter.
 *
 * `at` is left to the column default now(): the transaction's time, the same value as every
 * updated_at the transaction writes, which lets the view match the store's timestamps.
 */
export type NewChange = Omit<Change, 'revision' | 'at'>;

/** One statement: bump the counter by n and insert the n rows numbered below the new value. */
export async function appendChanges(
  trx: Transaction<Database>,
  changes: readonly NewChange[],
): Promise<number | undefined> {
  if (changes.length === 0) return undefined;
  const rows = JSON.stringify(changes.map((c, i) => ({ ord: i + 1, kind: c.kind, key: c.key, op: c.op })));
  const n = changes.length;
  const result = await sql<{ revision: number | string }>`
    WITH bumped AS (
      UPDATE store_revision SET revision = revision + ${n} WHERE id RETURNING revision
    )
    INSERT INTO change_log (revision, kind, key, op)
    SELECT bumped.revision - ${n} + v.ord, v.kind, v.key, v.op
    FROM bumped, jsonb_to_recordset(${rows}::text::jsonb) AS v(ord int, kind text, key text, op text)
    RETURNING revision`.execute(trx);
  return Math.max(...result.rows.map((row) => toNumber(row.revision)));
}
