import type { Store } from '../../store/store.js';
import type { StoreLogger } from '../../store/store-logger.js';
import type { DirectoryState } from './directory-state.js';
import { readBatch } from './read-batch.js';

export interface FollowerOptions {
  /** Change rows read and applied per step. Default 1000. */
  readonly batchSize?: number;
  /** More pending changes than this and a full reload is cheaper. Default 20,000. */
  readonly maxGap?: number;
  /** First retry delay after a failed catch-up, doubled up to 30 s. Default 500 ms. */
  readonly retryMs?: number;
}

export interface FollowerTarget {
  current(): DirectoryState;
  /** Rebuilds the whole state from a fresh snapshot and swaps it in. */
  reload(reason: string): Promise<void>;
  /** Called after every state change (waiters, stats). */
  changed(): void;
}

/**
 * Keeps a view current from the change log. Notifications only say "something changed"; the
 * follower reads `changesSince(revision)` itself, so a lost notification delays nothing beyond
 * the next one, a reconnect or an explicit request. Catch-ups run one at a time and requests
 * arriving meanwhile coalesce into one more pass. Revisions are gapless (change-log.ts), so a
 * missing one means the log was pruned past us: then, as for a very large gap, reload.
 */
export class ChangeFollower {
  private running: Promise<void> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private closed = false;
  catchUps = 0;
  failures = 0;
  lastError: string | undefined;
  private readonly batchSize: number;
  private readonly maxGap: number;

  constructor(
    private readonly store: Store,
    private readonly target: FollowerTarget,
    private readonly logger: StoreLogger,
    private readonly options: FollowerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.maxGap = options.maxGap ?? 20_000;
    this.retryDelay = options.retryMs ?? 500;
  }

  /** Catches up now (or once more after the running pass); resolves when done. Never rejects. */
  request(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.step();
        this.retryDelay = this.options.retryMs ?? 500;
      } catch (error) {
        this.failed(error);
        return;
      }
    } while (this.again && !this.closed);
  }

  /** Applies everything committed so far, batch by batch. */
  private async step(): Promise<void> {
    for (;;) {
      const state = this.target.current();
      const from = state.revision;
      const changes = await this.store.changesSince(from, this.batchSize);
      if (changes.length === 0 || this.closed) return;
      const gapless = changes.every((c, i) => c.revision === from + 1 + i);
      if (!gapless) return this.target.reload(`change log has no revision ${from + 1}`);
      if (changes.length === this.batchSize && (await this.store.revision()) - from > this.maxGap) {
        return this.target.reload(`more than ${this.maxGap} changes behind`);
      }
      const batch = await readBatch(this.store, changes);
      // A reload may have swapped the state while we read; its revision then decides.
      if (this.target.current() !== state || this.closed) continue;
      state.apply(batch);
      this.catchUps++;
      this.target.changed();
      if (changes.length < this.batchSize) return;
    }
  }

  private failed(error: unknown): void {
    this.failures++;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.logger.warn({ err: error, retryMs: this.retryDelay }, 'directory view catch-up failed; serving the last state');
    clearTimeout(this.retryTimer);
    if (this.closed) return;
    this.retryTimer = setTimeout(() => void this.request(), this.retryDelay);
    this.retryTimer.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, 30_000);
  }
}
