/**
 * What the app-password lookup costs a bind (docs/app-passwords.md). One `pgdir serve` on a fresh
 * PostgreSQL database (bcrypt cost 10, the default), one user with a password and an app password,
 * and the admin secret. Then, in rounds that alternate the kinds so that the machine's load falls on
 * all of them alike, C connections bind in a closed loop for S seconds each:
 *   admin        cn=admin,ou=system (salted SHA-256 in memory: the floor of a bind)
 *   app-password the user with their app password (SHA-256 + one indexed lookup in PostgreSQL)
 *   password     the user with their password (bcrypt cost 10 on the worker threads)
 * and reports binds/s, the daemon's CPU per bind (/proc, user + system, all threads) and the
 * latency of one bind at a time (p50, p99). PostgreSQL's own CPU is not in the daemon's figure:
 * the lookup's share shows as latency and as app-password minus admin.
 *
 * Run: `npx tsx bench/app-password-binds.ts` (BENCH_SECONDS per round, default 5; BENCH_ROUNDS,
 * default 3; BENCH_CONNECTIONS, default 4). Needs the test PostgreSQL (PGDIR_TEST_PG_URL).
 */
import { join } from 'node:path';
import { Client } from 'ldapts';
import { createDirectoryServices } from '../src/directory/directory-services.js';
import { systemActor, userActor } from '../src/domain/actor.js';
import { openStore } from '../src/store/open-store.js';
import { createTempDir, createTestDatabase } from '../test/helpers/databases.js';
import { daemonStatus, freePort, startServe, waitFor } from '../test/helpers/pgdir-process.js';
import { cpuMsOf } from './server-cpu.js';
import { writeFile } from 'node:fs/promises';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 4);
const SUFFIX = 'dc=example,dc=com';
const ADMIN_SECRET = 'bench admin secret, long enough';
const PASSWORD = 'correct horse battery staple';

interface Kind {
  readonly name: string;
  readonly dn: string;
  readonly password: string;
}

const database = await createTestDatabase();
const data = await createTempDir('pgdir-bench-app-pw-');
try {
  const store = await openStore({ url: database.url, dataDir: data.path });
  const directory = createDirectoryServices({ store, bcryptCost: 10, dataDir: data.path });
  const alice = await directory.users.addUser({ username: 'alice', email: 'alice@example.com', password: PASSWORD }, systemActor('bench'));
  const { password: appPassword } = await directory.appPasswords.create(userActor(alice), 'bench', null);
  const lookup = await lookupCost(directory.appPasswords, appPassword, 2_000);
  await store.close();

  const port = await freePort();
  const config = join(data.path, 'pgdir.yaml');
  await writeFile(config, [
    `data_dir: ${JSON.stringify(data.path)}`, `database: { url: ${JSON.stringify(database.url)} }`, 'log: { level: warn, format: json }',
    `ldap: { suffix: "${SUFFIX}", listen: ["ldap://127.0.0.1:${port}"], admin_password: "${ADMIN_SECRET}" }`,
    `http: { listen: "127.0.0.1:${await freePort()}" }`, 'bcrypt: { cost: 10 }',
  ].join('\n'));
  const serve = startServe(config, data.path);
  try {
    // A loaded machine can take longer than waitReady's 30 s to start a daemon.
    await waitFor('daemon ready', async () => {
      if (serve.child.exitCode !== null) throw new Error(`pgdir serve exited:\n${serve.output()}`);
      return (await daemonStatus(data.path))?.state === 'ready' ? true : undefined;
    }, 180_000);
    const kinds: Kind[] = [
      { name: 'admin', dn: `cn=admin,ou=system,${SUFFIX}`, password: ADMIN_SECRET },
      { name: 'app-password', dn: `uid=alice,ou=users,${SUFFIX}`, password: appPassword },
      { name: 'password', dn: `uid=alice,ou=users,${SUFFIX}`, password: PASSWORD },
    ];
    const url = `ldap://127.0.0.1:${port}`;
    const results = new Map<string, { rates: number[]; cpu: number[]; latencies: number[] }>(kinds.map((k) => [k.name, { rates: [], cpu: [], latencies: [] }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of kinds) {
        const r = results.get(kind.name)!;
        const { binds, cpuUs } = await closedLoop(url, kind, serve.child.pid);
        r.rates.push(binds / SECONDS);
        r.cpu.push(cpuUs / binds);
        r.latencies.push(...(await oneAtATime(url, kind, 50)));
      }
    }
    report(results);
    console.log(`the lookup alone (appPasswords.lookup in this process, one at a time, 2,000 calls): ${lookup.cpuUs.toFixed(0)} µs CPU and ${lookup.wallUs.toFixed(0)} µs wall per call`);
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
} finally {
  await database.drop();
  await data.remove();
}

/** C connections, each binding again as soon as the last bind answered, for SECONDS. */
async function closedLoop(url: string, kind: Kind, pid: number | undefined): Promise<{ binds: number; cpuUs: number }> {
  const clients = Array.from({ length: CONNECTIONS }, () => new Client({ url }));
  await Promise.all(clients.map((c) => c.bind(kind.dn, kind.password))); // connected and warm
  const cpuBefore = cpuMsOf(pid) ?? 0;
  const end = performance.now() + SECONDS * 1000;
  let binds = 0;
  await Promise.all(clients.map(async (client) => {
    while (performance.now() < end) {
      await client.bind(kind.dn, kind.password); // a failure (49) throws: every counted bind succeeded
      binds++;
    }
  }));
  const cpuUs = ((cpuMsOf(pid) ?? 0) - cpuBefore) * 1000;
  await Promise.all(clients.map((c) => c.unbind()));
  return { binds, cpuUs };
}

/** What the bind's lookup (SHA-256 + one indexed SELECT through the pool) costs the calling process. */
async function lookupCost(appPasswords: { lookup(secret: string): Promise<unknown> }, secret: string, n: number): Promise<{ cpuUs: number; wallUs: number }> {
  for (let i = 0; i < 100; i++) await appPasswords.lookup(secret); // warm the pool and the plan
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < n; i++) if ((await appPasswords.lookup(secret)) === undefined) throw new Error('the app password was not found');
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / n, wallUs: ((performance.now() - started) * 1000) / n };
}

/** Latency of `n` binds on one connection, one at a time (ms). */
async function oneAtATime(url: string, kind: Kind, n: number): Promise<number[]> {
  const client = new Client({ url });
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await client.bind(kind.dn, kind.password);
      out.push(performance.now() - started);
    }
  } finally {
    await client.unbind();
  }
  return out;
}

function report(results: Map<string, { rates: number[]; cpu: number[]; latencies: number[] }>): void {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
  console.log(`${ROUNDS} rounds × ${SECONDS} s per kind, ${CONNECTIONS} connections, ldap:// on loopback, PostgreSQL; medians of the rounds`);
  console.log('kind           binds/s   server CPU µs/bind   one at a time p50 / p99 ms');
  for (const [name, r] of results) {
    console.log(`${name.padEnd(14)} ${median(r.rates).toFixed(0).padStart(7)}   ${median(r.cpu).toFixed(0).padStart(18)}   ${pct(r.latencies, 0.5).toFixed(2)} / ${pct(r.latencies, 0.99).toFixed(2)}`);
  }
}
