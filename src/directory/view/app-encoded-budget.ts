import type { ViewEntry } from './view-entry.js';

/** Refused answers remembered while the budget is full (see `admit`). */
const DOORKEEPER = 4096;

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
 * `share` of the global answers' bytes (at least `minBytes`). Past it, an answer missed twice
 * in a short while is kept, evicting the oldest re-based encodings (a FIFO queue of owner and key): a working set
 * that fits is encoded once, one that does not is kept in part, and the global answers are
 * never evicted for it.
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
  /** Answers refused while full, by owner (see `admit`); cleared when it reaches DOORKEEPER. */
  private refused = new Map<ViewEntry, string>();

  constructor(
    private readonly slots: EncodedSlotOwner,
    private readonly share: number,
    private readonly minBytes: number,
  ) {}

  limit(globalBytes: number): number {
    return Math.max(this.minBytes, globalBytes * this.share);
  }

  /**
   * Makes room for `owner`'s answer under `key`, evicting the oldest; false if it is not to be
   * kept. When full, only an answer missed a second time within the last DOORKEEPER misses gets
   * in: a client reading a whole view would otherwise replace every held answer with ones read
   * once, and the memory churned through (hundreds of MB for 50 views of 100,000 users) left RSS
   * far above the bytes held (+36.7% against +2.3%, bench/app-view.ts).
   */
  admit(owner: ViewEntry, key: string, length: number, globalBytes: number): boolean {
    const limit = this.limit(globalBytes);
    if (length > limit) return false;
    if (this.bytes + length > limit && !this.missedBefore(owner, key)) return false;
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
    this.refused.clear();
  }

  /** Whether `owner`'s answer under `key` was refused recently; remembers it if not. */
  private missedBefore(owner: ViewEntry, key: string): boolean {
    if (this.refused.get(owner) === key) return true;
    if (this.refused.size >= DOORKEEPER) this.refused.clear();
    this.refused.set(owner, key);
    return false;
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
