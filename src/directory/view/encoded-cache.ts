import type { SearchEntry } from '../../domain/entry.js';
import { selectAttributes, type AttributeSelection } from './attribute-selection.js';
import { ComputedAttributes } from './computed-attributes.js';
import type { EncodedSlots, ViewEntry } from './view-entry.js';

/** Encodes one SearchResultEntry body; injected by the LDAP layer (the view never imports it). */
export type EntryEncoder = (entry: SearchEntry, typesOnly: boolean) => Buffer;

export interface EncodedCacheOptions {
  /** Cached selections per entry; the oldest is dropped beyond it. Default 3. */
  readonly perEntry?: number;
  /** Total cached bytes; past it, entries are encoded but not kept. Default 256 MiB. */
  readonly maxBytes?: number;
}

/** Bytes per slab the cached bodies are copied into (see `keep`). */
const SLAB_BYTES = 64 * 1024;

/**
 * Encoded entries per attribute selection. Bytes live on the ViewEntry, which is replaced on any
 * change, so invalidation is automatic; `release` returns a replaced entry's bytes to the budget.
 * The one exception, a user's team-derived memberOf (user-entry.ts), moves the attributes'
 * generation instead: bytes of an older generation are dropped when the entry is next encoded.
 *
 * Memory: an entry's encodings are held in one small array (key, bytes, key, bytes...) rather
 * than a Map, and small bodies are copied into 64 KiB slabs of the cache's own. An encoder's
 * small result is a slice of Node's shared 8 KiB allocation pool, and keeping it would keep the
 * whole pool slab alive, with whatever short-lived buffers (responses, requests) were cut from it
 * too: under a long run of point searches that pinned several KiB per cached entry.
 */
export class EncodedCache {
  private bytes = 0;
  /** Entries already released: a cursor may still encode them, but they are not cached again. */
  private readonly released = new WeakSet<ViewEntry>();
  hits = 0;
  misses = 0;
  private readonly perEntry: number;
  private readonly maxBytes: number;
  private slab: Buffer | undefined;
  private slabUsed = 0;

  constructor(private readonly encode: EntryEncoder, options: EncodedCacheOptions = {}) {
    this.perEntry = options.perEntry ?? 3;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  get(entry: ViewEntry, selection: AttributeSelection): Buffer {
    return this.getFor(entry, '', entry, selection);
  }

  /**
   * `shown`'s encoding, kept on `owner` (the view entry it is derived from, released with it)
   * under `prefix` + the selection: an application's re-based image of a user (app-entries.ts).
   */
  getFor(owner: ViewEntry, prefix: string, shown: ViewEntry, selection: AttributeSelection): Buffer {
    const key = prefix === '' ? selection.key : `${prefix}\u0000${selection.key}`;
    const entry = owner;
    const generation = entry.attributes instanceof ComputedAttributes ? entry.attributes.generation : 0;
    if (entry.encoded !== undefined && entry.encodedAt !== generation) this.drop(entry);
    const held = find(entry.encoded, key);
    if (held !== undefined) {
      this.hits++;
      return held;
    }
    this.misses++;
    const body = this.encode({ objectName: shown.dn, attributes: selectAttributes(shown, selection) }, selection.typesOnly);
    if (this.bytes + body.length > this.maxBytes || this.released.has(entry)) return body;
    const slots = (entry.encoded ??= []);
    entry.encodedAt = generation;
    if (slots.length >= 2 * this.perEntry) this.bytes -= (slots.splice(0, 2)[1] as Buffer).length;
    const kept = this.keep(body);
    slots.push(key, kept);
    this.bytes += kept.length;
    return kept;
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

  /**
   * A body that owns its memory is kept as it is; a slice of a shared buffer is copied into the
   * current slab (a new slab when it is full). A slab is freed by the garbage collector once no
   * body cut from it is held any more.
   */
  private keep(body: Buffer): Buffer {
    if (body.byteOffset === 0 && body.buffer.byteLength === body.length) return body;
    if (body.length > SLAB_BYTES / 8) return Buffer.from(body);
    if (this.slab === undefined || this.slabUsed + body.length > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.slabUsed = 0;
    }
    const at = this.slabUsed;
    body.copy(this.slab, at);
    this.slabUsed += body.length;
    return this.slab.subarray(at, at + body.length);
  }

  /** Forgets an entry's cached bytes (it left the view, or they are of an older generation). */
  private drop(entry: ViewEntry): void {
    if (entry.encoded === undefined) return;
    this.bytes -= EncodedCache.heldBy(entry);
    entry.encoded = undefined;
  }

  /** After a full reload every old entry is garbage. */
  reset(): void {
    this.bytes = 0;
  }

  get size(): number {
    return this.bytes;
  }
}

function find(slots: EncodedSlots | undefined, key: string): Buffer | undefined {
  if (slots === undefined) return undefined;
  for (let i = 0; i < slots.length; i += 2) if (slots[i] === key) return slots[i + 1] as Buffer;
  return undefined;
}
