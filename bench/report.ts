import type { LoadResult } from './load.js';

/** One measured row: a case (or one workload of the mixed case) at one connection count, per target. */
export interface Row {
  readonly caseId: string;
  readonly label: string;
  readonly conns: number;
  /** Results by target name (absent when the target did not run this case). */
  readonly byTarget: Map<string, LoadResult>;
}

const fmtOps = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const fmtMs = (n: number): string => (Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(0));

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function cells(r: LoadResult | undefined): string[] {
  if (!r) return ['-', '-', '-'];
  const notes = [r.errors > 0 ? `${r.errors} err` : '', r.unfinished > 0 ? `${r.unfinished} unfinished` : ''].filter(Boolean);
  const ops = notes.length > 0 ? `${fmtOps(r.opsPerSec)} (${notes.join(', ')})` : fmtOps(r.opsPerSec);
  return [ops, fmtMs(r.latency.p50), fmtMs(r.latency.p99)];
}

/** The results table: ops/s, p50 and p99 per target, and each target's ratio to the reference. */
export function resultsTable(rows: readonly Row[], targets: readonly string[]): string {
  const [reference, ...others] = targets;
  const headers = ['case', 'conns', ...targets.flatMap((t) => [`${t} ops/s`, 'p50 ms', 'p99 ms']), ...others.map((t) => `${t}/${reference}`)];
  const body = rows.map((row) => {
    const ref = reference ? row.byTarget.get(reference) : undefined;
    const ratios = others.map((t) => {
      const r = row.byTarget.get(t);
      return r && ref && ref.opsPerSec > 0 ? `${(r.opsPerSec / ref.opsPerSec).toFixed(2)}x` : '-';
    });
    return [row.label, String(row.conns), ...targets.flatMap((t) => cells(row.byTarget.get(t))), ...ratios];
  });
  return table(headers, body);
}

/** Figures a workload reported besides ops/s (e.g. full paged-scan time), one line per target. */
export function extrasLines(rows: readonly Row[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    for (const [target, r] of row.byTarget) {
      const extra = Object.entries(r.extra).filter(([, v]) => Number.isFinite(v));
      if (extra.length > 0) lines.push(`${row.label} x${row.conns} ${target}: ${extra.map(([k, v]) => `${k} ${Number.isInteger(v) ? v : fmtMs(v)}`).join(', ')}`);
      if (r.firstError) lines.push(`${row.label} x${row.conns} ${target}: first error: ${r.firstError}`);
    }
  }
  return lines;
}

export const mb = (bytes: number | undefined): string => (bytes === undefined ? '-' : `${(bytes / 1048576).toFixed(0)} MB`);
