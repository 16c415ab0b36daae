/** Header: the lock word and the capacity of each thread's table; then one region per thread. */
const LOCK = 0;
const CAPACITY = 1;
const HEADER = 2;
/** An entry: two 32-bit hashes of the source address and its count; count 0 = empty. */
const ENTRY = 3;
/** Spins before a contended lock sleeps (the holder is most likely descheduled then). */
const SPINS = 100;
/** A thread's table never grows past this many entries (so never past this many sources in progress). */
const MAX_CAPACITY = 1 << 13;

/**
 * The hash gate's tickets (hash-gate.ts): how many sign-in attempts are in progress, per source
 * address and in all. With `ldap.workers` > 1 the main thread and every LDAP worker thread count in
 * one SharedArrayBuffer, so `auth_throttle.max_pending_per_source` and `max_pending` hold for the
 * daemon as documented (docs/ldap.md "Busy"), not once per thread.
 *
 * Each thread counts its own tickets in its own region (a small open-addressing table keyed by two
 * 32-bit hashes of the address), and a take sums every region under one lock. Per-thread regions
 * let the main thread forget a worker's tickets at once when that worker dies (`forget`), so a
 * crash never leaks places. The lock is held for a few array reads; it spins briefly, then sleeps
 * with Atomics.wait (a holder descheduled on a busy machine must not be spun against).
 */
export class GateTickets {
  private readonly words: Int32Array;
  private readonly capacity: number;
  private readonly threads: number;

  /** A zeroed table for `threads` threads (main = 0, worker i = i) holding up to `maxTotal` tickets. */
  static allocate(threads: number, maxTotal: number): SharedArrayBuffer {
    const capacity = capacityFor(maxTotal);
    const buffer = new SharedArrayBuffer((HEADER + threads * regionSize(capacity)) * Int32Array.BYTES_PER_ELEMENT);
    new Int32Array(buffer)[CAPACITY] = capacity;
    return buffer;
  }

  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly thread: number,
  ) {
    this.words = new Int32Array(buffer);
    this.capacity = this.words[CAPACITY] ?? 0;
    this.threads = (this.words.length - HEADER) / regionSize(this.capacity);
    if (!Number.isInteger(this.threads) || thread < 0 || thread >= this.threads) throw new RangeError(`no ticket region for thread ${thread}`);
  }

  /** Counts a ticket for `source` in unless it would pass a cap (then counts nothing: busy). */
  take(source: string, maxPerSource: number, maxTotal: number): boolean {
    const [h1, h2] = hashes(source);
    return this.locked(() => {
      let total = 0;
      let mine = 0;
      for (let t = 0; t < this.threads; t++) {
        total += this.words[this.base(t)] ?? 0;
        const at = this.find(t, h1, h2);
        mine += at < 0 ? 0 : (this.words[at + 2] ?? 0);
      }
      if (total >= maxTotal || mine >= maxPerSource) return false;
      const own = this.find(this.thread, h1, h2, true);
      if (own < 0) return false; // this thread's table is full: refuse rather than miscount
      this.words[own] = h1;
      this.words[own + 1] = h2;
      this.words[own + 2] = (this.words[own + 2] ?? 0) + 1;
      this.words[this.base(this.thread)] = (this.words[this.base(this.thread)] ?? 0) + 1;
      return true;
    });
  }

  /** Gives back one ticket of `source` taken by this thread. */
  release(source: string): void {
    const [h1, h2] = hashes(source);
    this.locked(() => {
      const at = this.find(this.thread, h1, h2);
      if (at < 0) return;
      this.words[this.base(this.thread)] = (this.words[this.base(this.thread)] ?? 1) - 1;
      const left = (this.words[at + 2] ?? 1) - 1;
      this.words[at + 2] = left;
      if (left === 0) this.removeAt(this.thread, (at - this.base(this.thread) - 1) / ENTRY);
    });
  }

  /** Drops every ticket `thread` held (it died): called by the main thread only. */
  forget(thread: number): void {
    this.locked(() => this.words.fill(0, this.base(thread), this.base(thread) + regionSize(this.capacity)));
  }

  /** Tickets in progress for the whole daemon. */
  get total(): number {
    return this.locked(() => {
      let total = 0;
      for (let t = 0; t < this.threads; t++) total += this.words[this.base(t)] ?? 0;
      return total;
    });
  }

  private base(thread: number): number {
    return HEADER + thread * regionSize(this.capacity);
  }

  /** The index of `(h1, h2)`'s entry in `thread`'s region; with `orEmpty`, of the empty entry it would take; −1 if none. */
  private find(thread: number, h1: number, h2: number, orEmpty = false): number {
    const first = this.base(thread) + 1;
    const mask = this.capacity - 1;
    for (let probe = 0, i = h1 & mask; probe < this.capacity; probe++, i = (i + 1) & mask) {
      const at = first + i * ENTRY;
      if (this.words[at + 2] === 0) return orEmpty ? at : -1;
      if (this.words[at] === h1 && this.words[at + 1] === h2) return at;
    }
    return -1;
  }

  /** Empties entry `slot` and shifts later entries of its probe run back (linear probing without tombstones). */
  private removeAt(thread: number, slot: number): void {
    const first = this.base(thread) + 1;
    const mask = this.capacity - 1;
    const w = this.words;
    let hole = slot;
    for (let j = (slot + 1) & mask; w[first + j * ENTRY + 2] !== 0; j = (j + 1) & mask) {
      const home = (w[first + j * ENTRY] ?? 0) & mask;
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      w.copyWithin(first + hole * ENTRY, first + j * ENTRY, first + j * ENTRY + ENTRY);
      hole = j;
    }
    w.fill(0, first + hole * ENTRY, first + hole * ENTRY + ENTRY);
  }

  private locked<T>(fn: () => T): T {
    lock(this.words);
    try {
      return fn();
    } finally {
      unlock(this.words);
    }
  }
}

const regionSize = (capacity: number): number => 1 + capacity * ENTRY;

/** Twice the most sources that can hold a ticket at once (load ≤ 1/2), a power of two. */
function capacityFor(maxTotal: number): number {
  let capacity = 16;
  while (capacity < 2 * maxTotal && capacity < MAX_CAPACITY) capacity *= 2;
  return capacity;
}

/** Two FNV-1a variants: a 64-bit key, so two addresses are never counted together in practice. */
function hashes(source: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return [a | 0, b | 0];
}

/** A futex-style mutex (0 free, 1 held, 2 held with sleepers), after Drepper's "Futexes Are Tricky". */
function lock(words: Int32Array): void {
  let state = Atomics.compareExchange(words, LOCK, 0, 1);
  for (let spin = 0; state !== 0 && spin < SPINS; spin++) state = Atomics.compareExchange(words, LOCK, 0, 1);
  if (state === 0) return;
  if (state !== 2) state = Atomics.exchange(words, LOCK, 2);
  while (state !== 0) {
    Atomics.wait(words, LOCK, 2, 10);
    state = Atomics.exchange(words, LOCK, 2);
  }
}

function unlock(words: Int32Array): void {
  if (Atomics.exchange(words, LOCK, 0) === 2) Atomics.notify(words, LOCK, 1);
}
