/**
 * A read-only attribute map whose values are computed on demand from a record instead of being
 * stored: at 100,000 users a Map plus one array per attribute costs ~3 KB an entry, this ~100
 * bytes. Entries are immutable (but for `generation` below), so computing again gives equal values; callers must not
 * rely on array identity (the evaluator's per-array key cache then simply recomputes).
 */
export abstract class ComputedAttributes implements ReadonlyMap<string, readonly string[]> {
  /** Every key this kind of entry may have, in output order. */
  protected abstract readonly order: readonly string[];

  /**
   * Moves when values may change without the entry being replaced (a user's team-derived
   * memberOf: user-entry.ts); cached encodings of an older generation are not served.
   */
  get generation(): number {
    return 0;
  }

  /** The values of `key` (lower-case canonical name), or undefined when the entry has none. */
  abstract get(key: string): readonly string[] | undefined;

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get size(): number {
    let n = 0;
    for (const key of this.order) if (this.get(key) !== undefined) n++;
    return n;
  }

  /** Built as one array: iterating a generator costs several times more per entry. */
  entries(): MapIterator<[string, readonly string[]]> {
    const out: [string, readonly string[]][] = [];
    for (const key of this.order) {
      const values = this.get(key);
      if (values !== undefined) out.push([key, values]);
    }
    return out[Symbol.iterator]();
  }

  keys(): MapIterator<string> {
    return [...this.entries()].map(([key]) => key)[Symbol.iterator]();
  }

  values(): MapIterator<readonly string[]> {
    return [...this.entries()].map(([, values]) => values)[Symbol.iterator]();
  }

  forEach(fn: (values: readonly string[], key: string, map: ReadonlyMap<string, readonly string[]>) => void, thisArg?: unknown): void {
    for (const [key, values] of this.entries()) fn.call(thisArg, values, key, this);
  }

  [Symbol.iterator](): MapIterator<[string, readonly string[]]> {
    return this.entries();
  }
}
