/**
 * Cost of the metrics on the hot paths, in ns per call (issue 11: "hot-path cost stays about what
 * it is"). One LDAP operation costs one `LdapMetrics.operation()` (a histogram observation and a
 * counter increment on bound children) and a bind one more `bind()`; one HTTP request one
 * `HttpMetrics.observe()` (labelled calls, not bound: the route label set is open).
 *
 *   node --import tsx bench/metrics.ts [iterations=2000000]
 *
 * Prints the median of 7 rounds after a warm-up round. The machine is shared: compare figures from
 * the same run or from runs made minutes apart, not across days.
 */
import { performance } from 'node:perf_hooks';
import { createMetricsRegistry } from '../src/metrics/metrics-registry.js';
import { createHttpMetrics } from '../src/http/http-metrics.js';
import { createLdapMetrics } from '../src/ldap/ldap-metrics.js';

const iterations = Number(process.argv[2] ?? 2_000_000);
const OPS = ['search', 'bind', 'search', 'compare'] as const;

function measure(label: string, body: (i: number) => void): void {
  const rounds: number[] = [];
  for (let round = 0; round < 8; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) body(i);
    const ns = Number(process.hrtime.bigint() - start) / iterations;
    if (round > 0) rounds.push(ns); // round 0 warms the JIT
  }
  rounds.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} ${(rounds[3] ?? NaN).toFixed(1).padStart(7)} ns/op  (min ${(rounds[0] ?? NaN).toFixed(1)})`);
}

const registry = createMetricsRegistry();
const ldap = createLdapMetrics(registry);
const http = createHttpMetrics(registry);
const t0 = performance.now();
measure('performance.now() alone (in operation())', () => void performance.now());
measure('ldap operation(search|bind|compare, success)', (i) => ldap.operation(OPS[i & 3] ?? 'search', 0, t0, false));
measure('ldap bind(success)', () => ldap.bind(false, 0, false));
measure('http observe(GET, route, 200)', (i) => http.observe('GET', i & 1 ? '/api/v1/users' : '/api/v1/groups', 200, 0.0004));
