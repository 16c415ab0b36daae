import { describe, expect, it } from 'vitest';
import { createSyncMetrics } from '../../src/connector/sync-metrics.js';
import { newReport, type SyncReport } from '../../src/directory/mirror/sync-report.js';
import { createMetricsRegistry } from '../../src/metrics/metrics-registry.js';
import { createLdapMetrics } from '../../src/ldap/ldap-metrics.js';
import { parsePrometheusText, sample } from '../helpers/prometheus-text.js';

describe('metrics registry', () => {
  it('bound children count into the same series as labelled calls, and render at 0 once created', async () => {
    const registry = createMetricsRegistry();
    const ops = registry.counter('t_ops_total', 'ops');
    const child = ops.child({ op: 'search', result: 'success' });
    ops.child({ op: 'bind', result: 'success' });
    child.inc();
    child.inc(2);
    ops.inc({ result: 'success', op: 'search' }); // same series whatever the key order
    expect(() => child.inc(-1)).toThrow(/only goes up/);
    const parsed = parsePrometheusText(await registry.render());
    expect(sample(parsed, 't_ops_total', { op: 'search', result: 'success' })).toBe(4);
    expect(sample(parsed, 't_ops_total', { op: 'bind', result: 'success' })).toBe(0);
  });

  it('histogram children fill the first bucket whose bound holds the value; +Inf and _count agree', async () => {
    const registry = createMetricsRegistry();
    const h = registry.histogram('t_seconds', 'latency', [0.1, 1]).child({ op: 'bind' });
    for (const v of [0.05, 0.1, 0.5, 3]) h.observe(v);
    const parsed = parsePrometheusText(await registry.render());
    expect(sample(parsed, 't_seconds_bucket', { op: 'bind', le: '0.1' })).toBe(2);
    expect(sample(parsed, 't_seconds_bucket', { op: 'bind', le: '1' })).toBe(3);
    expect(sample(parsed, 't_seconds_bucket', { op: 'bind', le: '+Inf' })).toBe(4);
    expect(sample(parsed, 't_seconds_count', { op: 'bind' })).toBe(4);
    expect(sample(parsed, 't_seconds_sum', { op: 'bind' })).toBeCloseTo(3.65);
  });

  it('collected counters read their source at each render', async () => {
    const registry = createMetricsRegistry();
    let n = 1;
    registry.counter('t_accepted_total', 'accepted', () => n);
    registry.counter('t_refused_total', 'refused', () => [[{ reason: 'allowlist' }, n * 2]]);
    n = 5;
    const parsed = parsePrometheusText(await registry.render());
    expect(sample(parsed, 't_accepted_total')).toBe(5);
    expect(sample(parsed, 't_refused_total', { reason: 'allowlist' })).toBe(10);
  });
});

describe('LDAP metrics', () => {
  it('labels results by RFC 4511 name, abandoned operations, and unknown codes as other', async () => {
    const registry = createMetricsRegistry();
    const m = createLdapMetrics(registry);
    const t0 = performance.now();
    m.operation('search', 0, t0, false);
    m.operation('search', 32, t0, false);
    m.operation('search', 0, t0, true);
    m.operation('compare', 6, t0, false);
    m.operation('extended', 999, t0, false);
    const parsed = parsePrometheusText(await registry.render());
    const ops = (op: string, result: string) => sample(parsed, 'pgdir_ldap_operations_total', { op, result });
    expect([ops('search', 'success'), ops('search', 'noSuchObject'), ops('search', 'abandoned')]).toEqual([1, 1, 1]);
    expect([ops('compare', 'compareTrue'), ops('extended', 'other')]).toEqual([1, 1]);
    expect(sample(parsed, 'pgdir_ldap_operation_duration_seconds_count', { op: 'search' })).toBe(3);
  });

  it('reports throttled 49s apart from the others, the rest by result name', async () => {
    const registry = createMetricsRegistry();
    const m = createLdapMetrics(registry);
    m.bind(false, 49, true);
    m.bind(false, 49, false);
    m.bind(false, 13, false);
    m.bind(true, 0, false);
    m.bind(false, 0, false);
    const parsed = parsePrometheusText(await registry.render());
    const binds = (outcome: string) => sample(parsed, 'pgdir_ldap_binds_total', { outcome });
    expect(['throttled', 'invalid_credentials', 'confidentiality_required', 'anonymous', 'success'].map(binds)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('sync metrics', () => {
  const report = (status: SyncReport['status'], finishedAt: string, dryRun = false): SyncReport => ({
    ...newReport('test', dryRun),
    status,
    finishedAt,
    durationMs: 1500,
  });

  it('counts runs by result, ignores dry runs, and keeps the last success across a failure', async () => {
    const registry = createMetricsRegistry();
    const m = createSyncMetrics(registry);
    m.restore(report('ok', '2026-01-01T00:00:00.000Z')); // the stored report seeds the gauges
    let parsed = parsePrometheusText(await registry.render());
    expect(sample(parsed, 'pgdir_sync_last_success_timestamp_seconds')).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
    expect(sample(parsed, 'pgdir_sync_runs_total', { result: 'ok' })).toBe(0);
    m.observe(report('ok', '2026-02-01T00:00:00.000Z'));
    m.observe(report('failed', '2026-02-02T00:00:00.000Z'));
    m.observe(report('busy', '2026-02-03T00:00:00.000Z'));
    m.observe(report('ok', '2026-02-04T00:00:00.000Z', true));
    m.restore(report('ok', '2025-12-01T00:00:00.000Z')); // late and older than what this process saw
    parsed = parsePrometheusText(await registry.render());
    expect(['ok', 'failed', 'busy'].map((result) => sample(parsed, 'pgdir_sync_runs_total', { result }))).toEqual([1, 1, 1]);
    expect(sample(parsed, 'pgdir_sync_last_success_timestamp_seconds')).toBe(Date.parse('2026-02-01T00:00:00Z') / 1000);
    expect(sample(parsed, 'pgdir_sync_last_run_timestamp_seconds')).toBe(Date.parse('2026-02-02T00:00:00Z') / 1000);
    expect(sample(parsed, 'pgdir_sync_last_run_duration_seconds')).toBe(1.5);
  });
});

describe('prom-client underneath', () => {
  it("carries prom-client's process_* and nodejs_* metrics, each registry its own", async () => {
    const registry = createMetricsRegistry();
    const parsed = parsePrometheusText(await registry.render());
    expect(parsed.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(parsed.types.get('process_start_time_seconds')).toBe('gauge');
    expect(parsed.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(parsed.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(parsed.types.get('nodejs_gc_duration_seconds')).toBe('histogram');
    expect(sample(parsed, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(parsed, 'nodejs_version_info', { version: process.version, major: process.versions.node.split('.')[0] ?? '', minor: process.versions.node.split('.')[1] ?? '', patch: process.versions.node.split('.')[2] ?? '' })).toBe(1);
    registry.counter('t_only_here_total', 'one registry');
    expect(() => registry.counter('t_only_here_total', 'again')).toThrow(/already registered/);
    expect(() => registry.gauge('process_start_time_seconds', 'taken by the defaults')).toThrow(/already registered/);
    const other = createMetricsRegistry({ defaultMetrics: false });
    expect(await other.render()).not.toContain('t_only_here_total');
    expect(await other.render()).not.toContain('process_cpu');
    expect(registry.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('lists families with declared labels from the start; unlabelled gauges only once set; NaN spelt NaN', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    createLdapMetrics(registry);
    const lastRun = registry.gauge('t_last_run_timestamp_seconds', 'when');
    const odd = registry.gauge('t_ratio', 'a ratio', { labelNames: ['kind'] });
    let parsed = parsePrometheusText(await registry.render());
    expect(parsed.types.get('pgdir_ldap_operations_total')).toBe('counter');
    expect(parsed.types.get('pgdir_ldap_operation_duration_seconds')).toBe('histogram');
    expect(parsed.samples.filter((s) => s.name.startsWith('pgdir_ldap_') || s.name === 't_last_run_timestamp_seconds')).toEqual([]);
    lastRun.set({}, 1_700_000_000);
    odd.set({ kind: 'empty' }, NaN);
    const text = await registry.render();
    expect(text).toContain('t_ratio{kind="empty"} NaN\n');
    parsed = parsePrometheusText(text);
    expect(sample(parsed, 't_last_run_timestamp_seconds')).toBe(1_700_000_000);
  });

  it('keeps the old import path working for code written against it', async () => {
    const legacy = await import('../../src/http/metrics-registry.js');
    expect(legacy.createMetricsRegistry).toBe(createMetricsRegistry);
  });
});
