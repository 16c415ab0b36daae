/**
 * Exact latency recorder: every sample is kept (a 5 s case at 50,000 ops/s is 2 MB), so p50/p99
 * are true order statistics rather than bucket approximations.
 */
export class Latencies {
  private samples = new Float64Array(1024);
  private count = 0;

  /** Records one latency in milliseconds. */
  add(ms: number): void {
    if (this.count === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.count++] = ms;
  }

  get size(): number {
    return this.count;
  }

  /** Adds every sample of `other` (to merge connections or workers). */
  merge(other: Latencies): void {
    for (let i = 0; i < other.count; i++) this.add(other.samples[i] as number);
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.count).sort();
    const at = (q: number): number => (this.count === 0 ? NaN : (sorted[Math.min(this.count - 1, Math.floor(q * this.count))] as number));
    let total = 0;
    for (const v of sorted) total += v;
    return { count: this.count, mean: this.count ? total / this.count : NaN, p50: at(0.5), p99: at(0.99), max: at(1) };
  }
}

export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}
