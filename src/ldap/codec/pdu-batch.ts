import type { Control } from '../protocol.js';
import { encodeMessage, envelopeSize, putEnvelope } from './encode-message.js';

/** The first chunk's size: under Buffer.poolSize / 2, so allocUnsafe takes it from the pool. */
const FIRST_BYTES = 1024;
/** Room kept after a first PDU: a SearchResultDone with a short diagnostic and a paging cookie. */
const DONE_ROOM = 256;

/**
 * Gathers the PDUs of one response burst (e.g. a page of search entries and its SearchResultDone)
 * into as few buffers as possible, so the connection issues one socket write per chunk instead of
 * one per PDU. Small PDUs are copied into shared chunk buffers; PDUs of a chunk or more are passed
 * through untouched. `pushMessage` writes the LDAPMessage envelope of a cached entry body straight
 * into the chunk, so serving a cached entry costs one copy of its bytes and no allocation.
 */
export class PduBatch {
  private chunk: Buffer | undefined;
  private begin = 0; // start of the part of `chunk` not yet handed out
  private used = 0;
  private readonly out: Buffer[] = [];
  private nextBytes: number;

  constructor(private readonly chunkBytes = 64 * 1024) {
    this.nextBytes = Math.min(FIRST_BYTES, chunkBytes);
  }

  /** A complete PDU. */
  push(pdu: Buffer): void {
    if (pdu.length >= this.chunkBytes) {
      this.seal();
      this.out.push(pdu);
      return;
    }
    const at = this.reserve(pdu.length);
    pdu.copy(this.chunk as Buffer, at);
  }

  /**
   * A cached protocolOp (e.g. from `encodeEntryBody`) wrapped for `messageId`: same bytes as
   * `encodeMessage`. A body of a chunk or more (a group of thousands of members) is not copied:
   * its envelope ends the current chunk and the body itself follows (cached bodies are never
   * written to), which spares a copy and a buffer of its size per answer.
   */
  pushMessage(messageId: number, body: Buffer, controls?: readonly Control[]): void {
    const header = envelopeSize(messageId, body.length);
    if (controls !== undefined && controls.length > 0) {
      this.push(encodeMessage(messageId, body, controls));
      return;
    }
    if (header + body.length >= this.chunkBytes) {
      const at = this.reserve(header);
      putEnvelope(this.chunk as Buffer, at, messageId, body.length);
      this.seal();
      this.out.push(body);
      return;
    }
    const at = this.reserve(header + body.length);
    const chunk = this.chunk as Buffer;
    body.copy(chunk, putEnvelope(chunk, at, messageId, body.length));
  }

  /** Total bytes pushed and not yet drained. */
  get size(): number {
    let n = this.used - this.begin;
    for (const c of this.out) n += c.length;
    return n;
  }

  /** The buffers to write, in order; the batch is empty afterwards. */
  drain(): Buffer[] {
    this.seal();
    return this.out.splice(0);
  }

  /** Room for `n` (< chunkBytes) octets in the current chunk; returns where they go. */
  private reserve(n: number): number {
    if (this.chunk === undefined || this.used + n > this.chunk.length) {
      this.seal();
      // Start small and double: a point search's one entry should not cost a 64 KiB allocation,
      // while a long listing still ends up writing full-size chunks. The first chunk leaves room
      // for a SearchResultDone and, for a typical entry, stays under 4 KiB, so it is a slice of
      // Node's shared buffer pool instead of an ArrayBuffer of its own (cheaper to make and collect).
      this.chunk = Buffer.allocUnsafe(Math.min(this.chunkBytes, Math.max(n + DONE_ROOM, this.nextBytes)));
      this.nextBytes = Math.min(this.nextBytes * 2, this.chunkBytes);
      this.begin = this.used = 0;
    }
    const at = this.used;
    this.used += n;
    return at;
  }

  /** Hands out what the current chunk holds; later PDUs go to its remaining space. */
  private seal(): void {
    if (this.chunk === undefined || this.used === this.begin) return;
    this.out.push(this.chunk.subarray(this.begin, this.used));
    this.begin = this.used;
  }
}
