import type { Dataset } from './dataset.js';
import { startPgdirTarget } from './pgdir-target.js';
import type { BenchSettings } from './settings.js';
import { type TlsFiles, slapdAvailable, startSlapd } from './slapd.js';
import type { Target } from './target.js';
import { startTrivialTarget } from './trivial-target.js';

/**
 * Starts the targets the run compares, reference (slapd) first. A target that cannot start is
 * reported and skipped; by default a pgdir that cannot start yet is replaced by the trivial
 * hand-written server, so the run still measures slapd against the Node TLS wire path.
 */
export async function startTargets(settings: BenchSettings, dataset: Dataset, tls: TlsFiles, say: (line: string) => void): Promise<Target[]> {
  const wanted = [...(settings.targets ?? ['slapd', 'pgdir', 'pgdir-wire'])];
  const started: Target[] = [];
  for (const name of wanted) {
    if (name === 'pgdir' && settings.pgdirWorkers !== undefined) {
      // BENCH_PGDIR_WORKERS=1,2: one pgdir per worker count, each on its own copy of the database.
      for (const workers of settings.pgdirWorkers) {
        try {
          const target = await startPgdirTarget(dataset, settings.suffix, tls, process.env, workers);
          started.push(target);
          say(`${target.name} ready on ${target.url} in ${(target.startupMs / 1000).toFixed(2)} s`);
        } catch (err) {
          say(`skipping pgdir with ${workers} workers: ${(err as Error).message.split('\n').slice(0, 6).join('\n  ')}`);
        }
      }
      continue;
    }
    try {
      const target = await startOne(name, settings, dataset, tls);
      if (!target) {
        say(`skipping slapd: not installed (${'/usr/sbin/slapd'}; Debian package slapd); no ratios this run`);
        continue;
      }
      started.push(target);
      say(`${name} ready on ${target.url} in ${(target.startupMs / 1000).toFixed(2)} s`);
    } catch (err) {
      say(`skipping ${name}: ${(err as Error).message.split('\n').slice(0, 6).join('\n  ')}`);
      if (name === 'pgdir' && settings.targets === undefined && !wanted.includes('trivial')) wanted.push('trivial');
    }
  }
  return started;
}

async function startOne(name: string, settings: BenchSettings, dataset: Dataset, tls: TlsFiles): Promise<Target | undefined> {
  switch (name) {
    case 'slapd':
      if (!slapdAvailable()) return undefined;
      return startSlapd(dataset, { suffix: settings.suffix, tls, ...(settings.slapdThreads ? { threads: settings.slapdThreads } : {}) });
    case 'pgdir':
      return startPgdirTarget(dataset, settings.suffix, tls);
    case 'pgdir-wire':
      return startTrivialTarget(dataset, settings.suffix, tls, 'pgdir');
    default:
      return startTrivialTarget(dataset, settings.suffix, tls, 'node');
  }
}

/** Targets whose searches all return one fixed entry (only some cases mean anything for them). */
export const isTrivial = (t: Target): boolean => t.name === 'trivial' || t.name === 'pgdir-wire';
