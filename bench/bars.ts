import { type Row, mb } from './report.js';

/**
 * The performance bars, checked against this run's own figures (ratios only ever compare
 * targets measured in the same run, on the same machine, with the same load generator).
 */

export interface BarInput {
  readonly rows: readonly Row[];
  /** The target judged (pgdir, or a trivial wire target). */
  readonly subject: string;
  readonly reference: string;
  readonly users: number;
  readonly startupMs?: number;
  readonly rssBytes?: number;
}

function worstRatio(input: BarInput, caseId: string): { ratio: number; conns: number } | undefined {
  let worst: { ratio: number; conns: number } | undefined;
  for (const row of input.rows.filter((r) => r.caseId === caseId)) {
    const s = row.byTarget.get(input.subject);
    const ref = row.byTarget.get(input.reference);
    if (!s || !ref || ref.opsPerSec === 0) continue;
    const ratio = s.errors > 0 ? 0 : s.opsPerSec / ref.opsPerSec;
    if (!worst || ratio < worst.ratio) worst = { ratio, conns: row.conns };
  }
  return worst;
}

const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');

export function evaluateBars(input: BarInput): string[] {
  const lines: string[] = [];
  const ratioBar = (caseId: string, label: string, min: number): void => {
    const w = worstRatio(input, caseId);
    if (w) lines.push(`${verdict(w.ratio >= min)}  ${label} >= ${min}x ${input.reference} (worst ${w.ratio.toFixed(2)}x, at ${w.conns} conns)`);
  };
  if (input.subject !== 'pgdir') {
    ratioBar('search', `wire engine: ${input.subject} point search`, 0.8);
    return lines;
  }
  ratioBar('search', 'point search', 0.5);
  ratioBar('groups', 'group listing', 0.5);
  ratioBar('paged', 'paged scan', 0.5);
  ratioBar('bcrypt-bind', 'bcrypt bind', 0.9);
  const mixed = input.rows.find((r) => r.caseId === 'mixed/point search')?.byTarget.get(input.subject);
  if (mixed) lines.push(`${verdict(mixed.errors === 0 && mixed.latency.p99 < 5)}  search p99 < 5 ms while bcrypt binds run (${mixed.latency.p99.toFixed(2)} ms)`);
  if (input.users >= 100_000) {
    if (input.startupMs !== undefined) lines.push(`${verdict(input.startupMs < 10_000)}  ${input.users} users load in < 10 s (${(input.startupMs / 1000).toFixed(1)} s)`);
    if (input.rssBytes !== undefined) lines.push(`${verdict(input.rssBytes < 600 * 1048576)}  RSS < 600 MB (${mb(input.rssBytes)})`);
  }
  return lines;
}
