/**
 * A small Prometheus registry (text exposition format 0.0.4). The HTTP service renders it at
 * `GET /metrics`; LDAP, the store and the connector register their own series on the same
 * registry (pass it to createHttpService and to them).
 */
export type Labels = Readonly<Record<string, string | number>>;

/** A value read when /metrics is scraped: one unlabelled number, or one per label set. */
export type Collect = () => number | readonly (readonly [Labels, number])[];

/** One series of a counter with its labels fixed: for hot paths (no label key built per call). */
export interface BoundCounter {
  inc(value?: number): void;
}
export interface BoundHistogram {
  observe(value: number): void;
}

export interface Counter {
  inc(labels?: Labels, value?: number): void;
  /** The series for `labels`, created now (so it renders as 0 until first counted). */
  child(labels: Labels): BoundCounter;
}
export interface Gauge {
  set(labels: Labels, value: number): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
  /** The series for `labels`, created now. */
  child(labels: Labels): BoundHistogram;
}

export interface MetricsRegistry {
  /** With `collect`, the values come from it at each scrape (a count kept elsewhere, e.g. server stats). */
  counter(name: string, help: string, collect?: Collect): Counter;
  gauge(name: string, help: string, collect?: Collect): Gauge;
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram;
  render(): string;
}

/** Seconds; from a cached search (~0.1 ms) to a slow bcrypt on a loaded machine. */
export const DEFAULT_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Labels, extra?: readonly [string, string]): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(String(labels[k]))}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${extra[1]}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

const number = (v: number): string => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

interface Series<T> {
  readonly labels: Labels;
  value: T;
}

class SeriesMap<T> {
  readonly map = new Map<string, Series<T>>();
  constructor(private readonly make: () => T) {}
  get(labels: Labels): Series<T> {
    const key = labelText(labels);
    let series = this.map.get(key);
    if (series === undefined) {
      series = { labels: { ...labels }, value: this.make() };
      this.map.set(key, series);
    }
    return series;
  }
}

interface Metric {
  render(): string[];
}

export function createMetricsRegistry(): MetricsRegistry {
  const metrics = new Map<string, Metric>();
  const register = <M extends Metric & object>(name: string, help: string, type: string, metric: M): M => {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    if (metrics.has(name)) throw new Error(`metric ${name} is already registered`);
    metrics.set(name, { render: () => [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`, ...metric.render()] });
    return metric;
  };
  return {
    counter: (name, help, collect) => register(name, help, 'counter', counter(name, collect)),
    gauge: (name, help, collect) => register(name, help, 'gauge', gauge(name, collect)),
    histogram: (name, help, buckets = DEFAULT_BUCKETS) => register(name, help, 'histogram', histogram(name, buckets)),
    render: () => [...metrics.values()].flatMap((m) => m.render()).join('\n') + '\n',
  };
}

function collectInto(series: SeriesMap<number>, collect: Collect | undefined): void {
  const collected = collect?.();
  if (typeof collected === 'number') series.get({}).value = collected;
  else for (const [labels, value] of collected ?? []) series.get(labels).value = value;
}

function counter(name: string, collect?: Collect): Counter & Metric {
  const series = new SeriesMap(() => 0);
  return {
    inc(labels = {}, value = 1) {
      if (value < 0) throw new Error('a counter only goes up');
      series.get(labels).value += value;
    },
    child(labels) {
      const s = series.get(labels);
      return {
        inc(value = 1) {
          if (value < 0) throw new Error('a counter only goes up');
          s.value += value;
        },
      };
    },
    render() {
      collectInto(series, collect);
      return [...series.map.values()].map((s) => `${name}${labelText(s.labels)} ${number(s.value)}`);
    },
  };
}

function gauge(name: string, collect?: Collect): Gauge & Metric {
  const series = new SeriesMap(() => 0);
  return {
    set: (labels, value) => void (series.get(labels).value = value),
    inc: (labels = {}, value = 1) => void (series.get(labels).value += value),
    dec: (labels = {}, value = 1) => void (series.get(labels).value -= value),
    render() {
      collectInto(series, collect);
      return [...series.map.values()].map((s) => `${name}${labelText(s.labels)} ${number(s.value)}`);
    },
  };
}

interface Buckets {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** A plain loop: no closure per observation (this runs once per LDAP operation). */
function record(bounds: readonly number[], s: Buckets, value: number): void {
  s.sum += value;
  s.count += 1;
  for (let i = 0; i < bounds.length; i++) {
    if (value <= (bounds[i] as number)) {
      s.counts[i] = (s.counts[i] as number) + 1;
      return;
    }
  }
}

function histogram(name: string, buckets: readonly number[]): Histogram & Metric {
  const bounds = [...buckets].sort((a, b) => a - b);
  const series = new SeriesMap<Buckets>(() => ({ counts: new Array<number>(bounds.length).fill(0), sum: 0, count: 0 }));
  return {
    observe: (labels, value) => record(bounds, series.get(labels).value, value),
    child(labels) {
      const s = series.get(labels).value;
      return { observe: (value) => record(bounds, s, value) };
    },
    render: () =>
      [...series.map.values()].flatMap(({ labels, value }) => {
        let cumulative = 0;
        const lines = bounds.map((b, i) => {
          cumulative += value.counts[i] ?? 0;
          return `${name}_bucket${labelText(labels, ['le', number(b)])} ${cumulative}`;
        });
        lines.push(`${name}_bucket${labelText(labels, ['le', '+Inf'])} ${value.count}`);
        lines.push(`${name}_sum${labelText(labels)} ${number(value.sum)}`, `${name}_count${labelText(labels)} ${value.count}`);
        return lines;
      }),
  };
}
