import type { SearchEntry } from '../../domain/entry.js';
import { selectAttributes, type AttributeSelection } from './attribute-selection.js';
import { AppEncodedBudget } from './app-encoded-budget.js';
import { ComputedAttributes } from './computed-attributes.js';
import type { EncodedSlots, ViewEntry } from './view-entry.js';

/** Encodes one SearchResultEntry body; injected by the LDAP layer (the view never imports it). */
export type EntryEncoder = (entry: SearchEntry, typesOnly: boolean) => Buffer;

export interface EncodedCacheOptions {
  /** Cached selections per entry; the oldest is dropped beyond it. Default 3. */
  readonly perEntry?: number;
  /** Total cached bytes of global answers; past it, entries are encoded but not kept. Default 256 MiB. */
  readonly maxBytes?: number;
  /** Re-based (application view) answers may take this share of the global answers' bytes. Default 0.25. */
  readonly rebasedShare?: number;
  /** ...but at least this many bytes. Default 8 MiB. */
  readonly rebasedMinBytes?: number;
}

/** Keys of re-based encodings start with it (app-entries.ts); a selection's own key never does. */
export const REBASED_KEY_PREFIX = 'app:';
const isRebasedKey = (key: string): boolean => key.startsWith(REBASED_KEY_PREFIX);

/** Bytes per slab the cached bodies are copied into (see `keep`). */
const SLAB_BYTES = 64 * 1024;

/**
 * Encoded entries per attribute selection. Bytes live on the ViewEntry, which is replaced on any
 * change, so invalidation is automatic; `release` returns a replaced entry's bytes to the budget.
 * The one exception, a user's team-derived memberOf (user-entry.ts), moves the attributes'
 * generation instead: bytes of an older generation are dropped when the entry is next encoded.
 *
 * Applications' re-based images of users (app-entries.ts) are kept on the global entry too, so
 * they go with it, but count against a budget of their own (app-encoded-budget.ts) that evicts
 * the oldest: without it, clients of several applications open to everyone, each reading its
 * view, filled every entry's slots and tripled the cache (issue 16, bench/app-view.ts).
 *
 * Memory: an entry's encodings are held in one small array (key, bytes, key, bytes...) rather
 * than a Map, and small bodies are copied into 64 KiB slabs of the cache's own. An encoder's
 * small result is a slice of Node's shared 8 KiB allocation pool, and keeping it would keep the
 * whole pool slab alive, with whatever short-lived buffers (responses, requests) were cut from it
 * too: under a long run of point searches that pinned several KiB per cached entry. Re-based
 * bodies, evicted in order, get slabs apart from the long-lived global ones.
 */
export class EncodedCache {
  private bytes = 0;
  /** Entries already released: a cursor may still encode them, but they are not cached again. */
  private readonly released = new WeakSet<ViewEntry>();
  hits = 0;
  misses = 0;
  private readonly perEntry: number;
  private readonly maxBytes: number;
  private readonly rebased: AppEncodedBudget;
  private readonly globalSlabs = new Slabs();
  private readonly rebasedSlabs = new Slabs();

  constructor(private readonly encode: EntryEncoder, options: EncodedCacheOptions = {}) {
    this.perEntry = options.perEntry ?? 3;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    const slots = { holds: (owner: ViewEntry, key: string) => find(owner.encoded, key) !== undefined, evict: (owner: ViewEntry, key: string) => removeSlot(owner, key) };
    this.rebased = new AppEncodedBudget(slots, options.rebasedShare ?? 0.25, options.rebasedMinBytes ?? 8 * 1024 * 1024);
  }

  get(entry: ViewEntry, selection: AttributeSelection): Buffer {
    return this.lookup(entry, entry, selection, false);
  }

  /**
   * `shown`'s encoding, kept on `owner` (the view entry it is derived from, released with it)
   * under `selection`'s key, which starts with REBASED_KEY_PREFIX: an application's re-based
   * image of a user (app-entries.ts), within the re-based budget.
   */
  getRebased(owner: ViewEntry, shown: ViewEntry, selection: AttributeSelection): Buffer {
    return this.lookup(owner, shown, selection, true);
  }

  private lookup(entry: ViewEntry, shown: ViewEntry, selection: AttributeSelection, rebased: boolean): Buffer {
    const key = selection.key;
    const generation = entry.attributes instanceof ComputedAttributes ? entry.attributes.generation : 0;
    if (entry.encoded !== undefined && entry.encodedAt !== generation) this.drop(entry);
    const held = find(entry.encoded, key);
    if (held !== undefined) {
      this.hits++;
      return held;
    }
    this.misses++;
    const body = this.encode({ objectName: shown.dn, attributes: selectAttributes(shown, selection) }, selection.typesOnly);
    if (this.released.has(entry)) return body;
    if (rebased ? !this.rebased.admit(entry, key, body.length, this.bytes) : this.bytes + body.length > this.maxBytes) return body;
    const slots = (entry.encoded ??= []);
    entry.encodedAt = generation;
    this.makeRoom(slots, rebased);
    const kept = (rebased ? this.rebasedSlabs : this.globalSlabs).keep(body);
    slots.push(key, kept);
    if (rebased) this.rebased.added(entry, key, kept.length);
    else this.bytes += kept.length;
    return kept;
  }

  /** At most `perEntry` encodings of each kind per entry: the oldest of the kind goes. */
  private makeRoom(slots: EncodedSlots, rebased: boolean): void {
    let count = 0;
    let oldest = -1;
    for (let i = 0; i < slots.length; i += 2) {
      if (isRebasedKey(slots[i] as string) !== rebased) continue;
      if (oldest < 0) oldest = i;
      count++;
    }
    if (count < this.perEntry) return;
    this.forget(slots[oldest] as string, (slots.splice(oldest, 2)[1] as Buffer).length);
  }

  private forget(key: string, length: number): void {
    if (isRebasedKey(key)) this.rebased.removed(length);
    else this.bytes -= length;
  }

  /** Encodes without keeping the bytes (entries made for one search). */
  encodeOnly(entry: ViewEntry, selection: AttributeSelection): Buffer {
    return this.encode({ objectName: entry.dn, attributes: selectAttributes(entry, selection) }, selection.typesOnly);
  }

  /** An entry left the view: its cached bytes no longer count. */
  release(entry: ViewEntry): void {
    this.released.add(entry);
    this.drop(entry);
  }

  /** Bytes held for `entry` (what `size` counts for it). */
  static heldBy(entry: ViewEntry): number {
    let n = 0;
    for (let i = 1; i < (entry.encoded?.length ?? 0); i += 2) n += (entry.encoded?.[i] as Buffer).length;
    return n;
  }

  /** Forgets an entry's cached bytes (it left the view, or they are of an older generation). */
  private drop(entry: ViewEntry): void {
    const slots = entry.encoded;
    if (slots === undefined) return;
    for (let i = 0; i < slots.length; i += 2) this.forget(slots[i] as string, (slots[i + 1] as Buffer).length);
    entry.encoded = undefined;
  }

  /** After a full reload every old entry is garbage. */
  reset(): void {
    this.bytes = 0;
    this.rebased.reset();
  }

  /** Bytes held, global and re-based. */
  get size(): number {
    return this.bytes + this.rebased.bytes;
  }

  /** Bytes held for applications' re-based answers (part of `size`). */
  get rebasedSize(): number {
    return this.rebased.bytes;
  }
}

/** 64 KiB slabs small bodies are copied into (see EncodedCache). */
class Slabs {
  private slab: Buffer | undefined;
  private used = 0;

  /**
   * A body that owns its memory is kept as it is; a slice of a shared buffer is copied into the
   * current slab (a new slab when it is full). A slab is freed by the garbage collector once no
   * body cut from it is held any more.
   */
  keep(body: Buffer): Buffer {
    if (body.byteOffset === 0 && body.buffer.byteLength === body.length) return body;
    if (body.length > SLAB_BYTES / 8) return Buffer.from(body);
    if (this.slab === undefined || this.used + body.length > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.used = 0;
    }
    const at = this.used;
    body.copy(this.slab, at);
    this.used += body.length;
    return this.slab.subarray(at, at + body.length);
  }
}

function find(slots: EncodedSlots | undefined, key: string): Buffer | undefined {
  if (slots === undefined) return undefined;
  for (let i = 0; i < slots.length; i += 2) if (slots[i] === key) return slots[i + 1] as Buffer;
  return undefined;
}

/** Removes `owner`'s encoding under `key`; the bytes freed (0: not held). */
function removeSlot(owner: ViewEntry, key: string): number {
  const slots = owner.encoded;
  if (slots === undefined) return 0;
  for (let i = 0; i < slots.length; i += 2) if (slots[i] === key) return (slots.splice(i, 2)[1] as Buffer).length;
  return 0;
}
