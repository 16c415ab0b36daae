import { Counter as PromCounter, Gauge as PromGauge, type Registry } from 'prom-client';
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

/** One series of a histogram: per-bucket (not cumulative) counts, the sum and the count. */
interface Series {
  readonly labels: PromLabels;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * Histograms are kept by pgdir itself and handed to prom-client as a custom metric (its public
 * `registerMetric` / `get()` contract) in prom-client's own layout (`le` first, then the series'
 * labels): a bound prom-client child hashes and checks its labels on every observe (~1 µs, once
 * per LDAP operation), here an observe is a short bucket scan and three additions.
 */
export function promHistogram(registry: Registry, name: string, help: string, buckets: readonly number[], labelNames: readonly string[] | undefined): Histogram {
  const bounds = [...buckets].sort((a, b) => a - b);
  const series = new Map<string, Series>();
  const seriesOf = (labels: Labels): Series => {
    const key = sorted(labels);
    const id = JSON.stringify(key);
    let s = series.get(id);
    if (s === undefined) series.set(id, (s = { labels: key, counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 }));
    return s;
  };
  const observe = (s: Series, value: number): void => {
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += value;
    s.count++;
  };
  registry.registerMetric({
    name, help, type: 'histogram', aggregator: 'sum',
    get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values: [...series.values()].flatMap((s) => exportSeries(name, bounds, s)) }),
    reset: () => series.clear(),
  } as unknown as Parameters<Registry['registerMetric']>[0]);
  void labelNames; // the label names are those of the series observed
  return {
    observe: (labels, value) => observe(seriesOf(labels), value),
    child(labels) {
      const s = seriesOf(labels); // every bucket at 0 from now on
      return { observe: (value: number) => observe(s, value) };
    },
  };
}

function exportSeries(name: string, bounds: readonly number[], s: Series): object[] {
  const out: object[] = [];
  let acc = 0;
  bounds.forEach((le, i) => {
    acc += s.counts[i] as number;
    out.push({ labels: { le, ...s.labels }, value: acc, metricName: `${name}_bucket` });
  });
  out.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${name}_bucket` });
  out.push({ labels: { ...s.labels }, value: s.sum, metricName: `${name}_sum` });
  out.push({ labels: { ...s.labels }, value: s.count, metricName: `${name}_count` });
  return out;
}
