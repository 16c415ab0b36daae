import type { Store } from '../store/store.js';

export interface AuthThrottleOptions {
  readonly store: Store;
  /** Failures from one source for one account within the window before attempts fail fast. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

export interface AuthThrottle {
  /** True when this source has failed too often for this account: answer 49 without checking. */
  blocked(ip: string, account: string): Promise<boolean>;
  failed(ip: string, account: string): Promise<void>;
  succeeded(ip: string, account: string): Promise<void>;
}

/**
 * Brute-force protection shared by every replica through Postgres (DESIGN §4): failures are
 * counted per (source IP, account) in a sliding window, so an attacker is slowed down without
 * locking the account for anyone else. The key never contains the password.
 */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const { store, maxFailures, windowMs } = options;
  const key = (ip: string, account: string): string => `${ip}|${account.toLowerCase()}`;
  return {
    async blocked(ip, account) {
      if (maxFailures <= 0) return false;
      return (await store.countAuthFailures(key(ip, account), windowMs)) >= maxFailures;
    },
    async failed(ip, account) {
      if (maxFailures <= 0) return;
      await store.recordAuthFailure(key(ip, account), windowMs);
    },
    async succeeded(ip, account) {
      if (maxFailures <= 0) return;
      await store.clearAuthFailures(key(ip, account));
    },
  };
}
