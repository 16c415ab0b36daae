import type { StoreLogger } from './store-logger.js';

type Listener = (revision: number) => void;
type ReconnectListener = () => void;

/**
 * Fans announced revisions out to subscribers. Revisions arrive from two paths (this process's
 * commits, published directly, and Postgres notifications, which also echo our own commits), so
 * only revisions above the last delivered one are passed on: subscribers see a strictly
 * increasing series, and because they re-read with changesSince, skipping a lower revision that
 * arrives late loses nothing.
 */
export class ChangeFeed {
  readonly #listeners = new Set<{ listener: Listener; onReconnect: ReconnectListener | undefined }>();
  readonly #logger: StoreLogger;
  #delivered = 0;

  constructor(logger: StoreLogger) {
    this.#logger = logger;
  }

  subscribe(listener: Listener, onReconnect?: ReconnectListener): () => void {
    const entry = { listener, onReconnect };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  publish(revision: number): void {
    if (!Number.isSafeInteger(revision) || revision <= this.#delivered) return;
    this.#delivered = revision;
    for (const { listener } of [...this.#listeners]) this.#call(() => listener(revision));
  }

  reconnected(): void {
    for (const { onReconnect } of [...this.#listeners]) if (onReconnect) this.#call(onReconnect);
  }

  clear(): void {
    this.#listeners.clear();
  }

  /** A throwing subscriber must not stop the others (or the writer that published). */
  #call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#logger.error({ err: error }, 'change subscriber threw');
    }
  }
}
