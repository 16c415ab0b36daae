/**
 * `npx tsx bench/app-binds.ts` (issue 16): user binds through an application's view against the
 * same users' plain binds, on one running `pgdir serve` (the bench's pgdir target: Postgres, or
 * PGlite with BENCH_DATABASE=pglite). Every bind through an app is counted and audited; this
 * shows what that costs. The users' hashes are bcrypt cost APPBINDS_COST (default 4, so that
 * hashing does not hide the rest), APPBINDS_CONNS connections (default 4), rounds of
 * APPBINDS_SECONDS (default 5) alternating plain and app binds, APPBINDS_ROUNDS rounds (default
 * 3). Reports binds/s and the server's CPU ms per bind (all threads, /proc), median of rounds.
 * Quote the load average printed with the figures.
 */
import { hash } from '@node-rs/bcrypt';
import { loadavg } from 'node:os';
import { createTestPki } from '../test/helpers/certs.js';
import { generateDataset, type Dataset } from './dataset.js';
import { bindOp, template, Tag } from './ldap-messages.js';
import { runLoad } from './load.js';
import { APP_GROUPS, BENCH_APP } from './pgdir-store-load.js';
import { startPgdirTarget } from './pgdir-target.js';
import { cpuMsOf } from './server-cpu.js';
import type { Target } from './target.js';
import type { Workload } from './workload.js';

const SUFFIX = 'dc=example,dc=com';
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const COST = env('APPBINDS_COST', 4);
const CONNS = env('APPBINDS_CONNS', 4);
const SECONDS = env('APPBINDS_SECONDS', 5);
const ROUNDS = env('APPBINDS_ROUNDS', 3);
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** The dataset with cheaper hashes for its bcrypt users (the others keep an unknown password). */
async function cheapDataset(): Promise<{ dataset: Dataset; members: number[] }> {
  const base = await generateDataset({ users: 2000, bcryptUsers: 200 });
  const cheap = new Map(await Promise.all(base.bcryptUsers.map(async (i) => [i, await hash(base.userPassword, { cost: COST })] as const)));
  const dataset = { ...base, users: base.users.map((u) => ({ ...u, passwordHash: cheap.get(u.index) ?? u.passwordHash })) };
  // The bench app admits the members of the first APP_GROUPS groups (pgdir-store-load.ts).
  const admitted = new Set(base.groups.slice(0, APP_GROUPS).flatMap((g) => g.members));
  return { dataset, members: base.bcryptUsers.filter((i) => admitted.has(i) && base.users[i]?.role !== 'admin') };
}

function binds(name: string, dns: readonly string[], password: string): Workload {
  return {
    name,
    bindAsAdmin: false,
    session: (_target, random) => {
      const templates = dns.map((dn) => template(bindOp(dn, password)));
      return {
        next: (id) => (templates[Math.floor(random() * templates.length)] as ReturnType<typeof template>).render(id),
        done: (r) => r.tag === Tag.bindResponse && r.resultCode === 0,
      };
    },
  };
}

async function measure(target: Target, workload: Workload): Promise<{ perSec: number; cpuMs: number }> {
  const pid = target.pid?.();
  const before = cpuMsOf(pid);
  const [result] = await runLoad({ target, groups: [{ workload, conns: CONNS }], seconds: SECONDS, warmupSeconds: 1 });
  const after = cpuMsOf(pid);
  if (result === undefined || result.errors > 0) throw new Error(`${workload.name}: ${result?.firstError ?? 'no result'}`);
  // CPU over warm-up and window, per operation counted in the window: a slight overestimate, the same for both.
  return { perSec: result.opsPerSec, cpuMs: before === undefined || after === undefined ? NaN : (after - before) / (result.ops * (1 + 1 / SECONDS)) };
}

async function main(): Promise<void> {
  console.log(`app binds: bcrypt cost ${COST}, ${CONNS} connections, ${ROUNDS} rounds of ${SECONDS} s each way; load average ${load()}`);
  const { dataset, members } = await cheapDataset();
  const pki = createTestPki();
  const target = await startPgdirTarget(dataset, SUFFIX, pki);
  try {
    const usernames = members.map((i) => dataset.users[i]?.username ?? '');
    const plain = binds('plain user bind', members.map((i) => target.userDn(i)), dataset.userPassword);
    const viaApp = binds('bind through the app', usernames.map((u) => `uid=${u},ou=users,ou=${BENCH_APP},ou=apps,${SUFFIX}`), dataset.userPassword);
    const rows: Record<'plain' | 'app', { perSec: number; cpuMs: number }[]> = { plain: [], app: [] };
    for (let round = 0; round < ROUNDS; round++) {
      rows.plain.push(await measure(target, plain));
      rows.app.push(await measure(target, viaApp));
    }
    const [p, a] = [rows.plain, rows.app].map((r) => ({ perSec: median(r.map((x) => x.perSec)), cpuMs: median(r.map((x) => x.cpuMs)) })) as [{ perSec: number; cpuMs: number }, { perSec: number; cpuMs: number }];
    console.log(`${members.length} users; ${target.facts.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`plain user bind: ${p.perSec.toFixed(0)} binds/s, ${p.cpuMs.toFixed(2)} server CPU ms/bind`);
    console.log(`through the app: ${a.perSec.toFixed(0)} binds/s, ${a.cpuMs.toFixed(2)} server CPU ms/bind`);
    console.log(`ratio app/plain: binds/s ${(a.perSec / p.perSec).toFixed(2)}, CPU per bind ${(a.cpuMs / p.cpuMs).toFixed(2)} (median of ${ROUNDS} interleaved rounds); load average ${load()}`);
  } finally {
    await target.stop();
    pki.cleanup();
  }
}

void main();
