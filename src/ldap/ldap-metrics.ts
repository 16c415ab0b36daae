import { ResultCode } from '../domain/result-code.js';
import type { BoundCounter, BoundHistogram, MetricsRegistry } from '../metrics/metrics-registry.js';
import type { ProtocolOp } from './protocol.js';
import type { LdapServerStats } from './server/ldap-server.js';

/**
 * LDAP series on the process's metrics registry (rendered at `GET /metrics`, docs/api.md).
 *
 * Operations are counted once each, on the hot path, so everything per call is precomputed: one
 * bound counter per (op, result) and one bound histogram per op, created at their first use and
 * then reached through plain array and property lookups, with time taken from performance.now().
 * Connection figures are the server's own stats(), read only when /metrics is scraped.
 */
export interface LdapMetrics {
  /** One finished operation: `startedAt` is performance.now() when it started. */
  operation(op: ProtocolOp['op'], resultCode: number, startedAt: number, abandoned: boolean): void;
  /** One finished simple or SASL bind, by outcome (anonymous, success, throttled, invalid_credentials...). */
  bind(anonymous: boolean, resultCode: number, throttled: boolean): void;
  /** Publishes the server's connection and error counters. */
  observeServer(stats: () => LdapServerStats): void;
}

const NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, code] of Object.entries(ResultCode)) names[code] = name;
  return names;
})();
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

interface OpSeries {
  readonly duration: BoundHistogram;
  /** Indexed by result code; [ABANDONED] counts operations whose answer was never delivered. */
  readonly results: (BoundCounter | undefined)[];
}
const ABANDONED = 128;

/** Operations timed with sub-millisecond resolution: most pgdir searches answer well under 1 ms. */
const OP_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createLdapMetrics(registry: MetricsRegistry): LdapMetrics {
  const ops = registry.counter('pgdir_ldap_operations_total', 'LDAP operations handled, by operation and result (RFC 4511 result name, or abandoned).', { labelNames: ['op', 'result'] });
  const durations = registry.histogram('pgdir_ldap_operation_duration_seconds', 'LDAP operation latency from dispatch to final response, by operation.', { labelNames: ['op'], buckets: OP_BUCKETS });
  const binds = registry.counter('pgdir_ldap_binds_total', 'LDAP bind requests by outcome.', { labelNames: ['outcome'] });
  const perOp: Partial<Record<ProtocolOp['op'], OpSeries>> = {};
  const bindOutcomes = new Map<string, BoundCounter>();

  const seriesOf = (op: ProtocolOp['op']): OpSeries => (perOp[op] ??= { duration: durations.child({ op }), results: [] });
  const resultCounter = (series: OpSeries, op: string, index: number): BoundCounter =>
    (series.results[index] ??= ops.child({ op, result: index === ABANDONED ? 'abandoned' : (NAMES[index] ?? String(index)) }));
  const bindCounter = (outcome: string): BoundCounter => {
    let c = bindOutcomes.get(outcome);
    if (c === undefined) bindOutcomes.set(outcome, (c = binds.child({ outcome })));
    return c;
  };

  return {
    operation(op, resultCode, startedAt, abandoned) {
      const series = seriesOf(op);
      series.duration.observe((performance.now() - startedAt) / 1000);
      const index = abandoned ? ABANDONED : resultCode >= 0 && resultCode < ABANDONED ? resultCode : ResultCode.other;
      resultCounter(series, op, index).inc();
    },
    bind(anonymous, resultCode, throttled) {
      bindCounter(bindOutcome(anonymous, resultCode, throttled)).inc();
    },
    observeServer(stats) {
      registerServerStats(registry, stats);
    },
  };
}

/**
 * The bind service answers every failure with the same 49 (so clients cannot tell a throttled
 * source from a wrong password); its ThrottledBindFailure tells the metrics which 49s were throttled.
 */
function bindOutcome(anonymous: boolean, resultCode: number, throttled: boolean): string {
  if (resultCode === ResultCode.success) return anonymous ? 'anonymous' : 'success';
  if (throttled) return 'throttled';
  return snake(NAMES[resultCode] ?? 'other');
}

function registerServerStats(registry: MetricsRegistry, stats: () => LdapServerStats): void {
  registry.gauge('pgdir_ldap_connections', 'LDAP connections open now.', () => stats().connections);
  registry.counter('pgdir_ldap_connections_accepted_total', 'LDAP connections accepted.', () => stats().accepted);
  registry.counter('pgdir_ldap_connections_refused_total', 'LDAP connections refused at accept, before any TLS byte, by reason.', {
    labelNames: ['reason'],
    collect: () => {
      const { denied } = stats();
      return [
        [{ reason: 'allowlist' }, denied.allowlist],
        [{ reason: 'max_connections' }, denied.maxConnections],
        [{ reason: 'max_connections_per_ip' }, denied.maxConnectionsPerIp],
      ];
    },
  });
  registry.counter('pgdir_ldap_protocol_errors_total', 'LDAP connections closed with a protocolError notice (malformed BER, oversized PDU).', () => stats().protocolErrors);
  registry.counter('pgdir_ldap_idle_timeouts_total', 'LDAP connections closed after the idle timeout.', () => stats().idleTimeouts);
  registry.counter('pgdir_ldap_busy_total', 'LDAP requests answered busy (51): too many outstanding on one connection.', () => stats().busy);
  registry.counter('pgdir_ldap_filter_limit_exceeded_total', 'LDAP searches answered adminLimitExceeded (11): filter over ldap.limits.max_filter_nodes/depth.', () => stats().overLimit);
}
