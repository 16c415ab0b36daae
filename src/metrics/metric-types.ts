import type { Registry } from 'prom-client';
/** The metric vocabulary every part registers through (implemented on prom-client in metrics-registry.ts). */
/**
 * The process's Prometheus registry (prom-client), rendered at `GET /metrics`. The daemon's
 * composition root creates one and hands it to LDAP, HTTP and the connector; each registers its
 * own series on it. Besides pgdir's series it carries prom-client's default `process_*` and
 * `nodejs_*` metrics (CPU, memory, file descriptors, event-loop lag, GC) that Node dashboards expect.
 *
 * The methods below are the small API pgdir's call sites use (it predates prom-client here); the
 * prom-client Registry itself is `prometheus`, for anything they do not cover.
 */
export type Labels = Readonly<Record<string, string | number>>;

/** A value read when /metrics is scraped: one unlabelled number, or one per label set. */
export type Collect = () => number | readonly (readonly [Labels, number])[];

/** One series of a counter with its labels fixed: for hot paths (no label object built per call). */
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

/**
 * `labelNames` declares the family's labels up front, so that it is listed (HELP, TYPE) from the
 * start. Without it they are learnt from the first use (for `collect`, from a first call at
 * registration), as the hand-written registry did.
 */
export interface MetricOptions {
  readonly labelNames?: readonly string[];
  /** The values come from it at each scrape (a count kept elsewhere, e.g. server stats). */
  readonly collect?: Collect;
}
export interface HistogramOptions {
  readonly labelNames?: readonly string[];
  readonly buckets?: readonly number[];
}

export interface MetricsRegistry {
  counter(name: string, help: string, options?: Collect | MetricOptions): Counter;
  gauge(name: string, help: string, options?: Collect | MetricOptions): Gauge;
  histogram(name: string, help: string, options?: readonly number[] | HistogramOptions): Histogram;
  /** The text exposition format 0.0.4 of every series. */
  render(): Promise<string>;
  /** The Content-Type of render()'s text. */
  readonly contentType: string;
  readonly prometheus: Registry;
  /**
   * Adds series that live elsewhere (LDAP worker threads' registries, as prom-client JSON): render()
   * then sums them with this registry's own, series by series.
   */
  merge(source: () => Promise<readonly unknown[][]>): void;
}
