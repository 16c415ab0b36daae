import type { SearchEntry } from '../../domain/entry.js';
import { selectAttributes, type AttributeSelection } from './attribute-selection.js';
import { ComputedAttributes } from './computed-attributes.js';
import type { ViewEntry } from './view-entry.js';

/** Encodes one SearchResultEntry body; injected by the LDAP layer (the view never imports it). */
export type EntryEncoder = (entry: SearchEntry, typesOnly: boolean) => Buffer;

export interface EncodedCacheOptions {
  /** Cached selections per entry; the oldest is dropped beyond it. Default 3. */
  readonly perEntry?: number;
  /** Total cached bytes; past it, entries are encoded but not kept. Default 256 MiB. */
  readonly maxBytes?: number;
}

/**
 * Encoded entries per attribute selection. Bytes live on the ViewEntry, which is replaced on any
 * change, so invalidation is automatic; `release` returns a replaced entry's bytes to the budget.
 * The one exception, a user's team-derived memberOf (user-entry.ts), moves the attributes'
 * generation instead: bytes of an older generation are dropped when the entry is next encoded.
 */
export class EncodedCache {
  private bytes = 0;
  /** Entries already released: a cursor may still encode them, but they are not cached again. */
  private readonly released = new WeakSet<ViewEntry>();
  hits = 0;
  misses = 0;
  private readonly perEntry: number;
  private readonly maxBytes: number;

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
    const held = entry.encoded?.get(key);
    if (held !== undefined) {
      this.hits++;
      return held;
    }
    this.misses++;
    const body = this.encode({ objectName: shown.dn, attributes: selectAttributes(shown, selection) }, selection.typesOnly);
    if (this.bytes + body.length > this.maxBytes || this.released.has(entry)) return body;
    const cache = (entry.encoded ??= new Map());
    entry.encodedAt = generation;
    if (cache.size >= this.perEntry) {
      const [oldest, buffer] = cache.entries().next().value as [string, Buffer];
      cache.delete(oldest);
      this.bytes -= buffer.length;
    }
    cache.set(key, body);
    this.bytes += body.length;
    return body;
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

  /** Forgets an entry's cached bytes (it left the view, or they are of an older generation). */
  private drop(entry: ViewEntry): void {
    if (entry.encoded === undefined) return;
    for (const buffer of entry.encoded.values()) this.bytes -= buffer.length;
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
