import type { StoreLogger } from './store-logger.js';

type Listener = (revision: number) => void;
type ReconnectListener = () => void;

/** What the rest of the process sees of the change feed (Store.changes). */
export interface Changes {
  /** The highest revision announced to this process so far. */
  readonly revision: number;
  /** `listener(revision)` after each announced commit; `onReconnect` after a lost notification channel came back. */
  subscribe(listener: Listener, onReconnect?: ReconnectListener): () => void;
  /**
   * Announces a revision learnt another way than a notification (the periodic revision check,
   * DESIGN §2.3): subscribers then catch up by revision as for a notification.
   */
  publish(revision: number): void;
}

/**
 * The process's one change feed (DESIGN §2.3): every committed revision is announced here, by
 * PostgreSQL LISTEN/NOTIFY (postgres-listener.ts) or, with PGlite, in-process after commit; the
 * periodic revision check publishes here too when a notification went missing. Revisions arrive
 * on several paths (our own commits, notifications echoing them, the check), so only revisions
 * above the last delivered one are passed on: subscribers see a strictly increasing series, and
 * because they re-read with changesSince, skipping a lower revision that arrives late loses nothing.
 */
export class ChangeFeed implements Changes {
  readonly #listeners = new Set<{ listener: Listener; onReconnect: ReconnectListener | undefined }>();
  readonly #logger: StoreLogger;
  #delivered = 0;

  constructor(logger: StoreLogger) {
    this.#logger = logger;
  }

  get revision(): number {
    return this.#delivered;
  }

  /** The head at open: later announcements at or below it are old news. */
  seed(revision: number): void {
    this.#delivered = Math.max(this.#delivered, revision);
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
    this.#logger.debug({ revision }, 'change');
    for (const { listener } of [...this.#listeners]) this.#call(() => listener(revision));
  }

  reconnected(): void {
    this.#logger.info({}, 'change notifications reconnected; catching up');
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
