import type { ViewEntry } from './view-entry.js';

/** What the budget asks of the encoded cache, which owns the slots on the entries. */
export interface EncodedSlotOwner {
  /** Whether `owner` still holds an encoding under `key`. */
  holds(owner: ViewEntry, key: string): boolean;
  /** Removes `owner`'s encoding under `key`, if still held; returns the bytes freed. */
  evict(owner: ViewEntry, key: string): number;
}

/**
 * The byte budget of applications' re-based encodings (issue 16), kept apart from the global
 * answers' so that clients reading many application views cannot multiply the cache: at most
 * `share` of the global answers' bytes (at least `minBytes`). Past it, the oldest re-based
 * encodings are evicted first (a FIFO queue of owner and key): a hot working set is encoded
 * again at most once per turn of the queue, and the global answers are never evicted for it.
 *
 * The queue only names slots; the bytes stay on the entries, so a change still drops them
 * (encoded-cache.ts). Names of slots dropped that way stay queued until they come round, or
 * until the queue holds twice as many names as live slots, when it is compacted.
 */
export class AppEncodedBudget {
  bytes = 0;
  /** Re-based encodings currently held. */
  private live = 0;
  private owners: (ViewEntry | undefined)[] = [];
  private keys: string[] = [];
  private head = 0;
  private compactAt = 1024;

  constructor(
    private readonly slots: EncodedSlotOwner,
    private readonly share: number,
    private readonly minBytes: number,
  ) {}

  limit(globalBytes: number): number {
    return Math.max(this.minBytes, globalBytes * this.share);
  }

  /** Makes room for `length` bytes, evicting the oldest encodings; false if it cannot fit. */
  admit(length: number, globalBytes: number): boolean {
    const limit = this.limit(globalBytes);
    if (length > limit) return false;
    while (this.bytes + length > limit && this.head < this.owners.length) this.evictOldest();
    return this.bytes + length <= limit;
  }

  added(owner: ViewEntry, key: string, length: number): void {
    this.owners.push(owner);
    this.keys.push(key);
    this.bytes += length;
    this.live++;
    if (this.owners.length - this.head > this.compactAt) this.compact();
  }

  /** An encoding left its entry some other way (the entry changed or left the view). */
  removed(length: number): void {
    this.bytes -= length;
    this.live--;
  }

  reset(): void {
    this.bytes = 0;
    this.live = 0;
    this.owners = [];
    this.keys = [];
    this.head = 0;
  }

  private evictOldest(): void {
    const owner = this.owners[this.head];
    const key = this.keys[this.head] as string;
    this.owners[this.head] = undefined; // no longer kept alive by the queue
    this.head++;
    if (owner !== undefined) {
      const freed = this.slots.evict(owner, key);
      if (freed > 0) this.removed(freed);
    }
    if (this.head > 4096 && this.head * 2 > this.owners.length) this.compact();
  }

  /** Keeps the newest name of each slot still held, oldest first. */
  private compact(): void {
    const seen = new Map<ViewEntry, string[]>();
    const owners: ViewEntry[] = [];
    const keys: string[] = [];
    for (let i = this.owners.length - 1; i >= this.head; i--) {
      const owner = this.owners[i];
      const key = this.keys[i] as string;
      if (owner === undefined || !this.slots.holds(owner, key)) continue;
      const held = seen.get(owner);
      if (held?.includes(key)) continue;
      if (held === undefined) seen.set(owner, [key]);
      else held.push(key);
      owners.push(owner);
      keys.push(key);
    }
    this.owners = owners.reverse();
    this.keys = keys.reverse();
    this.head = 0;
    this.compactAt = Math.max(1024, 2 * Math.max(this.live, this.owners.length));
  }
}
