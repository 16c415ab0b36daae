import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { ApiWriter, LdapLoad, type KnownUser, type PhaseTally, type WriteTally } from './faults-load.js';
import { spawnPgdir, REPO } from './pgdir-runner.js';
import { ADMIN_DN, eventually, login, startCluster, SUFFIX, type ReplicaCluster } from './replicas-cluster.js';

/**
 * The database fault scenarios of issue 17, shared by test/e2e/faults.test.ts (short outages,
 * assertions) and bench/replica-faults.ts (`npm run bench:faults`, 30 s outage, the report).
 * Three replicas on a private PostgreSQL cluster (test/helpers/private-postgres.ts) that the
 * scenarios stop, crash and restart; the shared server on 5432 is never touched.
 */
export interface FaultWorld {
  readonly pg: PrivatePostgres;
  readonly cluster: ReplicaCluster;
  readonly admin: string;
  readonly token: string;
  readonly users: readonly KnownUser[];
  readonly workDir: string;
}

const OWNER = { username: 'boss', password: 'boss password 123' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startWorld(options: { extraYaml?: readonly string[]; knownUsers?: number; workDir: string }): Promise<FaultWorld> {
  const pg = await startPrivatePostgres();
  try {
    const url = await pg.createDatabase('pgdir');
    const cluster = await startCluster({ size: 3, url, extraYaml: options.extraYaml ?? [], logLevel: 'warn' });
    const admin = await cluster.adminPassword();
    const added = await cluster.cli(0, ['users', 'add', '--username', OWNER.username, '--email', 'boss@example.com', '--role', 'owner', '--password-stdin'], `${OWNER.password}\n`);
    if (added.code !== 0) throw new Error(`users add: ${added.stderr}`);
    const token = await login(cluster.replicas[0]?.httpUrl ?? '', OWNER.username, OWNER.password);
    const users: KnownUser[] = [];
    for (let i = 0; i < (options.knownUsers ?? 10); i++) {
      const uid = `known${i}`;
      const password = `${uid} password 1`;
      const res = await fetch(`${cluster.replicas[0]?.httpUrl}/api/v1/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username: uid, email: `${uid}@example.com`, password }),
      });
      const body = (await res.json()) as { id: string };
      if (res.status !== 201) throw new Error(`seeding ${uid}: ${res.status}`);
      users.push({ uid, password, dn: `cn=uid-${body.id},ou=users,${SUFFIX}` });
    }
    return { pg, cluster, admin, token, users, workDir: options.workDir };
  } catch (error) {
    await pg.destroy();
    throw error;
  }
}

export async function closeWorld(world: FaultWorld | undefined): Promise<void> {
  if (world === undefined) return;
  if (!world.pg.running()) await world.pg.start().catch(() => undefined);
  await world.cluster.close();
  await world.pg.destroy();
}

export interface Convergence {
  /** API-confirmed writes missing from the database (must be empty). */
  readonly lost: string[];
  /** Writes the API refused that are in the database anyway (must be empty). */
  readonly refusedButApplied: string[];
  /** Change-log keys with more than one upsert of a user that was created once (must be empty). */
  readonly appliedTwice: string[];
  /** Revisions missing between the change log's first and last, and whether the head matches. */
  readonly revisionGaps: number;
  readonly headMatches: boolean;
  /** Replicas whose full LDAP dump differs from a replica just (re)loaded from the database. */
  readonly divergent: number[];
  readonly users: number;
  readonly convergeMs: number;
}

/**
 * Compares the writers' confirmations with the database and the change log, then every replica's
 * full LDAP dump with that of `reference`, restarted so that its view is loaded from the tables
 * (`reload` false: it was just started, e.g. after a kill).
 */
export async function checkConvergence(world: FaultWorld, writers: readonly ApiWriter[], reference: number, reload = true): Promise<Convergence> {
  const started = performance.now();
  const { cluster } = world;
  const rows = await cluster.query<{ id: string; username: string | null }>('SELECT id::text, username FROM users');
  const inDb = new Set(rows.map((r) => r.username));
  const confirmed = writers.flatMap((w) => [...w.confirmed]);
  const refused = writers.flatMap((w) => [...w.refused]);
  const twice = await cluster.query<{ key: string }>("SELECT key FROM change_log WHERE kind = 'user' AND op = 'upsert' GROUP BY key HAVING count(*) > 1");
  const seq = await cluster.query<{ lo: string; hi: string; n: string; head: string }>(
    'SELECT min(revision)::text AS lo, max(revision)::text AS hi, count(*)::text AS n, (SELECT revision::text FROM store_revision) AS head FROM change_log',
  );
  const s = seq[0] ?? { lo: '0', hi: '0', n: '0', head: '0' };
  if (reload) {
    await cluster.stop(reference);
    await cluster.start(reference);
  }
  const truth = await cluster.dump(reference, world.admin);
  const others = cluster.replicas.map((r) => r.index).filter((i) => i !== reference);
  const divergent: number[] = [];
  for (const i of others) {
    const same = await eventually(`replica ${i} converged`, async () => ((await cluster.dump(i, world.admin)) === truth ? true : undefined), 20_000).catch(() => false);
    if (!same) divergent.push(i);
  }
  return {
    lost: confirmed.filter((u) => !inDb.has(u)),
    refusedButApplied: refused.filter((u) => inDb.has(u)),
    appliedTwice: twice.map((t) => t.key),
    revisionGaps: Number(s.hi) - Number(s.lo) + 1 - Number(s.n),
    headMatches: s.hi === s.head,
    divergent,
    users: rows.length,
    convergeMs: Math.round(performance.now() - started),
  };
}

async function readyz(cluster: ReplicaCluster, i: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${cluster.replicas[i]?.httpUrl}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export interface OutageReport {
  readonly ldap: ReadonlyMap<string, PhaseTally>;
  readonly writes: ReadonlyMap<string, WriteTally>;
  /** /readyz of each replica during the outage. */
  readonly readyDuring: { status: number; body: Record<string, unknown> }[];
  /** `pgdir users add` during the outage: exit code, message, duration. */
  readonly cliDuring: { code: number | null; stderr: string; ms: number };
  /** The same command before the outage (a successful add), for comparison; -1 if it failed. */
  readonly cliBeforeMs: number;
  /** From `pg_ctl start` until every replica answered a write and /readyz 200. */
  readonly recoverMs: number;
  readonly convergence: Convergence;
}

/** PostgreSQL stopped (pg_ctl stop -m fast, as pg_ctlcluster stop) for `outageMs`, then started. */
export async function databaseOutage(world: FaultWorld, outageMs: number): Promise<OutageReport> {
  const { cluster, pg } = world;
  const load = new LdapLoad(cluster, world.users, world.admin);
  const writer = new ApiWriter(cluster, world.token, 'outage');
  load.start([0, 1, 2]);
  writer.start([0, 1, 2]);
  const t0 = performance.now();
  const cliBefore = await cluster.cli(1, ['users', 'add', '--username', 'cli-before', '--email', 'cli-before@example.com', '--password-stdin'], 'cli-before password 1\n');
  const cliBeforeMs = cliBefore.code === 0 ? Math.round(performance.now() - t0) : -1;
  await sleep(2_000);
  load.phase('outage');
  writer.phase('outage');
  await pg.stop();
  const stoppedAt = performance.now();
  await sleep(Math.min(3_000, outageMs / 2));
  const readyDuring = await Promise.all([0, 1, 2].map((i) => readyz(cluster, i)));
  const t = performance.now();
  const cli = await cluster.cli(1, ['users', 'add', '--username', 'cli-outage', '--email', 'cli-outage@example.com', '--password-stdin'], 'cli-outage password 1\n');
  const cliDuring = { code: cli.code, stderr: cli.stderr, ms: Math.round(performance.now() - t) };
  await sleep(Math.max(0, outageMs - (performance.now() - stoppedAt)));
  load.phase('recovering');
  writer.phase('recovering');
  await pg.start();
  const startedAt = performance.now();
  const probe = new ApiWriter(cluster, world.token, 'probe');
  for (const i of [0, 1, 2]) {
    let n = 0;
    await eventually(`replica ${i} writes again`, async () => ((await probe.write(i, `probe${i}x${n++}`)) ? true : undefined), 60_000);
    await eventually(`replica ${i} ready again`, async () => ((await readyz(cluster, i)).status === 200 ? true : undefined), 60_000);
  }
  const recoverMs = Math.round(performance.now() - startedAt);
  load.phase('after');
  writer.phase('after');
  await sleep(2_000);
  await Promise.all([load.stop(), writer.stop()]);
  const convergence = await checkConvergence(world, [writer, probe], 2);
  return { ldap: load.phases(), writes: writer.phases(), readyDuring, cliDuring, cliBeforeMs, recoverMs, convergence };
}

export interface ImportRestartReport {
  readonly rows: number;
  readonly firstRun: { code: number | null; stderr: string };
  /** Imported users in the database right after the interrupted run (must be 0: atomic). */
  readonly halfApplied: number;
  readonly secondRun: { code: number | null; created: number | undefined };
  readonly usersAfter: number;
  readonly convergence: Convergence;
}

function csvOf(rows: number, prefix: string): string {
  const lines = ['username,email,full name'];
  for (let i = 0; i < rows; i++) lines.push(`${prefix}${i},${prefix}${i}@example.com,Imported ${i}`);
  return `${lines.join('\n')}\n`;
}

/** Runs `pgdir users import` on replica 0 and crashes PostgreSQL once it starts writing. */
export async function importDuringRestart(world: FaultWorld, rows: number): Promise<ImportRestartReport> {
  const { cluster, pg } = world;
  const file = join(world.workDir, 'import.csv');
  await writeFile(file, csvOf(rows, 'imp'));
  const child = spawnPgdir(['users', 'import', file, '--progress', 'lines', '--config', cluster.replicas[0]?.configFile ?? ''], REPO);
  child.stdin?.end();
  let stderr = '';
  let stdout = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/writing/.test(stderr)) resolve();
    });
    void exited.then(() => resolve());
  });
  await pg.kill();
  await pg.start();
  const code = await exited;
  const count = async () => Number((await cluster.query<{ n: string }>("SELECT count(*)::text AS n FROM users WHERE username LIKE 'imp%'"))[0]?.n);
  const halfApplied = await eventually('the database answers', count, 30_000);
  const again = await cluster.cli(0, ['users', 'import', file, '--progress', 'none']);
  const created = (JSON.parse(again.stdout || '{}') as { created?: number }).created;
  const usersAfter = await count();
  const convergence = await checkConvergence(world, [], 1, false);
  void stdout;
  return { rows, firstRun: { code, stderr: stderr.trim().split('\n').slice(-2).join(' | ') }, halfApplied, secondRun: { code: again.code, created }, usersAfter, convergence };
}

export interface SyncRestartReport {
  readonly firstRun: { code: number | null; summary: string };
  /** False when the sync ended before its first batch was seen (nothing was interrupted). */
  readonly crashed: boolean;
  /** Users in the database when PostgreSQL was crashed (whole batches of 500 or none). */
  readonly atCrash: number;
  readonly afterCrash: number;
  readonly secondRun: { code: number | null; summary: string };
  readonly usersAfter: number;
  readonly sourceUsers: number;
  readonly convergence: Convergence;
}

/** `pgdir sync run` on replica 1; PostgreSQL is crashed once the first batch committed. */
export async function syncDuringRestart(world: FaultWorld, sourceUsers: number): Promise<SyncRestartReport> {
  const { cluster, pg } = world;
  const synced = async () => Number((await cluster.query<{ n: string }>("SELECT count(*)::text AS n FROM users WHERE source <> 'local'"))[0]?.n);
  const before = await synced();
  let ended = false;
  const run = cluster.cli(1, ['sync', 'run', '--progress', 'none']).finally(() => (ended = true));
  const atCrash = await eventually('a first sync batch', async () => {
    const n = await synced();
    return n > before || ended ? n : undefined;
  }, 180_000);
  const crashed = !ended;
  if (crashed) {
    await pg.kill();
    await pg.start();
  }
  const first = await run;
  const afterCrash = await eventually('the database answers', synced, 30_000);
  const second = await cluster.cli(2, ['sync', 'run', '--progress', 'none']);
  const usersAfter = await synced();
  const convergence = await checkConvergence(world, [], 0, false);
  const line = (r: { stdout: string; stderr: string }) => `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
  return { firstRun: { code: first.code, summary: line(first) }, crashed, atCrash, afterCrash, secondRun: { code: second.code, summary: line(second) }, usersAfter, sourceUsers, convergence };
}

export interface KillReport {
  readonly ldap: ReadonlyMap<string, PhaseTally>;
  readonly writes: ReadonlyMap<string, WriteTally>;
  /** From the restart until the killed replica answered /readyz 200. */
  readonly restartMs: number;
  readonly convergence: Convergence;
}

/** Replica 2 SIGKILLed while writes go to all three; the load on 0 and 1 goes on. */
export async function replicaKilled(world: FaultWorld): Promise<KillReport> {
  const { cluster } = world;
  const load = new LdapLoad(cluster, world.users, world.admin);
  const writer = new ApiWriter(cluster, world.token, 'kill');
  const victimWriter = new ApiWriter(cluster, world.token, 'victim');
  load.start([0, 1]);
  writer.start([0, 1]);
  victimWriter.start([2], 20);
  await sleep(1_500);
  load.phase('replica down');
  writer.phase('replica down');
  await cluster.stop(2, 'SIGKILL');
  await victimWriter.stop();
  await sleep(2_000);
  load.phase('restarting');
  writer.phase('restarting');
  const t = performance.now();
  await cluster.start(2);
  const restartMs = Math.round(performance.now() - t);
  load.phase('after');
  writer.phase('after');
  await sleep(1_500);
  await Promise.all([load.stop(), writer.stop()]);
  const convergence = await checkConvergence(world, [writer, victimWriter], 2, false);
  return { ldap: load.phases(), writes: writer.phases(), restartMs, convergence };
}

const errs = (e: Record<string, number>): string => (Object.keys(e).length === 0 ? 'none' : Object.entries(e).map(([k, v]) => `${v}× ${k}`).join(', '));

export function ldapLines(ldap: ReadonlyMap<string, PhaseTally>): string[] {
  return [...ldap].map(([phase, t]) => `  LDAP ${phase.padEnd(13)} ${t.searches} searches, ${t.binds} binds answered; errors: ${errs(t.errors)}`);
}

export function writeLines(writes: ReadonlyMap<string, WriteTally>): string[] {
  return [...writes].map(([phase, t]) => `  API  ${phase.padEnd(13)} ${t.created} writes created; refused: ${errs(t.refused)}${Object.keys(t.refused).length ? `; slowest refusal ${Math.round(t.slowestRefusalMs)} ms` : ''}`);
}

export function convergenceLine(c: Convergence): string {
  return `  converged: ${c.users} users; lost ${c.lost.length}, refused-but-applied ${c.refusedButApplied.length}, applied twice ${c.appliedTwice.length}, revision gaps ${c.revisionGaps}, head ${c.headMatches ? 'matches' : 'DIFFERS'}, replicas differing from a fresh load ${c.divergent.length === 0 ? 'none' : c.divergent.join(',')} (checked in ${c.convergeMs} ms)`;
}

export { ADMIN_DN };
