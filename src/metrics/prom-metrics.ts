import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, type Registry } from 'prom-client';
import type { Collect, Counter, Gauge, Histogram, Labels, MetricOptions } from './metric-types.js';

/*
 * pgdir's metric API (metrics-registry.ts) on prom-client's Counter, Gauge and Histogram. Children
 * are made once by the caller and kept, so the LDAP hot path builds no label object per operation:
 * histogram children are prom-client's bound series (`histogram.labels(...)`), counter children
 * see promCounter.
 */

type PromLabels = Record<string, string | number>;

/** Labels in sorted key order: one series whatever the caller's key order, rendered in that order. */
function sorted(labels: Labels): PromLabels {
  const keys = Object.keys(labels);
  if (keys.length < 2) return labels as PromLabels;
  keys.sort();
  const out: PromLabels = {};
  for (const key of keys) out[key] = labels[key] as string | number;
  return out;
}

/** The prom-client metric, made as soon as its label names are known: declared, or at first use. */
function lazy<M>(labelNames: readonly string[] | undefined, make: (labelNames: string[]) => M): (labels: Labels) => M {
  let metric = labelNames === undefined ? undefined : make([...labelNames].sort());
  return (labels) => (metric ??= make(Object.keys(labels).sort()));
}

/** Label names of a collected metric not declared up front: those of its values now. */
function collectedNames(collect: Collect): string[] {
  const values = collect();
  return typeof values === 'number' ? [] : [...new Set(values.flatMap(([labels]) => Object.keys(labels)))].sort();
}

function fill(collect: Collect, set: (labels: PromLabels, value: number) => void): void {
  const values = collect();
  if (typeof values === 'number') return set({}, values);
  for (const [labels, value] of values) set(sorted(labels), value);
}

function upOnly(value: number): void {
  if (value < 0) throw new Error('a counter only goes up');
}

/**
 * A bound child counts into a plain number that is added to its prom-client series when the
 * registry is scraped (prom-client's `collect` hook): prom-client's own `labels(...).inc()` hashes
 * and checks the labels on every call, ~30x the cost of the addition on the LDAP path
 * (bench/metrics.ts). Labelled `inc(labels)` calls go to prom-client directly.
 */
interface Pending {
  readonly key: PromLabels;
  count: number;
}

export function promCounter(registry: Registry, name: string, help: string, options: MetricOptions): Counter {
  const { collect } = options;
  const pending: Pending[] = [];
  const metric = lazy(options.labelNames ?? (collect && collectedNames(collect)), (labelNames) => {
    const counter: PromCounter = new PromCounter({
      name, help, labelNames, registers: [registry],
      collect: () => {
        // A count kept elsewhere is read afresh (reset first, so a vanished series goes).
        if (collect !== undefined) return void (counter.reset(), fill(collect, (labels, value) => counter.inc(labels, value)));
        for (const p of pending) {
          if (p.count > 0) counter.inc(p.key, p.count);
          p.count = 0;
        }
      },
    });
    return counter;
  });
  return {
    inc(labels = {}, value = 1) {
      upOnly(value);
      metric(labels).inc(sorted(labels), value);
    },
    child(labels) {
      const p: Pending = { key: sorted(labels), count: 0 };
      metric(labels).inc(p.key, 0); // the series exists from now on, at 0
      pending.push(p);
      return {
        inc(value = 1) {
          upOnly(value);
          p.count += value;
        },
      };
    },
  };
}

export function promGauge(registry: Registry, name: string, help: string, options: MetricOptions): Gauge {
  const { collect } = options;
  const metric = lazy(options.labelNames ?? (collect && collectedNames(collect)), (labelNames) => {
    const gauge: PromGauge = new PromGauge({
      name, help, labelNames, registers: [registry],
      ...(collect && { collect: () => (gauge.reset(), fill(collect, (labels, value) => gauge.set(labels, value))) }),
    });
    // Absent until first set (prom-client starts an unlabelled gauge at 0): a last-run timestamp
    // of 0 would make `time() - …` alerts fire before anything ran.
    if (collect === undefined && labelNames.length === 0) gauge.remove();
    return gauge;
  });
  return {
    set: (labels, value) => metric(labels).set(sorted(labels), value),
    inc: (labels = {}, value = 1) => metric(labels).inc(sorted(labels), value),
    dec: (labels = {}, value = 1) => metric(labels).dec(sorted(labels), value),
  };
}

export function promHistogram(registry: Registry, name: string, help: string, buckets: readonly number[], labelNames: readonly string[] | undefined): Histogram {
  const metric = lazy(labelNames, (names) => new PromHistogram({ name, help, labelNames: names, buckets: [...buckets], registers: [registry] }));
  return {
    observe: (labels, value) => metric(labels).observe(sorted(labels), value),
    child(labels) {
      const key = sorted(labels);
      const histogram = metric(labels);
      histogram.zero(key); // every bucket at 0 from now on
      return histogram.labels(key);
    },
  };
}
