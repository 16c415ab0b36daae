/**
 * The attempts reserving now in this thread, by throttle key (auth-throttle.ts): the first attempt
 * of a burst leads, the others of that key wait for its verdict instead of reserving too.
 */
export class KeyLeaders {
  readonly #verdicts = new Map<string, Promise<void>>();

  /** Resolves once `key`'s leader has its verdict; undefined when no attempt of `key` is reserving. */
  of(key: string): Promise<void> | undefined {
    return this.#verdicts.get(key);
  }

  /** Makes the caller `key`'s leader; the returned function (idempotent) ends the lead and wakes the waiters. */
  lead(key: string): () => void {
    let settle!: () => void;
    const verdict = new Promise<void>((resolve) => (settle = resolve));
    this.#verdicts.set(key, verdict);
    return () => {
      if (this.#verdicts.get(key) === verdict) this.#verdicts.delete(key);
      settle();
    };
  }
}
