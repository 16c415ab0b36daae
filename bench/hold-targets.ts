/**
 * Starts benchmark targets and keeps them running for outside tools (ldclt, strace, perf), e.g.
 *
 *   BENCH_TARGETS=pgdir,pgdir-wire BENCH_PGDIR_WORKERS=1 BENCH_CACHE_DB=1 \
 *     BENCH_PGDIR_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npx tsx bench/hold-targets.ts /tmp/targets.json
 *
 * writes each target's URL, pid, admin DN and password and the CA file to the JSON file, and stops
 * them (gracefully, so `--cpu-prof` profiles are written) on SIGINT or SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { createTestPki } from '../test/helpers/certs.js';
import { generateDataset } from './dataset.js';
import { readSettings } from './settings.js';
import { startTargets } from './start-targets.js';

const out = process.argv[2] ?? '/tmp/pgdir-targets.json';
const settings = readSettings();
const dataset = await generateDataset({ users: settings.users });
const pki = createTestPki();
const caFile = `${out}.ca.pem`;
writeFileSync(caFile, pki.ca);
const targets = await startTargets(settings, dataset, pki, (line) => console.log(line));
const info = targets.map((t) => ({ name: t.name, url: t.url, pid: t.pid?.(), baseDn: t.baseDn, adminDn: t.adminDn, adminPassword: t.adminPassword, users: dataset.users.length, usernameWidth: dataset.usernameWidth }));
writeFileSync(out, JSON.stringify({ caFile, targets: info }, null, 2));
console.log(`holding ${targets.map((t) => `${t.name} (pid ${t.pid?.()})`).join(', ')}; details in ${out}; SIGINT stops them`);
const stop = async (): Promise<void> => {
  await Promise.all(targets.map((t) => t.stop()));
  pki.cleanup();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
setInterval(() => undefined, 60_000);
