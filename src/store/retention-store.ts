import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Rows older than these instants go; an absent cutoff keeps that kind forever. */
export interface PruneCutoffs {
  readonly auditBefore?: Date | undefined;
  readonly changesBefore?: Date | undefined;
  /** Sessions, API tokens, invite/reset/impersonation links that expired before this. */
  readonly expiredBefore: Date;
}

export interface PruneCounts {
  readonly audit: number;
  readonly changes: number;
  readonly apiTokens: number;
  readonly userTokens: number;
}

export interface RetentionStore {
  prune(cutoffs: PruneCutoffs): Promise<PruneCounts>;
}

/**
 * Deletes what retention lets go (docs/operations.md "Retention"). The change log may be cut
 * behind a replica: revisions are gapless, so a replica that then misses one reloads its view
 * (change-follower.ts) rather than applying changes it never saw. store_revision keeps the head.
 */
export function createRetentionStore(db: Kysely<Database>, run: <T>(fn: () => Promise<T>) => Promise<T>): RetentionStore {
  const count = (result: { numDeletedRows?: bigint }[]): number => Number(result[0]?.numDeletedRows ?? 0n);
  return {
    prune: (cutoffs) =>
      run(async () => {
        const audit = cutoffs.auditBefore === undefined ? 0 : count(await db.deleteFrom('audit_log').where('at', '<', cutoffs.auditBefore).execute());
        const changes = cutoffs.changesBefore === undefined ? 0 : count(await db.deleteFrom('change_log').where('at', '<', cutoffs.changesBefore).execute());
        // Tables of their own stores (api-token-store.ts, lifecycle-store.ts), outside Database.
        const apiTokens = (await sql`DELETE FROM api_tokens WHERE expires_at < ${cutoffs.expiredBefore}`.execute(db)).numAffectedRows ?? 0n;
        const userTokens = (await sql`DELETE FROM user_tokens WHERE expires_at < ${cutoffs.expiredBefore}`.execute(db)).numAffectedRows ?? 0n;
        return { audit, changes, apiTokens: Number(apiTokens), userTokens: Number(userTokens) };
      }),
  };
}
