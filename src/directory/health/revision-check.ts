import type { Store } from '../../store/store.js';
import type { StoreLogger } from '../../store/store-logger.js';
import { bounded } from './bounded.js';
import { ReplicaLag, type Lag } from './replica-lag.js';

/** The part of the directory view the check needs (DirectoryView fits). */
export interface FollowedView {
  readonly revision: number;
  catchUp(): Promise<void>;
}

export interface RevisionCheckOptions {
  readonly store: Store;
  /** Between two checks (`database.revision_check_interval`). */
  readonly intervalMs: number;
  /** Longest wait for the database in one check (`health.check_timeout`). */
  readonly timeoutMs: number;
  readonly logger: StoreLogger;
}

/**
 * The safety net under the change feed (DESIGN §2.3). Notifications make replicas coherent within
 * milliseconds, but a LISTEN connection can stall without FIN/RST and then nothing arrives, ever.
 * So every `intervalMs` this reads the change log's head, announces it on the feed when the view
 * is behind (subscribers catch up by revision as for a notification), and checks that the LISTEN
 * connection still answers (the store re-opens it when not). A stalled feed thus delays a change
 * by one interval at most, and the lag is measured for readiness and metrics.
 */
export class RevisionCheck {
  readonly lag = new ReplicaLag();
  /** Date.now() of the last check that read the head; undefined before the first. */
  lastSuccessAt: number | undefined;
  lastError: string | undefined;
  listenerFailures = 0;
  readonly #options: RevisionCheckOptions;
  readonly #startedAt = Date.now();
  #view: FollowedView | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #reading: Promise<number> | undefined;

  constructor(options: RevisionCheckOptions) {
    this.#options = options;
  }

  /** The view whose revision counts (the LDAP service's); without one, the feed's. */
  follow(view: FollowedView): void {
    this.#view = view;
  }

  viewRevision(): number {
    return this.#view?.revision ?? this.#options.store.changes.revision;
  }

  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.run(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The change log's head. One read at a time for the check and readiness together: while the
   * database stalls, a hung read is joined instead of piling up pool connections.
   */
  readHead(): Promise<number> {
    this.#reading ??= this.#options.store.revision().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  /** A head read elsewhere (readiness): counts for the lag like the check's own. */
  observe(head: number): void {
    this.lag.observe(head, this.viewRevision(), Date.now());
  }

  currentLag(): Lag {
    return this.lag.current(this.viewRevision(), Date.now());
  }

  /** Seconds since the head was last read (since start before the first success). */
  ageSeconds(): number {
    return (Date.now() - (this.lastSuccessAt ?? this.#startedAt)) / 1000;
  }

  /** One check now (joins a running one). Never rejects. */
  run(): Promise<void> {
    this.#running ??= this.#check().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #check(): Promise<void> {
    const { store, timeoutMs, logger } = this.#options;
    try {
      const head = await bounded(this.readHead(), timeoutMs, 'the database');
      this.observe(head);
      this.lastSuccessAt = Date.now();
      this.lastError = undefined;
      this.#catchUp(head);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (this.lastError !== reason) logger.warn({ reason }, 'revision check failed; serving the last state');
      this.lastError = reason;
      return;
    }
    if (!(await store.checkListener(timeoutMs))) {
      this.listenerFailures++;
      logger.warn({ timeoutMs }, 'the change listener did not answer; re-opening it');
    }
  }

  #catchUp(head: number): void {
    const { store, logger } = this.#options;
    if (head <= this.viewRevision()) return;
    if (head > store.changes.revision) {
      logger.info({ head, announced: store.changes.revision }, 'change log is ahead of the notifications; catching up');
      store.changes.publish(head);
    } else {
      void this.#view?.catchUp();
    }
  }
}
