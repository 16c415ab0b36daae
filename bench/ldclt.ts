import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from './dataset.js';
import { cpuMsOf } from './server-cpu.js';
import type { Target } from './target.js';

/**
 * The C load generator: 389-ds-base's `ldclt` (Debian package 389-ds-base, /usr/bin/ldclt). It
 * leaves the server more CPU than the Node load generator does, so its ratios are the fairer ones
 * on a small machine. One ldclt thread is one connection (bound once as the admin, then searching
 * synchronously); ldclt reports every 10 s, and the first sample (connects, TLS handshakes,
 * warm-up) is dropped. ldclt does not check answers: the Node cases do (bench/workloads.ts).
 */
export const LDCLT = '/usr/bin/ldclt';
export const ldcltAvailable = (): boolean => existsSync(LDCLT);

export const LDCLT_CASES = ['search', 'groups'] as const;
export type LdcltCase = (typeof LDCLT_CASES)[number];

export interface LdcltResult {
  readonly opsPerSec: number;
  /** Server CPU (user + system, every thread) per operation, in ms; undefined without a pid. */
  readonly cpuMsPerOp: number | undefined;
  readonly errors: number;
}

/** ldclt's arguments for a case: `-e random` + `-r/-R` picks a random user for each search. */
function caseArgs(c: LdcltCase, target: Target, dataset: Dataset): string[] {
  if (c === 'search') {
    const x = 'X'.repeat(dataset.usernameWidth);
    return ['-b', `ou=users,${target.baseDn}`, '-e', 'esearch,random', '-f', `uid=user${x}`, '-r', '1', '-R', String(dataset.users.length), '-e', 'attrlist=cn:uid:mail:displayName:memberOf'];
  }
  return ['-b', `ou=groups,${target.baseDn}`, '-e', 'esearch', '-f', 'objectClass=groupOfNames', '-e', 'attrlist=cn:gidNumber:member:memberUid'];
}

/** Per-sample rates from ldclt's output: `Average rate: 123.40/thr  (1234.00/sec), total: 12340`. */
export function parseLdcltRates(output: string): number[] {
  return [...output.matchAll(/^ldclt\[\d+\]: Average rate:\s+[\d.]+\/thr\s+\(\s*([\d.]+)\/sec\)/gm)].map((m) => Number(m[1]));
}

const errorCount = (output: string): number =>
  [...output.matchAll(/Number of errors\s*=?\s*(\d+)|(\d+) error\(s\)/g)].reduce((n, m) => n + Number(m[1] ?? m[2] ?? 0), 0);

export async function runLdclt(o: { target: Target; dataset: Dataset; case: LdcltCase; conns: number; samples: number }): Promise<LdcltResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pgdir-ldclt-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, o.target.ca);
  const args = ['-H', o.target.url, '-D', o.target.adminDn, '-w', o.target.adminPassword, '-n', String(o.conns), '-N', String(o.samples + 1), '-q', '-I', '32', ...caseArgs(o.case, o.target, o.dataset)];
  const env = { ...process.env, LDAPTLS_CACERT: caFile, LDAPTLS_REQCERT: 'demand' };
  let output = '';
  let cpuAtFirstSample: number | undefined;
  const pid = o.target.pid?.();
  try {
    const child = spawn(LDCLT, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      // Server CPU is counted from the end of the first (dropped) sample to the end of the run.
      if (cpuAtFirstSample === undefined && parseLdcltRates(output).length >= 1) cpuAtFirstSample = cpuMsOf(pid);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const cpuAtEnd = cpuMsOf(pid);
    const rates = parseLdcltRates(output).slice(1);
    if (rates.length === 0) throw new Error(`ldclt gave no rate (exit ${code}): ${output.split('\n').slice(-6).join(' | ')}`);
    const opsPerSec = rates.reduce((a, b) => a + b, 0) / rates.length;
    const ops = opsPerSec * rates.length * 10;
    const cpuMsPerOp = cpuAtFirstSample !== undefined && cpuAtEnd !== undefined && ops > 0 ? (cpuAtEnd - cpuAtFirstSample) / ops : undefined;
    return { opsPerSec, cpuMsPerOp, errors: errorCount(output) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
