import type { RevisionCheck } from './revision-check.js';

/** The registry call the metrics module offers (src/metrics/metrics-registry.ts). */
export interface GaugeRegistry {
  gauge(name: string, help: string, collect?: () => number): unknown;
  counter(name: string, help: string, collect?: () => number): unknown;
}

/** Replica lag series, read at scrape time. */
export function registerReplicaMetrics(registry: GaugeRegistry, check: RevisionCheck): void {
  registry.gauge(
    'pgdir_replica_lag_revisions',
    'Revisions the directory view is behind the change log head as last read (0 when current).',
    () => check.currentLag().revisions,
  );
  registry.gauge(
    'pgdir_replica_lag_seconds',
    'How long the directory view has been behind the change log head (0 when current).',
    () => check.currentLag().seconds,
  );
  registry.gauge(
    'pgdir_replica_last_check_age_seconds',
    'Seconds since the periodic revision check last read the change log head (grows while the database is unreachable).',
    () => check.ageSeconds(),
  );
  registry.counter(
    'pgdir_replica_listener_reopened_total',
    'Times the LISTEN connection did not answer the periodic check and was re-opened.',
    () => check.listenerFailures,
  );
}
