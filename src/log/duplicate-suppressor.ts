/**
 * Lets the first `burst` lines of one kind through per window and counts the rest, so a brute-force
 * attack (thousands of identical failed binds) cannot fill the disk while a real problem still shows
 * in full. When a window with suppressed lines ends, `flush` reports the count once, e.g. "1,234 more
 * like this from 203.0.113.9". Keys are kept only for the current window (bounded by `maxKeys`).
 */
export interface SuppressorOptions {
  readonly burst: number;
  readonly windowMs: number;
  /** Beyond this many distinct keys in one window, new keys share one "other" budget. */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

interface Slot {
  startedAt: number;
  passed: number;
  suppressed: number;
  sample: object;
}

export class DuplicateSuppressor {
  private readonly slots = new Map<string, Slot>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: SuppressorOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** True when the line may be written; `sample` describes the kind in the later summary. */
  admit(key: string, sample: object, report: (sample: object, suppressed: number) => void): boolean {
    const t = this.now();
    const k = this.slots.has(key) || this.slots.size < this.maxKeys ? key : '\u0000other';
    let slot = this.slots.get(k);
    if (slot !== undefined && t - slot.startedAt >= this.options.windowMs) {
      if (slot.suppressed > 0) report(slot.sample, slot.suppressed);
      this.slots.delete(k);
      slot = undefined;
    }
    if (slot === undefined) this.slots.set(k, (slot = { startedAt: t, passed: 0, suppressed: 0, sample }));
    if (slot.passed < this.options.burst) {
      slot.passed += 1;
      return true;
    }
    slot.suppressed += 1;
    return false;
  }

  /** Reports and forgets every window that has ended (call from a timer). */
  flush(report: (sample: object, suppressed: number) => void, all = false): void {
    const t = this.now();
    for (const [key, slot] of this.slots) {
      if (!all && t - slot.startedAt < this.options.windowMs) continue;
      if (slot.suppressed > 0) report(slot.sample, slot.suppressed);
      this.slots.delete(key);
    }
  }
}
