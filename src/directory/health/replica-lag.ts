export interface Lag {
  /** Revisions between the view and the change log's head as last read. */
  readonly revisions: number;
  /** How long the view has been behind (0 when current). */
  readonly seconds: number;
}

/**
 * How far this replica's directory view trails the change log. The head is known only when read
 * (the periodic revision check, a readiness check), so "behind since" is the first reading that
 * found the view behind a head it has not reached since: a lower bound of the true lag, exact to
 * within one reading.
 */
export class ReplicaLag {
  #head = 0;
  #since: { revision: number; at: number } | undefined;

  observe(head: number, viewRevision: number, now: number): void {
    this.#head = Math.max(this.#head, head);
    if (this.#since !== undefined && viewRevision >= this.#since.revision) this.#since = undefined;
    if (viewRevision < head) this.#since ??= { revision: head, at: now };
  }

  current(viewRevision: number, now: number): Lag {
    const revisions = Math.max(0, this.#head - viewRevision);
    if (this.#since !== undefined && viewRevision >= this.#since.revision) {
      this.#since = revisions > 0 ? { revision: this.#head, at: now } : undefined;
    }
    if (revisions === 0 || this.#since === undefined) return { revisions, seconds: 0 };
    return { revisions, seconds: Math.max(0, now - this.#since.at) / 1000 };
  }
}
