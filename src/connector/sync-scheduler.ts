/**
 * The sync interval (DESIGN §9, `connector.interval`, 0 = manual only). Every replica runs the
 * same timer, but a tick only starts a run when the shared last report is older than the interval,
 * and the advisory lock keeps runs single-flight, so N replicas still sync once per interval.
 */

export interface SchedulerDeps {
  /** The current interval in ms (0 = off); read at every tick, so configuration changes apply. */
  intervalMs(): Promise<number>;
  /** When the last run (of any replica) finished, if any. */
  lastFinishedAt(): Promise<Date | undefined>;
  run(): Promise<void>;
  onError(error: unknown): void;
  /** How often to look (default: the interval, at most 30 s, at least 100 ms). */
  readonly tickMs?: number;
  readonly now?: () => number;
}

export interface SyncScheduler {
  start(): void;
  /** Stops the timer and waits for a run in progress. */
  close(): Promise<void>;
}

export function createSyncScheduler(deps: SchedulerDeps): SyncScheduler {
  const now = deps.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  async function tick(): Promise<number> {
    const interval = await deps.intervalMs();
    if (interval <= 0) return 30_000;
    const last = await deps.lastFinishedAt();
    const due = last === undefined ? 0 : last.getTime() + interval - now();
    if (due <= 0 && !closed) await deps.run();
    return Math.min(Math.max(deps.tickMs ?? interval, 100), 30_000);
  }

  function schedule(delay: number): void {
    if (closed) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) => {
          deps.onError(error);
          return 30_000;
        })
        .then((next) => schedule(next));
    }, delay);
    timer.unref();
  }

  return {
    start() {
      if (timer === undefined && !closed) schedule(0);
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
