import type { AttributeSelection, DirectoryView, SearchCursor } from '../../directory/view/index.js';
import { compileSelection, selectAttributes } from '../../directory/view/index.js';
import type { Entry } from '../../domain/entry.js';
import { encodeEntryBody, PduBatch } from '../codec/index.js';
import type { ResponseSink } from '../server/ldap-handler.js';

/** Bytes gathered before a socket write: big enough to amortise, small enough to stream. */
const FLUSH_BYTES = 256 * 1024;
/**
 * Chunks over 1 MB (a group of 100,000 members encodes to ~15 MB) are written in slices with
 * backpressure between them: one write of the whole body would park a copy of it (and its TLS
 * records) in every slow connection's buffer, which at 32 concurrent listings is gigabytes.
 */
const SLICE_BYTES = 256 * 1024;

/**
 * Streams SearchResultEntry PDUs for one search: cached entry bodies are wrapped into shared
 * chunks (PduBatch) and written with backpressure, and the search stops as soon as the client
 * abandons it or goes away.
 */
export class SearchWriter {
  private readonly batch = new PduBatch();
  /** SearchResultEntry PDUs queued so far (the access log's `entries`). */
  sent = 0;

  constructor(
    private readonly messageId: number,
    private readonly out: ResponseSink,
    private readonly signal: { readonly aborted: boolean },
    private readonly view: DirectoryView,
  ) {}

  get stopped(): boolean {
    return this.signal.aborted || this.out.closed;
  }

  /**
   * Sends up to `max` entries from the cursor; returns how many were sent. Synchronous unless the
   * socket asked to wait (then a promise): a point search answers without a promise or a microtask.
   */
  entries(cursor: SearchCursor, max: number, selection: AttributeSelection): number | Promise<number> {
    let sent = 0;
    while (sent < max && !this.stopped) {
      const entry = cursor.next();
      if (entry === undefined) break;
      this.batch.pushMessage(this.messageId, this.view.encoded(entry, selection));
      sent++;
      this.sent++;
      if (this.batch.size >= FLUSH_BYTES) {
        const waiting = this.flush();
        if (waiting !== undefined) return this.resume(waiting, cursor, max - sent, selection, sent);
      }
    }
    return sent;
  }

  private async resume(waiting: Promise<void>, cursor: SearchCursor, max: number, selection: AttributeSelection, before: number): Promise<number> {
    await waiting;
    return before + (await this.entries(cursor, max, selection));
  }

  /** rootDSE and subschema: all their attributes for `*`/`+`/none named (see root-dse docs). */
  special(entry: Entry, attributes: readonly string[], typesOnly: boolean): void {
    const selection = compileSelection(attributes, typesOnly);
    const everything = selection.allUser || selection.allOperational;
    const all = { ...selection, allUser: everything, allOperational: everything };
    const attrs = selectAttributes(entry, all);
    this.batch.pushMessage(this.messageId, encodeEntryBody({ objectName: entry.dn, attributes: attrs }, typesOnly));
    this.sent++;
  }

  /** Queues the final PDU and writes everything gathered; a promise only when the socket asked to wait. */
  finish(done: Buffer): Promise<void> | undefined {
    if (!this.stopped) this.batch.push(done);
    return this.flush();
  }

  /** Writes what is gathered; undefined when all of it went out, else a promise for the rest. */
  private flush(): Promise<void> | undefined {
    return this.write(this.batch.drain(), 0, 0);
  }

  /** Writes `chunks` from chunk `first`, byte `at`, waiting for the socket whenever it asks. */
  private write(chunks: readonly Buffer[], first: number, at: number): Promise<void> | undefined {
    for (let i = first; i < chunks.length; i++) {
      const chunk = chunks[i] as Buffer;
      const step = chunk.length <= 4 * SLICE_BYTES ? chunk.length : SLICE_BYTES;
      for (let pos = i === first ? at : 0; pos < chunk.length; pos += step) {
        if (this.stopped) return undefined;
        const slice = step === chunk.length ? chunk : chunk.subarray(pos, pos + step);
        if (!this.out.send(slice)) {
          const next = pos + step;
          return this.out.drained().then(() => this.write(chunks, i, next));
        }
      }
    }
    return undefined;
  }
}
