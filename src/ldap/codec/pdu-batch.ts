/**
 * Gathers the PDUs of one response burst (e.g. a page of search entries and its SearchResultDone)
 * into as few buffers as possible, so the connection issues one socket write per chunk instead of
 * one per PDU. PDUs already larger than a chunk are passed through without copying.
 */
export class PduBatch {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly chunks: Buffer[] = [];

  constructor(private readonly chunkBytes = 64 * 1024) {}

  push(pdu: Buffer): void {
    if (pdu.length >= this.chunkBytes) {
      this.seal();
      this.chunks.push(pdu);
      return;
    }
    if (this.pendingBytes + pdu.length > this.chunkBytes) this.seal();
    this.pending.push(pdu);
    this.pendingBytes += pdu.length;
  }

  /** Total bytes pushed and not yet drained. */
  get size(): number {
    let n = this.pendingBytes;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** The buffers to write, in order; the batch is empty afterwards. */
  drain(): Buffer[] {
    this.seal();
    return this.chunks.splice(0);
  }

  private seal(): void {
    if (this.pending.length === 0) return;
    const one = this.pending.length === 1 ? this.pending[0] : undefined;
    this.chunks.push(one ?? Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }
}
