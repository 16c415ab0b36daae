import type { Store } from '../store/store.js';

export interface AuthThrottleOptions {
  readonly store: Store;
  /** Failures from one source for one account within the window before attempts fail fast. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** How stale this process's copy of the blocked keys may get (other replicas' failures). */
  readonly refreshMs?: number;
}

export interface AuthThrottle {
  /**
   * Whether this source has failed too often for this account (answer 49 without checking the
   * password, until old failures leave the window), and whether this process saw it fail lately.
   */
  check(ip: string, account: string): Promise<{ blocked: boolean; failures: number }>;
  failed(ip: string, account: string): Promise<void>;
  /** Forgets earlier failures; pass `check`'s count so a clean success costs no write. */
  succeeded(ip: string, account: string, failuresBefore: number): Promise<void>;
}

/**
 * Brute-force protection shared by every replica through Postgres (DESIGN §4): failures are
 * counted per (source IP, account) in a sliding window, so an attacker is slowed down without
 * locking the account for anyone else. The key never contains the password.
 *
 * Binds are the hot path, so a successful bind costs no query: each process keeps the set of
 * blocked keys, re-read in one query at most every `refreshMs` (default 2 s) and updated at once
 * by its own failures. Another replica's block therefore reaches this one within `refreshMs`.
 */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const { store, maxFailures, windowMs } = options;
  const refreshMs = options.refreshMs ?? 2_000;
  const key = (ip: string, account: string): string => `${ip}|${account.toLowerCase()}`;
  let blocked = new Set<string>();
  /** Keys this process recorded failures for since the last refresh (cleared by a success). */
  const recent = new Set<string>();
  let refreshedAt = -Infinity;
  let refreshing: Promise<void> | undefined;

  function refresh(): Promise<void> {
    refreshing ??= store
      .blockedAuthKeys(windowMs, maxFailures)
      .then((keys) => {
        blocked = new Set(keys);
        refreshedAt = performance.now();
      })
      .finally(() => (refreshing = undefined));
    return refreshing;
  }

  return {
    async check(ip, account) {
      if (maxFailures <= 0) return { blocked: false, failures: 0 };
      if (performance.now() - refreshedAt > refreshMs) await refresh();
      const k = key(ip, account);
      return { blocked: blocked.has(k), failures: recent.has(k) ? 1 : 0 };
    },
    async failed(ip, account) {
      if (maxFailures <= 0) return;
      const k = key(ip, account);
      recent.add(k);
      if ((await store.recordAuthFailure(k, windowMs)) >= maxFailures) blocked.add(k);
    },
    async succeeded(ip, account, failuresBefore) {
      if (maxFailures <= 0 || failuresBefore === 0) return;
      const k = key(ip, account);
      recent.delete(k);
      await store.clearAuthFailures(k);
    },
  };
}
