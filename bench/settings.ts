import { CASE_IDS, type CaseId } from './cases.js';

/** The benchmark's knobs, from environment variables (all optional). */
export interface BenchSettings {
  readonly users: number; // BENCH_USERS (10000)
  readonly seconds: number; // BENCH_SECONDS per case and target (5)
  readonly warmupSeconds: number; // BENCH_WARMUP (0.5)
  readonly rounds: number; // BENCH_ROUNDS (1): repeat each case, interleaving targets, keep each target's best
  readonly conns: readonly number[]; // BENCH_CONNS (1,8,32)
  readonly bcryptConns: readonly number[]; // BENCH_BCRYPT_CONNS (8)
  readonly mixedConns: number; // BENCH_MIXED_CONNS (8)
  readonly cases: readonly CaseId[]; // BENCH_CASES (all)
  /** BENCH_TARGETS; undefined → slapd, pgdir and pgdir-wire (trivial instead of pgdir if pgdir cannot start). */
  readonly targets: readonly string[] | undefined;
  readonly slapdThreads: number | undefined; // BENCH_SLAPD_THREADS (slapd's default, 16)
  readonly jsonFile: string | undefined; // BENCH_JSON: also write the results there
  readonly suffix: string;
  /** BENCH_LOADGEN: `node` (bench/load.ts, default), `ldclt` (389-ds-base's C client) or `both`. */
  readonly loadgen: 'node' | 'ldclt' | 'both';
  readonly ldcltSamples: number;
  /** BENCH_PGDIR_WORKERS, e.g. `1,2`: run pgdir once per `ldap.workers` value (targets pgdir-w1, pgdir-w2). */
  readonly pgdirWorkers: readonly number[] | undefined; // BENCH_LDCLT_SAMPLES (1): measured 10 s samples after a dropped first one
}

export const TARGET_NAMES = ['slapd', 'pgdir', 'pgdir-wire', 'trivial'] as const;

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, integer = true): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  return n;
}

function list<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[]): T[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !(allowed as readonly string[]).includes(i));
  if (bad.length > 0) throw new Error(`${name}: unknown ${bad.join(', ')} (expected some of ${allowed.join(', ')})`);
  return items as T[];
}

function numbers(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((s) => positive({ [name]: s.trim() }, name, 1));
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  return {
    users: positive(env, 'BENCH_USERS', 10_000),
    seconds: positive(env, 'BENCH_SECONDS', 5, false),
    warmupSeconds: env.BENCH_WARMUP === '0' ? 0 : positive(env, 'BENCH_WARMUP', 0.5, false),
    rounds: positive(env, 'BENCH_ROUNDS', 1),
    conns: numbers(env, 'BENCH_CONNS', [1, 8, 32]),
    bcryptConns: numbers(env, 'BENCH_BCRYPT_CONNS', [8]),
    mixedConns: positive(env, 'BENCH_MIXED_CONNS', 8),
    cases: list(env, 'BENCH_CASES', CASE_IDS) ?? [...CASE_IDS],
    targets: list(env, 'BENCH_TARGETS', TARGET_NAMES),
    slapdThreads: env.BENCH_SLAPD_THREADS ? positive(env, 'BENCH_SLAPD_THREADS', 16) : undefined,
    jsonFile: env.BENCH_JSON || undefined,
    suffix: 'dc=example,dc=com',
    loadgen: loadgen(env.BENCH_LOADGEN),
    ldcltSamples: positive(env, 'BENCH_LDCLT_SAMPLES', 1),
    pgdirWorkers: env.BENCH_PGDIR_WORKERS ? numbers(env, 'BENCH_PGDIR_WORKERS', []) : undefined,
  };
}

function loadgen(raw: string | undefined): BenchSettings['loadgen'] {
  if (raw === undefined || raw === '') return 'node';
  if (raw === 'node' || raw === 'ldclt' || raw === 'both') return raw;
  throw new Error(`BENCH_LOADGEN must be node, ldclt or both, got "${raw}"`);
}
