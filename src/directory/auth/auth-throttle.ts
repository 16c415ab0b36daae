import type { AuthKeyState, AuthRule, Store } from '../../store/store.js';
import type { MaybeAsync } from '../../domain/maybe-async.js';
import { createHashGate, type GateTicket, type HashGate, type HashGateOptions } from './hash-gate.js';
import { KeyLeaders } from './key-leaders.js';
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
  /**
   * How the hash gate is shared (`ldap.workers` > 1): the main thread gives `threads` (main + workers)
   * so that its ticket table has a region for each; a worker thread gives that table and the main
   * thread's hashing turns, so that the caps and the bcrypt slots are the daemon's (hash-gate.ts).
   */
  readonly gate?: Pick<HashGateOptions, 'tickets' | 'threads' | 'turns'>;
  /** Longest wait for the database before counting in this process instead (default 1 s). */
  readonly dbTimeoutMs?: number;
  readonly logger?: AuthThrottleLogger;
}

/** One sign-in attempt's place in the throttle, from `begin` to `end`. */
export interface Attempt {
  /**
   * The brute-force check for the account it names (once, after `begin`): true = refused without
   * checking the credential (answer as for a wrong one, after `stall`). Synchronous when this
   * process already knows the key is blocked or trusted (the hot path of repeated binds).
   */
  check(account: string): MaybeAsync<boolean>;
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
  /** Forgets the account's failures from this source (synchronous when there were none to forget). */
  succeeded(attempt: Attempt): MaybeAsync<void>;
  /** The attempt ended without a verdict (the external source could not answer): not counted. */
  abandoned(attempt: Attempt): Promise<void>;
  /** Whether (source, account) is refused now, without starting an attempt. */
  check(ip: string, account: string): Promise<{ blocked: boolean }>;
  /** `database` normally; `local` while the database is unreachable (counting in this process only). */
  readonly mode: 'database' | 'local';
  /** The hashing gate: its ticket table and turns, which LDAP worker threads share (app/ldap-workers.ts). */
  readonly gate: Pick<HashGate, 'tickets' | 'turn'>;
}

interface AttemptState extends Attempt {
  /** Its place in the hash gate; given back early while it waits for another attempt's reservation. */
  ticket: GateTicket;
  placed: boolean;
  /** Ends this attempt's lead on its key (it reserved first in this thread); a no-op otherwise. */
  unlead: () => void;
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
 * First attempts of one key are led (issue 18): while one attempt of a key is reserving in this
 * thread, the others of that key give back their gate place and wait for its verdict. An
 * application that opens a pool of connections and binds each one at once (nslcd, sssd, a
 * connection pool; after a restart, in every LDAP worker thread) costs one reservation and gets no
 * `busy`; if the leader fails, the next waiter takes a place again (or is refused busy) and leads.
 *
 * When the database does not answer (within `dbTimeoutMs`), the throttle counts in this process
 * (auth/shared-failures.ts) and says so once in the log, and once more when the database is back —
 * binds keep working from the in-memory view during an outage (DESIGN §2.3, issue 20 defect 1).
 */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const { maxFailures, windowMs } = options;
  const rule: AuthRule = { maxFailures, windowMs, cooldownMs: options.cooldownMs ?? windowMs };
  const refreshMs = options.refreshMs ?? 2_000;
  const gate = createHashGate({ maxPerSource: options.maxPendingPerSource, maxTotal: options.maxPending, ...options.gate });
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

  const leaders = new KeyLeaders();

  /** The brute-force check of an attempt: blocked, trusted, or a reservation (exact across replicas). */
  function checkKey(state: AttemptState, key: string, ip: string, urgent: boolean): MaybeAsync<boolean> {
    state.key = key;
    if (maxFailures <= 0) return false;
    refresh();
    const blocked = isBlocked(key);
    if (blocked || isTrusted(key)) return (state.blocked = blocked);
    return reserveKey(state, key, ip, urgent);
  }

  /** checkKey's waiting part: after the key's leader, or as the leader, a reservation. */
  async function reserveKey(state: AttemptState, key: string, ip: string, urgent: boolean): Promise<boolean> {
    for (let leader = leaders.of(key); ; leader = leaders.of(key)) {
      if (isBlocked(key) || isTrusted(key)) return (state.blocked = isBlocked(key));
      if (leader === undefined) break;
      state.ticket.end(); // waits without a place: the leader's verdict decides (see above)
      state.placed = false;
      await leader;
    }
    if (!state.placed) state.ticket = gate.enter(ip, urgent); // busy when the caps are reached meanwhile
    state.placed = true;
    state.unlead = leaders.lead(key);
    const made = await counts.reserve(key);
    if (!made.reserved) {
      block(key, made.after);
      state.unlead();
      return (state.blocked = true);
    }
    Object.assign(state, { reserved: true, reservation: made.id, after: made.after });
    return false;
  }

  function attemptOf(ip: string, urgent: boolean): AttemptState {
    const state: AttemptState = {
      ticket: gate.enter(ip, urgent),
      placed: true,
      unlead: () => undefined,
      key: undefined,
      blocked: false,
      reserved: false,
      reservation: undefined,
      after: undefined,
      check: (account) => checkKey(state, keyOf(ip, account), ip, urgent),
      hash: (job) => state.ticket.run(job),
      stall: () => new Promise((resolve) => setTimeout(resolve, gate.typicalMs)),
      end: () => {
        state.ticket.end();
        state.unlead();
      },
    };
    return state;
  }

  return {
    get mode() {
      return counts.mode;
    },
    gate,
    begin: (ip, beginOptions = {}) => attemptOf(ip, beginOptions.urgent === true),
    async failed(attempt) {
      const { key, blocked, reserved, after } = attempt as AttemptState;
      if (maxFailures <= 0 || blocked || key === undefined) return;
      trustedUntil.delete(key);
      block(key, reserved ? after : await counts.record(key));
      (attempt as AttemptState).unlead();
    },
    succeeded(attempt) {
      const { key, reserved } = attempt as AttemptState;
      if (maxFailures <= 0 || !reserved || key === undefined) return;
      blockedUntil.delete(key);
      trust(key);
      (attempt as AttemptState).unlead(); // its waiters go on as trusted
      return counts.clear(key);
    },
    async abandoned(attempt) {
      const { reservation, unlead } = attempt as AttemptState;
      unlead();
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
