import type { BoundCounter, MetricsRegistry } from '../../metrics/metrics-registry.js';
import type { AuditEntry, Store } from '../../store/store.js';
import type { AppBindEvent, AppBindOutcome, AppBindRecorder } from './app-bind.js';

interface WarnLogger {
  warn(obj: object, msg?: string): void;
}

export interface AppBindRecorderOptions {
  /** How long a bind's audit row may wait for its batch, in ms (default 250: well within 1 s). */
  readonly flushMs?: number;
  /** A batch this large is written at once (default 200 rows). */
  readonly maxBatch?: number;
}

/**
 * Per-app bind audit and `pgdir_app_binds_total{app,outcome}` (issue 16). Binds naming an app
 * pgdir does not know are counted under app="" (a label per guessed name would let anyone grow
 * the series without bound) and not audited. The counter moves at once, exactly; the audit rows
 * are queued and written off the bind's path, one transaction per batch, at most `flushMs` after
 * the bind (or sooner when `maxBatch` rows wait), and `close()` writes what is left. A bind then
 * costs a push instead of a transaction: on PGlite each write ran on the event loop itself.
 * A slow or absent database never delays or fails a bind (DESIGN §2.3); a batch that cannot be
 * written is logged (count and apps, never secrets) and dropped.
 */
export function createAppBindRecorder(store: Store, metrics: MetricsRegistry, logger: WarnLogger, options: AppBindRecorderOptions = {}): AppBindRecorder {
  const counter = metrics.counter('pgdir_app_binds_total', 'LDAP binds as an application or through its view, by application and outcome.', { labelNames: ['app', 'outcome'] });
  const series = new Map<string, BoundCounter>();
  const bound = (app: string, outcome: AppBindOutcome): BoundCounter => {
    const key = `${app}\u0000${outcome}`;
    let c = series.get(key);
    if (c === undefined) series.set(key, (c = counter.child({ app, outcome })));
    return c;
  };
  const flushMs = options.flushMs ?? 250;
  const maxBatch = options.maxBatch ?? 200;
  let queue: AuditEntry[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** Batches are written one after another, in bind order. */
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return writing;
    const batch = queue;
    queue = [];
    writing = writing.then(() =>
      store.write((tx) => tx.appendAudits(batch)).catch((err: unknown) => {
        const apps = [...new Set(batch.map((e) => e.details?.['app']))];
        logger.warn({ err, rows: batch.length, apps }, 'cannot write the application bind audit entries');
      }),
    );
    return writing;
  };

  return {
    record(event) {
      const { app } = event;
      bound(app?.name ?? '', event.outcome).inc();
      if (app === undefined) return;
      queue.push({
        actor: event.as === 'app' ? app.name : (event.userId ?? null),
        action: 'app.bind',
        target: app.id,
        result: event.outcome === 'success' ? 'ok' : 'denied',
        ip: event.ip,
        details: { app: app.name, as: event.as, outcome: event.outcome },
      });
      if (queue.length >= maxBatch) void flush();
      else timer ??= setTimeout(() => void flush(), flushMs);
    },
    flush,
    close: flush,
  };
}
