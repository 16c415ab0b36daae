import type { AuthKeyState, AuthRule } from '../../store/store.js';

/**
 * The throttle's counters while the database is unreachable (issue 20, defect 1): the same rule as
 * store/auth-failures.ts, counted in this process only. Bounded: past `maxKeys` the oldest keys go.
 */
export class LocalFailures {
  readonly #failures = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();

  constructor(
    private readonly rule: AuthRule,
    private readonly maxKeys = 100_000,
  ) {}

  state(key: string, now = performance.now()): AuthKeyState {
    const times = this.#recent(key, now);
    const { maxFailures, windowMs } = this.rule;
    const cool = (this.#blockedUntil.get(key) ?? 0) - now;
    const oldest = times.length >= maxFailures ? (times[times.length - maxFailures] ?? now) + windowMs - now : 0;
    return { failures: times.length, blockedMs: Math.max(0, Math.ceil(Math.max(cool, oldest))) };
  }

  /** Counts a failure (reserved before the check, as the database does); refused keys are not counted. */
  reserve(key: string): { reserved: boolean; after: AuthKeyState } {
    const now = performance.now();
    const before = this.state(key, now);
    if (before.blockedMs > 0) return { reserved: false, after: before };
    return { reserved: true, after: this.record(key, now) };
  }

  record(key: string, now = performance.now()): AuthKeyState {
    const times = this.#recent(key, now);
    times.push(now);
    this.#failures.delete(key);
    this.#failures.set(key, times);
    if (times.length >= this.rule.maxFailures) this.#blockedUntil.set(key, now + this.rule.cooldownMs);
    if (this.#failures.size > this.maxKeys) this.#forgetOldest();
    return this.state(key, now);
  }

  clear(key: string): void {
    this.#failures.delete(key);
    this.#blockedUntil.delete(key);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => t > now - this.rule.windowMs);
  }

  #forgetOldest(): void {
    const oldest = this.#failures.keys().next().value;
    if (oldest !== undefined) this.clear(oldest);
  }
}
