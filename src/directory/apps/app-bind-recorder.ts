import type { BoundCounter, MetricsRegistry } from '../../metrics/metrics-registry.js';
import type { Store } from '../../store/store.js';
import type { AppBindEvent, AppBindOutcome, AppBindRecorder } from './app-bind.js';

interface WarnLogger {
  warn(obj: object, msg?: string): void;
}

/**
 * Per-app bind audit and `pgdir_app_binds_total{app,outcome}` (issue 16). Binds naming an app
 * pgdir does not know are counted under app="" (a label per guessed name would let anyone grow
 * the series without bound) and not audited. The audit row is written after the answer, off the
 * bind's path: a slow or absent database never delays or fails a bind (DESIGN §2.3).
 */
export function createAppBindRecorder(store: Store, metrics: MetricsRegistry, logger: WarnLogger): AppBindRecorder {
  const counter = metrics.counter('pgdir_app_binds_total', 'LDAP binds as an application or through its view, by application and outcome.', { labelNames: ['app', 'outcome'] });
  const series = new Map<string, BoundCounter>();
  const bound = (app: string, outcome: AppBindOutcome): BoundCounter => {
    const key = `${app}\u0000${outcome}`;
    let c = series.get(key);
    if (c === undefined) series.set(key, (c = counter.child({ app, outcome })));
    return c;
  };
  return {
    record(event) {
      const { app } = event;
      bound(app?.name ?? '', event.outcome).inc();
      if (app === undefined) return;
      const entry = {
        actor: event.as === 'app' ? app.name : (event.userId ?? null),
        action: 'app.bind',
        target: app.id,
        result: event.outcome === 'success' ? ('ok' as const) : ('denied' as const),
        ip: event.ip,
        details: { app: app.name, as: event.as, outcome: event.outcome },
      };
      store.write((tx) => tx.appendAudit(entry)).catch((err: unknown) => logger.warn({ err, app: app.name }, 'cannot write the application bind audit entry'));
    },
  };
}
