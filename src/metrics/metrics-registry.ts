import { AggregatorRegistry, Registry, collectDefaultMetrics } from 'prom-client';
import { promCounter, promGauge, promHistogram } from './prom-metrics.js';

export type { Labels, Collect, BoundCounter, BoundHistogram, Counter, Gauge, Histogram, MetricOptions, HistogramOptions, MetricsRegistry } from './metric-types.js';
import type { Labels, Collect, BoundCounter, BoundHistogram, Counter, Gauge, Histogram, MetricOptions, HistogramOptions, MetricsRegistry } from './metric-types.js';

/** Seconds; from a cached search (~0.1 ms) to a slow bcrypt on a loaded machine. */
export const DEFAULT_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const metricOptions = (options: Collect | MetricOptions | undefined): MetricOptions =>
  typeof options === 'function' ? { collect: options } : (options ?? {});

export interface MetricsRegistryOptions {
  /** prom-client's process_* and nodejs_* metrics (default true). */
  readonly defaultMetrics?: boolean;
}

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  const prometheus = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: prometheus });
  const names = new Set<string>();
  const claim = (name: string): string => {
    if (names.has(name) || prometheus.getSingleMetric(name) !== undefined) throw new Error(`metric ${name} is already registered`);
    names.add(name);
    return name;
  };
  const sources: (() => Promise<readonly unknown[][]>)[] = [];
  const text = async (): Promise<string> => {
    if (sources.length === 0) return prometheus.metrics();
    const others = (await Promise.all(sources.map((s) => s()))).flat();
    return AggregatorRegistry.aggregate([await prometheus.getMetricsAsJSON(), ...others]).metrics();
  };
  return {
    counter: (name, help, o) => promCounter(prometheus, claim(name), help, metricOptions(o)),
    gauge: (name, help, o) => promGauge(prometheus, claim(name), help, metricOptions(o)),
    histogram: (name, help, o) => {
      const { labelNames, buckets = DEFAULT_BUCKETS } = Array.isArray(o) ? { buckets: o as readonly number[] } : ((o ?? {}) as HistogramOptions);
      return promHistogram(prometheus, claim(name), help, buckets, labelNames);
    },
    // prom-client writes NaN as `Nan` (e.g. the event-loop lag mean before its first sample);
    // the text format's spelling is `NaN`, which every parser reads.
    render: async () => (await text()).replace(/^([^#\n].*) Nan$/gm, '$1 NaN'),
    contentType: prometheus.contentType,
    prometheus,
    merge: (source) => void sources.push(source),
  };
}
