import type { AuthKeyState, AuthRule, Store } from '../../store/store.js';
import { LocalFailures } from './local-failures.js';

export interface SharedFailuresLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/** A reservation: `id` of its row in the database, undefined when counted in this process. */
export type Reservation = { readonly reserved: true; readonly id: string | undefined; readonly after: AuthKeyState } | { readonly reserved: false; readonly after: AuthKeyState };

/**
 * The throttle's counters (store/auth-failures.ts has the rule), in PostgreSQL so that every
 * replica counts the same failures — or, while the database does not answer within `timeoutMs`,
 * in this process (local-failures.ts). The switch is logged once each way (issue 20, defect 1).
 */
export interface SharedFailures {
  readonly mode: 'database' | 'local';
  reserve(key: string): Promise<Reservation>;
  record(key: string): Promise<AuthKeyState>;
  clear(key: string): Promise<void>;
  release(id: string): Promise<void>;
  /** The database's view of one key; undefined while it is away. */
  state(key: string): Promise<AuthKeyState | undefined>;
  /** Every key the database refuses now; undefined while it is away. Also the probe for the way back. */
  blockedKeys(): Promise<{ key: string; blockedMs: number }[] | undefined>;
  /** What this process counted itself (during an outage). */
  localBlockedMs(key: string): number;
}

const within = <T>(work: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });

export function createSharedFailures(options: { store: Store; rule: AuthRule; timeoutMs: number; logger?: SharedFailuresLogger | undefined }): SharedFailures {
  const { store, rule, timeoutMs, logger } = options;
  const local = new LocalFailures(rule);
  let mode: 'database' | 'local' = 'database';

  function degrade(err: unknown): undefined {
    if (mode === 'database') {
      mode = 'local';
      logger?.warn({ err }, 'auth throttle: the database is unreachable; counting failed sign-ins in this process only until it is back');
    }
    return undefined;
  }

  /** Runs `work` on the database unless it is away; undefined (and local mode) when it does not answer. */
  async function database<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (mode === 'local') return undefined;
    return within(work(), timeoutMs).catch(degrade);
  }

  return {
    get mode() {
      return mode;
    },
    async reserve(key) {
      const made = await database(() => store.reserveAuthAttempt(key, rule));
      if (made !== undefined) return made;
      const counted = local.reserve(key);
      return counted.reserved ? { reserved: true, id: undefined, after: counted.after } : { reserved: false, after: counted.after };
    },
    async record(key) {
      return (await database(() => store.recordAuthFailure(key, rule))) ?? local.record(key);
    },
    async clear(key) {
      local.clear(key);
      await database(() => store.clearAuthFailures(key));
    },
    async release(id) {
      await database(() => store.releaseAuthAttempt(id));
    },
    state: (key) => database(() => store.authKeyState(key, rule)),
    async blockedKeys() {
      const keys = await within(store.blockedAuthKeys(rule), timeoutMs).catch(degrade);
      if (keys !== undefined && mode === 'local') {
        mode = 'database';
        logger?.info({}, 'auth throttle: the database is reachable again; failed sign-ins are counted there again');
      }
      return keys;
    },
    localBlockedMs: (key) => local.state(key).blockedMs,
  };
}
