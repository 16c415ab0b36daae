/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for asserting what GET /metrics
 * serves: throws on any malformed line, a sample whose family has no TYPE before it, a family split
 * into several runs, a duplicated series, or histogram buckets that are not cumulative.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The label block as written, e.g. `{op="bind",result="success"}` ('' when none). */
  readonly labelText: string;
  readonly value: number;
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(\\{[^]*\\})? (\\S+)( -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const inner = text.slice(1, -1);
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < inner.length) {
    const m = LABEL.exec(inner);
    if (m === null) throw new Error(`malformed labels in: ${line}`);
    const [, key = '', raw = ''] = m;
    if (key in labels) throw new Error(`label ${key} repeated in: ${line}`);
    labels[key] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) throw new Error(`malformed value in: ${line}`);
  return Number(text);
}

/** The family a sample belongs to (histogram/summary samples carry a suffix). */
function familyOf(name: string, types: ReadonlyMap<string, string>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && (types.get(base) === 'histogram' || types.get(base) === 'summary')) return base;
  }
  return name;
}

export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const finished = new Set<string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name = '', rest = ''] = meta;
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`bad metric name in: ${line}`);
      const map = kind === 'TYPE' ? types : help;
      if (map.has(name)) throw new Error(`second ${kind} for ${name}`);
      if (kind === 'TYPE' && !TYPES.has(rest)) throw new Error(`unknown type in: ${line}`);
      map.set(name, rest);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`malformed sample: ${line}`);
    const [, name = '', labelText = '', value = ''] = m;
    const family = familyOf(name, types);
    if (!types.has(family)) throw new Error(`sample before its TYPE: ${line}`);
    if (family !== current) {
      if (finished.has(family)) throw new Error(`family ${family} is split: ${line}`);
      if (current !== undefined) finished.add(current);
      current = family;
    }
    if (seen.has(name + labelText)) throw new Error(`duplicate series: ${line}`);
    seen.add(name + labelText);
    samples.push({ name, labels: parseLabels(labelText || '{}', line), labelText, value: parseValue(value, line) });
  }
  checkHistograms(types, samples);
  return { types, help, samples };
}

function checkHistograms(types: ReadonlyMap<string, string>, samples: readonly Sample[]): void {
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const s of samples.filter((x) => x.name === `${family}_bucket`)) {
      const { le, ...rest } = s.labels;
      if (le === undefined) throw new Error(`${family}_bucket without le`);
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      let previous = -Infinity;
      let count = -Infinity;
      for (const b of buckets) {
        const bound = parseValue(b.labels['le'] ?? '', b.name);
        if (bound <= previous) throw new Error(`${family}: le not increasing for ${key}`);
        if (b.value < count) throw new Error(`${family}: buckets not cumulative for ${key}`);
        previous = bound;
        count = b.value;
      }
      if (previous !== Infinity) throw new Error(`${family}: no +Inf bucket for ${key}`);
      const total = samples.find((s) => s.name === `${family}_count` && JSON.stringify(s.labels) === key);
      if (total?.value !== count) throw new Error(`${family}: _count differs from the +Inf bucket for ${key}`);
    }
  }
}

/** The value of the one sample `name` with exactly `labels`, or undefined. */
export function sample(parsed: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return parsed.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}
