import type { Config } from '../config/schema.js';
import type { PruneCounts } from '../store/retention-store.js';
import type { Store } from '../store/store.js';
import type { DaemonContext, Service } from '../daemon/service.js';

/** First run shortly after start (not at once: start-up is busy), then every `retention.interval`. */
const FIRST_RUN_MS = 60_000;
const LOCK = 'pgdir-retention';

/**
 * One retention pass (docs/operations.md "Retention"): audit rows older than `retention.audit`,
 * change-log rows older than `retention.change_log` (0 keeps either forever), and expired
 * sessions, tokens and links. Several replicas share the database: an advisory lock lets one of
 * them do it and the others skip (`undefined`). `now` is a parameter so tests can move the clock.
 */
export async function runRetention(store: Store, retention: Config['retention'], now: Date = new Date()): Promise<PruneCounts | undefined> {
  const before = (ms: number): Date | undefined => (ms > 0 ? new Date(now.getTime() - ms) : undefined);
  const outcome = await store.withAdvisoryLock(LOCK, () =>
    store.retention.prune({ auditBefore: before(retention.audit), changesBefore: before(retention.change_log), expiredBefore: now }),
  );
  return outcome.acquired ? outcome.value : undefined;
}

export function retentionService(context: DaemonContext): Service {
  const log = context.logger.child({ component: 'retention' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const pass = (): void => {
    running = runRetention(context.store, context.config.retention)
      .then((counts) => {
        if (counts !== undefined && Object.values(counts).some((n) => n > 0)) log.info({ deleted: counts }, 'retention: old rows deleted');
      })
      .catch((err: unknown) => log.warn({ err }, 'retention pass failed; retrying at the next interval'))
      .finally(() => {
        running = undefined;
        schedule(context.config.retention.interval);
      });
  };
  const schedule = (ms: number): void => {
    timer = setTimeout(pass, ms);
    timer.unref();
  };
  return {
    name: 'retention',
    start: async () => schedule(Math.min(FIRST_RUN_MS, context.config.retention.interval)),
    async close() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
