import { sql, type Kysely, type Transaction } from 'kysely';
import { invalid } from '../domain/errors.js';
import type { Database } from './schema.js';

/** pg returns count(*) and bigint as strings (not via row-mappers: that would be an import cycle). */
const toNumber = (value: number | string | bigint): number => Number(value);

/**
 * Brute-force counters (DESIGN §4) live in the database so that every replica counts the same
 * failures. Times are the database's `now()`, one clock for all replicas.
 *
 * The rule: a key is refused once `maxFailures` failures fall within `windowMs`, until BOTH
 * `cooldownMs` has passed since the failure that reached the limit AND fewer than `maxFailures`
 * failures remain in the window. Refused attempts are not recorded, so an attacker who keeps
 * knocking does not extend the block; the next wrong guess after it ends starts a new one.
 *
 * Counting is exact across replicas: a reservation (or a failure) is written under a per-key
 * transaction-scoped advisory lock, after reading the key's state in the same transaction, so two
 * replicas racing on one key are serialised and decide "blocked" from the count they return.
 */
export interface AuthRule {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly cooldownMs: number;
}

/** One key's counters: failures in the window and how long (ms from now) it stays refused; 0 = not refused. */
export interface AuthKeyState {
  readonly failures: number;
  readonly blockedMs: number;
}

export type AuthReservation = { readonly reserved: true; readonly id: string; readonly after: AuthKeyState } | { readonly reserved: false; readonly after: AuthKeyState };

/** Rows are kept at least a day (or as long as the rule can look back), then pruned. */
const PRUNE_AFTER_MS = 24 * 60 * 60 * 1000;

function checkRule(rule: AuthRule): AuthRule {
  if (!Number.isFinite(rule.windowMs) || rule.windowMs <= 0) throw invalid('the failure window must be a positive duration');
  if (!Number.isFinite(rule.cooldownMs) || rule.cooldownMs < 0) throw invalid('the cooldown must not be negative');
  if (!Number.isInteger(rule.maxFailures) || rule.maxFailures < 1) throw invalid('max failures must be a positive integer');
  return rule;
}

const secs = (ms: number) => sql`make_interval(secs => ${ms / 1000}::float8)`;

/**
 * Per key: failures in the window, and the refusal still to run: the cool-down from the last
 * failure that brought the window's count to the limit, or until the window's count drops below it.
 */
function statesQuery(rule: AuthRule, key: string | undefined) {
  const { maxFailures: max, windowMs, cooldownMs } = checkRule(rule);
  const window = secs(windowMs);
  const horizon = secs(windowMs + cooldownMs);
  const byKey = key === undefined ? sql`` : sql`AND key = ${key}`;
  return sql<{ key: string; failures: number | string; blocked_ms: number | string | null }>`
    SELECT key, failures, greatest(cool_ms, window_ms, 0) AS blocked_ms FROM (
      SELECT key,
        count(*) FILTER (WHERE in_window) AS failures,
        extract(epoch FROM max(at) FILTER (WHERE n >= ${max}) + ${secs(cooldownMs)} - now()) * 1000 AS cool_ms,
        extract(epoch FROM (array_agg(at ORDER BY at) FILTER (WHERE in_window))[count(*) FILTER (WHERE in_window) - ${max} + 1] + ${window} - now()) * 1000 AS window_ms
      FROM (
        SELECT key, at, at >= now() - ${window} AS in_window,
          count(*) OVER (PARTITION BY key ORDER BY at RANGE BETWEEN ${window} PRECEDING AND CURRENT ROW) AS n
        FROM auth_failures WHERE at >= now() - ${horizon} ${byKey}
      ) f
      GROUP BY key
    ) s`;
}

const toState = (row: { failures: number | string; blocked_ms: number | string | null } | undefined): AuthKeyState => ({
  failures: row === undefined ? 0 : toNumber(row.failures),
  blockedMs: row === undefined ? 0 : Math.max(0, Math.ceil(Number(row.blocked_ms ?? 0))),
});

async function stateOf(db: Kysely<Database> | Transaction<Database>, key: string, rule: AuthRule): Promise<AuthKeyState> {
  const { rows } = await statesQuery(rule, key).execute(db);
  return toState(rows[0]);
}

/** The per-key lock that serialises every replica's count of one key (released at commit). */
async function lockKey(trx: Transaction<Database>, key: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`pgdir.auth:${key}`}, 0))`.execute(trx);
}

/**
 * Reserves one attempt before the credential is checked: refused (nothing written) when the key
 * is blocked, else a failure row is written at once — it stays if the attempt fails and is cleared
 * with the others if it succeeds. `after` is the key's state with this attempt counted as failed.
 */
export async function reserveAuthAttempt(db: Kysely<Database>, key: string, rule: AuthRule): Promise<AuthReservation> {
  return db.transaction().execute(async (trx) => {
    await lockKey(trx, key);
    const before = await stateOf(trx, key, rule);
    if (before.blockedMs > 0) return { reserved: false, after: before };
    const row = await trx.insertInto('auth_failures').values({ key }).returning('id').executeTakeFirstOrThrow();
    return { reserved: true, id: String(row.id), after: await stateOf(trx, key, rule) };
  });
}

/** Takes back a reservation whose attempt ended without a verdict (a source that could not answer, `busy`). */
export async function releaseAuthAttempt(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('auth_failures').where('id', '=', id).execute();
}

/** Records a failure (an attempt made without a reservation) and answers the key's state after it. */
export async function recordAuthFailure(db: Kysely<Database>, key: string, rule: AuthRule): Promise<AuthKeyState> {
  return db.transaction().execute(async (trx) => {
    await lockKey(trx, key);
    await trx.insertInto('auth_failures').values({ key }).execute();
    return stateOf(trx, key, rule);
  });
}

export async function authKeyState(db: Kysely<Database>, key: string, rule: AuthRule): Promise<AuthKeyState> {
  return stateOf(db, key, rule);
}

export async function clearAuthFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('auth_failures').where('key', '=', key).execute();
}

/** Every key refused now, with how long (ms) it stays refused; old rows are pruned on the way. */
export async function blockedAuthKeys(db: Kysely<Database>, rule: AuthRule): Promise<{ key: string; blockedMs: number }[]> {
  const keep = Math.max(rule.windowMs + rule.cooldownMs, PRUNE_AFTER_MS);
  await db.deleteFrom('auth_failures').where('at', '<', sql<Date>`now() - ${secs(keep)}`).execute();
  const { rows } = await statesQuery(rule, undefined).execute(db);
  return rows.map((row) => ({ key: row.key, blockedMs: toState(row).blockedMs })).filter((s) => s.blockedMs > 0);
}
