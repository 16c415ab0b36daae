import type { AuthKeyState, AuthRule, Store } from '../../store/store.js';
import { createHashGate, type GateTicket } from './hash-gate.js';
import { createSharedFailures, type SharedFailuresLogger } from './shared-failures.js';

export type AuthThrottleLogger = SharedFailuresLogger;

export interface AuthThrottleOptions {
  readonly store: Store;
  /** Failures from one source for one account within the window before attempts fail fast. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** How long a block lasts at least, from the failure that reached the limit (default: the window). */
  readonly cooldownMs?: number;
  /** How stale this process's copy of the blocked keys may get (other replicas' blocks). */
  readonly refreshMs?: number;
  /** Sign-in attempts in progress per source address, and overall, before `busy` (hash-gate.ts). */
  readonly maxPendingPerSource?: number;
  readonly maxPending?: number;
  /** Longest wait for the database before counting in this process instead (default 1 s). */
  readonly dbTimeoutMs?: number;
  readonly logger?: AuthThrottleLogger;
}

/** One sign-in attempt's place in the throttle, from `begin` to `end`. */
export interface Attempt {
  /**
   * The brute-force check for the account it names (once, after `begin`): true = refused without
   * checking the credential (answer as for a wrong one, after `stall`).
   */
  check(account: string): Promise<boolean>;
  /** Runs one password-hashing job of this attempt in its fair turn. */
  hash<T>(job: () => Promise<T>): Promise<T>;
  /** Waits about as long as a hash takes, without hashing: refused attempts cost no CPU. */
  stall(): Promise<void>;
  end(): void;
}

export interface AuthThrottle {
  /**
   * Starts an attempt: a place in the bounded hashing queues, taken before any database work.
   * Throws DirectoryError('busy') when this source or the process has too many in progress.
   */
  begin(ip: string, options?: { readonly urgent?: boolean }): Attempt;
  failed(attempt: Attempt): Promise<void>;
  /** Forgets the account's failures from this source. */
  succeeded(attempt: Attempt): Promise<void>;
  /** The attempt ended without a verdict (the external source could not answer): not counted. */
  abandoned(attempt: Attempt): Promise<void>;
  /** Whether (source, account) is refused now, without starting an attempt. */
  check(ip: string, account: string): Promise<{ blocked: boolean }>;
  /** `database` normally; `local` while the database is unreachable (counting in this process only). */
  readonly mode: 'database' | 'local';
}

interface AttemptState extends Attempt {
  key: string | undefined;
  blocked: boolean;
  /** A failure row was written before the check (it stays if the attempt fails). */
  reserved: boolean;
  /** Its id (database) or undefined (counted in this process). */
  reservation: string | undefined;
  after: AuthKeyState | undefined;
}

/**
 * Brute-force protection shared by every replica through PostgreSQL (DESIGN §4; the exact rule is
 * in store/auth-failures.ts): failures are counted per (source IP, account), so an attacker is
 * slowed down without locking the account for anyone else. The key never contains the password.
 *
 * Binds are the hot path, so a successful bind costs no query once its (source, account) has
 * signed in successfully within the window ("trusted"): each process keeps the blocked keys,
 * re-read in the background in one query every `refreshMs` (default 2 s), and updated at once by
 * its own results. Any other attempt first reserves its failure row under a per-key lock, so the
 * limit holds exactly across replicas (issue 20, defect 11); a trusted key's failures are counted
 * atomically too, and its first failure ends the trust.
 *
 * When the database does not answer (within `dbTimeoutMs`), the throttle counts in this process
 * (auth/shared-failures.ts) and says so once in the log, and once more when the database is back —
 * binds keep working from the in-memory view during an outage (DESIGN §2.3, issue 20 defect 1).
 */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const { maxFailures, windowMs } = options;
  const rule: AuthRule = { maxFailures, windowMs, cooldownMs: options.cooldownMs ?? windowMs };
  const refreshMs = options.refreshMs ?? 2_000;
  const gate = createHashGate({ maxPerSource: options.maxPendingPerSource, maxTotal: options.maxPending });
  const counts = createSharedFailures({ store: options.store, rule, timeoutMs: options.dbTimeoutMs ?? 1_000, logger: options.logger });
  const keyOf = (ip: string, account: string): string => `${ip}|${account.toLowerCase()}`;
  let blockedUntil = new Map<string, number>();
  const trustedUntil = new Map<string, number>();
  let refreshedAt = -Infinity;
  let refreshing = false;

  /** In the background: a bind never waits for it. While the database is away it probes for its return. */
  function refresh(): void {
    if (refreshing || performance.now() - refreshedAt < refreshMs) return;
    refreshing = true;
    void counts
      .blockedKeys()
      .then((keys) => {
        const now = performance.now();
        if (keys !== undefined) blockedUntil = new Map(keys.map((k) => [k.key, now + k.blockedMs]));
      })
      .finally(() => {
        refreshedAt = performance.now();
        refreshing = false;
      });
  }

  const isBlocked = (key: string): boolean => (blockedUntil.get(key) ?? 0) > performance.now() || counts.localBlockedMs(key) > 0;
  const isTrusted = (key: string): boolean => (trustedUntil.get(key) ?? 0) > performance.now();

  function block(key: string, state: AuthKeyState | undefined): void {
    if (state !== undefined && state.blockedMs > 0) blockedUntil.set(key, performance.now() + state.blockedMs);
  }

  function trust(key: string): void {
    if (trustedUntil.size >= 100_000) trustedUntil.clear();
    trustedUntil.set(key, performance.now() + windowMs);
  }

  /** The brute-force check of an attempt: blocked, trusted, or a reservation (exact across replicas). */
  async function checkKey(state: AttemptState, key: string): Promise<boolean> {
    state.key = key;
    if (maxFailures <= 0) return false;
    refresh();
    if (isBlocked(key) || isTrusted(key)) return (state.blocked = isBlocked(key));
    const made = await counts.reserve(key);
    if (!made.reserved) {
      block(key, made.after);
      return (state.blocked = true);
    }
    Object.assign(state, { reserved: true, reservation: made.id, after: made.after });
    return false;
  }

  function attemptOf(ticket: GateTicket, ip: string): AttemptState {
    const state: AttemptState = {
      key: undefined,
      blocked: false,
      reserved: false,
      reservation: undefined,
      after: undefined,
      check: (account) => checkKey(state, keyOf(ip, account)),
      hash: (job) => ticket.run(job),
      stall: () => new Promise((resolve) => setTimeout(resolve, gate.typicalMs)),
      end: () => ticket.end(),
    };
    return state;
  }

  return {
    get mode() {
      return counts.mode;
    },
    begin: (ip, beginOptions = {}) => attemptOf(gate.enter(ip, beginOptions.urgent === true), ip),
    async failed(attempt) {
      const { key, blocked, reserved, after } = attempt as AttemptState;
      if (maxFailures <= 0 || blocked || key === undefined) return;
      trustedUntil.delete(key);
      block(key, reserved ? after : await counts.record(key));
    },
    async succeeded(attempt) {
      const { key, reserved } = attempt as AttemptState;
      if (maxFailures <= 0 || !reserved || key === undefined) return;
      blockedUntil.delete(key);
      trust(key);
      await counts.clear(key);
    },
    async abandoned(attempt) {
      const { reservation } = attempt as AttemptState;
      if (reservation !== undefined) await counts.release(reservation);
    },
    async check(ip, account) {
      if (maxFailures <= 0) return { blocked: false };
      const key = keyOf(ip, account);
      if (isBlocked(key)) return { blocked: true };
      const state = await counts.state(key);
      block(key, state);
      return { blocked: (state?.blockedMs ?? 0) > 0 };
    },
  };
}
