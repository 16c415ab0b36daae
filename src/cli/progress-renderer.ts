import type { Progress, ProgressListener } from '../domain/progress.js';
import { UsageError } from './usage-error.js';

/**
 * How `pgdir users import` and `pgdir sync run` show their progress, always on standard error so
 * that standard output (the JSON report) stays machine-readable:
 * - `bar`: one line redrawn in place (phase, bar, done/total, rate, ETA), erased at the end;
 * - `lines`: a plain line at the start and end of each phase, and at most one a second between;
 * - `auto` (default): `bar` on a terminal; otherwise `lines`, but only once the command has run
 *   for 2 s and then every 5 s, so that quick commands and scripts' logs stay as they were;
 * - `none`.
 */
export type ProgressStyle = 'auto' | 'bar' | 'lines' | 'none';
const STYLES: readonly ProgressStyle[] = ['auto', 'bar', 'lines', 'none'];

export interface ProgressRenderer {
  readonly listener: ProgressListener | undefined;
  /** Erases the bar (the result follows on stdout). */
  finish(): void;
}

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export function progressStyle(value: unknown, command: string): ProgressStyle {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (STYLES as readonly string[]).includes(value)) return value as ProgressStyle;
  throw new UsageError(`--progress must be ${STYLES.join(', ')} (got ${JSON.stringify(value)})`, command);
}

const count = (n: number): string => n.toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** `writing 4,000/20,000 (20%) 1,234/s ETA 13s`: the rate is that of the current phase. */
export function describeProgress(p: Progress, phaseSeconds: number): { text: string; fraction: number } {
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const rate = phaseSeconds > 0 ? p.done / phaseSeconds : 0;
  const eta = rate > 0 ? (p.total - p.done) / rate : Number.POSITIVE_INFINITY;
  const tail = p.done >= p.total ? `in ${duration(phaseSeconds)}` : `ETA ${duration(eta)}`;
  return { text: `${p.phase} ${count(p.done)}/${count(p.total)} (${Math.floor(fraction * 100)}%) ${count(Math.round(rate))}/s ${tail}`, fraction };
}

export function createProgressRenderer(stream: Stream, style: ProgressStyle, now: () => number = () => performance.now()): ProgressRenderer {
  const mode = style === 'auto' ? (stream.isTTY === true ? 'bar' : 'quiet-lines') : style;
  if (mode === 'none') return { listener: undefined, finish: () => undefined };
  const started = now();
  let phase = '';
  let phaseStart = started;
  let lastLine = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const listener: ProgressListener = (p) => {
    const at = now();
    const newPhase = p.phase !== phase;
    if (newPhase) [phase, phaseStart] = [p.phase, at];
    const { text, fraction } = describeProgress(p, (at - phaseStart) / 1000);
    if (mode === 'bar') {
      const width = 24;
      const filled = Math.round(fraction * width);
      const line = `${text.split(' ')[0]} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text.slice(text.indexOf(' ') + 1)}`;
      stream.write(`\r${line.slice(0, Math.max(20, (stream.columns ?? 100) - 1))}\x1b[K`);
      drawn = true;
      return;
    }
    const quiet = mode === 'quiet-lines';
    if (quiet && at - started < 2000) return;
    const end = p.done >= p.total;
    if (at - lastLine < (quiet ? 5000 : 1000) && !((end || newPhase) && !quiet)) return;
    lastLine = at;
    stream.write(`pgdir: ${text}\n`);
  };
  return {
    listener,
    finish: () => {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
