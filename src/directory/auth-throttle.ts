import type { Store } from '../store/store.js';

export interface AuthThrottleOptions {
  readonly store: Store;
  /** Failures from one source for one account within the window before attempts fail fast. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

export interface AuthThrottle {
  /**
   * Recent failures of this source for this account; `blocked` means answer 49 without checking
   * the password (the cool-down lasts until old failures leave the window).
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
 */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const { store, maxFailures, windowMs } = options;
  const key = (ip: string, account: string): string => `${ip}|${account.toLowerCase()}`;
  return {
    async check(ip, account) {
      if (maxFailures <= 0) return { blocked: false, failures: 0 };
      const failures = await store.countAuthFailures(key(ip, account), windowMs);
      return { blocked: failures >= maxFailures, failures };
    },
    async failed(ip, account) {
      if (maxFailures <= 0) return;
      await store.recordAuthFailure(key(ip, account), windowMs);
    },
    async succeeded(ip, account, failuresBefore) {
      if (maxFailures <= 0 || failuresBefore === 0) return;
      await store.clearAuthFailures(key(ip, account));
    },
  };
}
