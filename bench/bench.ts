/**
 * `npm run bench`: pgdir against OpenLDAP's slapd on this machine, in one run (see bench/README.md).
 * dataset → slapd (skipped when not installed) → pgdir (or the trivial wire targets) → every case
 * against every target with the same closed-loop LDAPS load → table, ratios, RSS, start-up, bars.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createTestPki } from '../test/helpers/certs.js';
import { evaluateBars } from './bars.js';
import { type BenchCase, benchCases } from './cases.js';
import { type Dataset, generateDataset } from './dataset.js';
import { type LoadResult, runLoad } from './load.js';
import { type Row, extrasLines, mb, resultsTable } from './report.js';
import { LDCLT_CASES, type LdcltCase, ldcltAvailable, runLdclt } from './ldclt.js';
import { cpuMsOf } from './server-cpu.js';
import { type BenchSettings, readSettings } from './settings.js';
import { SLAPD } from './slapd.js';
import { isTrivial, startTargets } from './start-targets.js';
import type { Target } from './target.js';

const say = (line: string): void => void process.stderr.write(`${line}\n`);

function slapdVersion(): string {
  // slapd -VV prints its version on stderr.
  const out = spawnSync(SLAPD, ['-VV'], { encoding: 'utf8' });
  const line = `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0] ?? '';
  return line.replace(/^@\(#\) \$OpenLDAP: /, 'OpenLDAP ').replace(/ \(.*$/, '');
}

/** Other processes competing for the CPUs make every figure (and ratio) unreliable: say so. */
function warnIfBusy(when: string): void {
  const load = loadavg()[0] ?? 0;
  if (load > cpus().length * 0.5) console.log(`warning: load average ${load.toFixed(1)} on ${cpus().length} CPUs ${when}; other processes are competing, figures are noisy`);
}

/** Files each workload's result under its row; a target's better round replaces its worse one. */
function record(rows: Map<string, Row>, c: BenchCase, target: Target, results: readonly LoadResult[]): void {
  const multi = results.length > 1;
  const keyOf = (r: LoadResult): string => `${multi ? `${c.id}/${r.workload}` : c.id}|${r.conns}`;
  const first = results[0];
  const previous = first && rows.get(keyOf(first))?.byTarget.get(target.name);
  const better = !previous || (first?.opsPerSec ?? 0) > previous.opsPerSec;
  for (const r of results) {
    const caseId = multi ? `${c.id}/${r.workload}` : c.id;
    const row = rows.get(keyOf(r)) ?? { caseId, label: multi ? `mixed: ${r.workload}` : c.label, conns: r.conns, byTarget: new Map() };
    if (better) row.byTarget.set(target.name, r);
    rows.set(keyOf(r), row);
    say(`  ${row.label} x${r.conns} ${target.name}: ${Math.round(r.opsPerSec)} ops/s, p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms${r.errors ? `, ${r.errors} errors (${r.firstError})` : ''}${r.unfinished ? `, ${r.unfinished} cut off unfinished` : ''}`);
  }
}

async function runCases(settings: BenchSettings, dataset: Dataset, targets: readonly Target[]): Promise<Row[]> {
  const rows = new Map<string, Row>();
  for (const c of benchCases(dataset, settings).filter((x) => settings.cases.includes(x.id))) {
    // Rounds interleave the targets; each keeps its best round (interference only ever slows down).
    for (const conns of c.conns) {
      for (let round = 0; round < settings.rounds; round++) {
        for (const target of targets.filter((t) => (c.trivialOk || !isTrivial(t)) && (c.pgdirOnly !== true || /^pgdir(-w\d+)?$/.test(t.name)))) {
          const cpuBefore = cpuMsOf(target.pid?.());
          const loaded = await runLoad({ target, groups: c.groups(conns), seconds: settings.seconds, warmupSeconds: settings.warmupSeconds, seed: 7 });
          const cpuAfter = cpuMsOf(target.pid?.());
          // Server CPU per operation; warm-up operations are estimated at the measured rate.
          const allOps = loaded.reduce((n, r) => n + r.opsPerSec, 0) * (settings.seconds + settings.warmupSeconds);
          const cpuUs = cpuBefore !== undefined && cpuAfter !== undefined && allOps > 0 ? ((cpuAfter - cpuBefore) * 1000) / allOps : undefined;
          const results = cpuUs === undefined ? loaded : loaded.map((r) => ({ ...r, extra: { ...r.extra, 'server CPU µs/op': cpuUs } }));
          record(rows, c, target, results);
        }
      }
    }
  }
  return [...rows.values()];
}

/** BENCH_LOADGEN=ldclt|both: the search and group cases again, driven by 389-ds-base's ldclt (C). */
async function runLdcltCases(settings: BenchSettings, dataset: Dataset, targets: readonly Target[]): Promise<Row[]> {
  if (!ldcltAvailable()) {
    say('skipping ldclt: /usr/bin/ldclt is missing (Debian package 389-ds-base; test/setup.sh installs it)');
    return [];
  }
  const rows: Row[] = [];
  const labels: Record<LdcltCase, string> = { search: 'ldclt point search (uid)', groups: 'ldclt group listing' };
  for (const c of LDCLT_CASES.filter((x) => settings.cases.includes(x))) {
    for (const conns of settings.conns) {
      const row: Row = { caseId: `ldclt-${c}`, label: labels[c], conns, byTarget: new Map() };
      for (const target of targets.filter((t) => c === 'search' || !isTrivial(t))) {
        const r = await runLdclt({ target, dataset, case: c, conns, samples: settings.ldcltSamples });
        const nan = Number.NaN;
        const extra: Record<string, number> = r.cpuMsPerOp === undefined ? {} : { 'server CPU µs/op': r.cpuMsPerOp * 1000 };
        row.byTarget.set(target.name, { workload: c, conns, ops: 0, errors: r.errors, unfinished: 0, opsPerSec: r.opsPerSec, entries: 0, latency: { count: 0, mean: nan, p50: nan, p99: nan, max: nan }, extra });
        say(`  ${row.label} x${conns} ${target.name}: ${Math.round(r.opsPerSec)} ops/s${r.cpuMsPerOp === undefined ? '' : `, server CPU ${(r.cpuMsPerOp * 1000).toFixed(1)} µs/op`}${r.errors ? `, ${r.errors} errors` : ''}`);
      }
      rows.push(row);
    }
  }
  return rows;
}

function mixedComparison(rows: readonly Row[], targets: readonly Target[]): string[] {
  const mixed = rows.find((r) => r.caseId === 'mixed/point search');
  const alone = mixed && rows.find((r) => r.caseId === 'search' && r.conns === mixed.conns);
  if (!mixed || !alone) return [];
  return targets.flatMap((t) => {
    const a = alone.byTarget.get(t.name);
    const m = mixed.byTarget.get(t.name);
    return a && m ? [`${t.name}: search p99 ${a.latency.p99.toFixed(2)} ms alone → ${m.latency.p99.toFixed(2)} ms with bcrypt binds (${mixed.conns} search conns)`] : [];
  });
}

/** Issue 16: a point search through an application view against the same search under ou=users. */
function appViewRatios(rows: readonly Row[]): string[] {
  return rows.filter((r) => r.caseId === 'app-search').flatMap((app) => {
    const plain = rows.find((r) => r.caseId === 'search' && r.conns === app.conns)?.byTarget.get('pgdir');
    const via = app.byTarget.get('pgdir');
    if (plain === undefined || via === undefined) return [];
    return [`pgdir app view: point search x${app.conns} ${Math.round(via.opsPerSec)} ops/s vs ${Math.round(plain.opsPerSec)} under ou=users (ratio ${(via.opsPerSec / plain.opsPerSec).toFixed(2)}; p50 ${via.latency.p50.toFixed(2)} vs ${plain.latency.p50.toFixed(2)} ms)`];
  });
}

async function main(): Promise<void> {
  // `npm run bench -- teams`: the teams case (issue 13) on its own (bench/teams.ts).
  if (process.argv.includes('teams')) return (await import('./teams.js')).runTeamsBench();
  const settings = readSettings();
  const cpu = cpus();
  console.log(`pgdir benchmark: ${settings.users} users, ${settings.seconds} s per case (+${settings.warmupSeconds} s warm-up)${settings.rounds > 1 ? `, best of ${settings.rounds} rounds` : ''}, LDAPS on 127.0.0.1`);
  console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? '?'}, node ${process.version}, ${slapdVersion() || 'slapd not installed'}`);
  warnIfBusy('before the run');
  const t0 = performance.now();
  const dataset = await generateDataset({ users: settings.users });
  say(`dataset: ${dataset.users.length} users, ${dataset.groups.length} groups of 50 (+ users, admins), ${dataset.bcryptUsers.length} bcrypt users, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const pki = createTestPki();
  const targets = await startTargets(settings, dataset, pki, say);
  const stopAll = async (): Promise<void> => {
    await Promise.all(targets.map((t) => t.stop().catch((err: Error) => say(`stopping ${t.name}: ${err.message}`))));
    pki.cleanup();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    if (targets.length === 0) throw new Error('no target could start');
    const rssAfterLoad = new Map(targets.map((t) => [t.name, t.rss()]));
    const rows = [
      ...(settings.loadgen === 'ldclt' ? [] : await runCases(settings, dataset, targets)),
      ...(settings.loadgen === 'node' ? [] : await runLdcltCases(settings, dataset, targets)),
    ];
    report(settings, targets, rows, rssAfterLoad);
    warnIfBusy('at the end');
  } finally {
    await stopAll();
  }
}

function report(settings: BenchSettings, targets: readonly Target[], rows: readonly Row[], rssAfterLoad: Map<string, number | undefined>): void {
  const names = targets.map((t) => t.name);
  console.log(`\n${resultsTable(rows, names)}\n`);
  for (const line of [...extrasLines(rows), ...mixedComparison(rows, targets), ...appViewRatios(rows)]) console.log(line);
  console.log('');
  for (const t of targets) {
    const facts = [`start-up ${(t.startupMs / 1000).toFixed(2)} s`, `RSS after load ${mb(rssAfterLoad.get(t.name))}`, `RSS at end ${mb(t.rss())}`, ...t.facts.map(([k, v]) => `${k} ${v}`)];
    console.log(`${t.name}: ${facts.join(', ')}`);
  }
  const reference = names.includes('slapd') ? 'slapd' : undefined;
  const bars = reference
    ? targets.filter((t) => t.name !== reference).flatMap((t) =>
        evaluateBars({ rows, subject: t.name, reference, users: settings.users, startupMs: t.startupMs, rssBytes: rssAfterLoad.get(t.name) }))
    : [];
  if (bars.length > 0) console.log(`\nperformance bars (issue):\n${bars.map((b) => `  ${b}`).join('\n')}`);
  if (settings.jsonFile) {
    const json = rows.map((r) => ({ case: r.caseId, label: r.label, conns: r.conns, results: Object.fromEntries(r.byTarget) }));
    writeFileSync(settings.jsonFile, JSON.stringify({ settings, targets: names, rows: json }, null, 2));
  }
}

main().catch((err: unknown) => {
  say(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
