import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import type { SyncReport } from '../directory/mirror/sync-report.js';

export interface SyncMetrics {
  /** One finished run of this process (dry runs are previews and are not counted). */
  observe(report: SyncReport): void;
  /** The stored report of the latest run (any replica, before a restart): sets the last-run gauges only. */
  restore(report: SyncReport): void;
}

/**
 * Connector series on the process's metrics registry (GET /metrics, docs/api.md). Counters cover
 * this process's runs; the last-run gauges start from the stored report of the latest run, so an
 * alert on `time() - pgdir_sync_last_success_timestamp_seconds` does not fire after a restart.
 * They are absent while no run is known.
 */
export function createSyncMetrics(registry: MetricsRegistry): SyncMetrics {
  const runs = registry.counter('pgdir_sync_runs_total', 'Connector sync runs by result: ok, failed, or busy (another replica held the lock).', { labelNames: ['result'] });
  const changes = registry.counter('pgdir_sync_changes_total', 'Entries a sync run changed, by kind and action.', { labelNames: ['kind', 'action'] });
  const lastRun = registry.gauge('pgdir_sync_last_run_timestamp_seconds', 'When the last sync run (ok or failed) finished, Unix time.');
  const lastSuccess = registry.gauge('pgdir_sync_last_success_timestamp_seconds', 'When the last successful sync run finished, Unix time.');
  const lastDuration = registry.gauge('pgdir_sync_last_run_duration_seconds', 'How long the last sync run (ok or failed) took.');
  for (const result of ['ok', 'failed', 'busy']) runs.child({ result }); // rendered as 0 from the start
  let observed = false;
  const setLast = (report: SyncReport): void => {
    const finished = Date.parse(report.finishedAt) / 1000;
    lastRun.set({}, finished);
    lastDuration.set({}, report.durationMs / 1000);
    if (report.status === 'ok') lastSuccess.set({}, finished);
  };
  return {
    restore(report) {
      // A run this process finished meanwhile is newer than whatever was read.
      if (!observed && report.status !== 'busy' && !report.dryRun) setLast(report);
    },
    observe(report) {
      if (report.dryRun) return;
      runs.inc({ result: report.status });
      if (report.status === 'busy') return;
      observed = true;
      setLast(report);
      const counts = (kind: 'user' | 'group', c: SyncReport['users'] | SyncReport['groups']): void => {
        if (c.created > 0) changes.inc({ kind, action: 'create' }, c.created);
        if (c.updated > 0) changes.inc({ kind, action: 'update' }, c.updated);
        if (c.errors > 0) changes.inc({ kind, action: 'error' }, c.errors);
        if (c.conflicts > 0) changes.inc({ kind, action: 'conflict' }, c.conflicts);
      };
      counts('user', report.users);
      counts('group', report.groups);
      if (report.users.deactivated > 0) changes.inc({ kind: 'user', action: 'deactivate' }, report.users.deactivated);
      if (report.users.reactivated > 0) changes.inc({ kind: 'user', action: 'reactivate' }, report.users.reactivated);
    },
  };
}
