/**
 * `npx tsx bench/daemon-footprint.ts`: the whole daemon's start-up time and resident memory for
 * a large directory (issue 18 goal 4). A PostgreSQL database is filled by SQL (BENCH_USERS users,
 * default 100,000, in groups of 50, as bench/dataset.ts shapes them; kept as a template with
 * BENCH_CACHE_DB=1, see bench/pgdir-database.ts), `bin/pgdir.js serve` (dist: `npm run build`
 * first) starts with one LDAP worker on it and is timed until it logs `pgdir is ready`. Printed:
 * time to ready, the process's CPU (user + system), RSS and V8's heap by space (from /metrics)
 * FOOTPRINT_SETTLE_S seconds later (default 5; a list such as `5,30,60` prints each), then again after FOOTPRINT_SEARCH_S seconds
 * (default 0) of point searches by uid on 8 connections.
 *
 * BENCH_DATABASE=pglite: the same rows restored into a PGlite data directory instead.
 * FOOTPRINT_NODE_ARGS: extra node flags for pgdir (e.g. `--max-semi-space-size=8`).
 * FOOTPRINT_OUTPUT=<file>: append pgdir's standard output there (e.g. with `--trace-gc`).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'ldapts';
import pg from 'pg';
import { openStore } from '../src/store/open-store.js';
import { createBenchDatabase } from './pgdir-database.js';
import { cpuMsOf } from './server-cpu.js';
import { freePort, rssOf, startServer } from './server-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const SETTLE_S = (process.env['FOOTPRINT_SETTLE_S'] ?? '5').split(',').map(Number);
const SEARCH_S = Number(process.env['FOOTPRINT_SEARCH_S'] ?? 0);
const NODE_ARGS = (process.env['FOOTPRINT_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
/** FOOTPRINT_PGDIR: another build's bin/pgdir.js (a copy of an older dist/, for before/after). */
const PGDIR = process.env['FOOTPRINT_PGDIR'] ?? join(ROOT, 'bin/pgdir.js');
const SUFFIX = 'dc=example,dc=com';
const PASSWORD = 'footprint-admin-secret';
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const mb = (bytes: number | undefined): string => `${((bytes ?? 0) / 1048576).toFixed(0)} MB`;

const SEED = (users: number): string => `
  INSERT INTO users (id, username, email, display_name, password_hash)
    SELECT gen_random_uuid(), 'user' || i, 'user' || i || '@example.com', 'User Number ' || i,
           '$2b$10$abcdefghijklmnopqrstuuAbCdEfGhIjKlMnOpQrStUvWxYz01234'
    FROM generate_series(1, ${users}) i;
  INSERT INTO groups (id, name, description)
    SELECT gen_random_uuid(), 'group' || g, 'Group ' || g FROM generate_series(1, ${Math.ceil(users / 50)}) g;
  INSERT INTO memberships (group_id, user_id)
    SELECT g.id, u.id
    FROM (SELECT id, row_number() OVER (ORDER BY gid_number) rn FROM groups) g
    JOIN (SELECT id, row_number() OVER (ORDER BY uid_number) rn FROM users) u
      ON g.rn = (u.rn - 1) / 50 + 1;`; // an equi-join: a range condition is a nested loop (20,000 × 1,000,000 rows)

/** A PostgreSQL database with the schema (migrated by openStore) and the seeded rows. */
async function database(dataDir: string): Promise<{ url: string; drop(): Promise<void> }> {
  const db = await createBenchDatabase(`f00${USERS}`, { ...process.env, BENCH_DATABASE: 'postgres' });
  if (db.url === undefined) throw new Error('no PostgreSQL');
  if (!db.loaded) {
    const store = await openStore({ url: db.url, dataDir });
    await store.close();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(SEED(USERS));
    await client.end();
    await db.saveAsTemplate();
  }
  return { url: db.url, drop: () => db.drop() };
}

/** Copies the PostgreSQL rows into a PGlite data directory with `pgdir backup` / `pgdir restore`. */
function toPglite(url: string, dir: string): string {
  const dataDir = join(dir, 'pglite');
  const backup = join(dir, 'backup.json');
  const run = (args: string[]): void => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/pgdir.js'), ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pgdir ${args[0]}: ${r.stderr}`);
  };
  const config = (o: object): string => {
    const file = join(dir, `${Object.keys(o).join('-')}.yaml`);
    writeFileSync(file, JSON.stringify({ data_dir: dataDir, ...o }));
    return file;
  };
  mkdirSync(dataDir);
  run(['backup', backup, '--config', config({ database: { url } })]);
  run(['restore', backup, '--config', config({})]);
  return dataDir;
}

interface Figures { rss?: number; cpuMs?: number; spaces: Map<string, number>; external?: number }

async function figures(pid: number | undefined, httpPort: number): Promise<Figures> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const spaces = new Map<string, number>();
  for (const m of text.matchAll(/^nodejs_heap_space_size_(used|total)_bytes\{space="(\w+)"\} (\d+)/gm)) {
    spaces.set(`${m[2]} ${m[1]}`, Number(m[3]));
  }
  const external = /^nodejs_external_memory_bytes (\d+)/m.exec(text)?.[1];
  return { rss: rssOf(pid), cpuMs: cpuMsOf(pid), spaces, external: external === undefined ? undefined : Number(external) };
}

function print(label: string, f: Figures): void {
  const sum = (kind: string): number => [...f.spaces].filter(([k]) => k.endsWith(kind)).reduce((s, [, v]) => s + v, 0);
  const space = (name: string): string => `${mb(f.spaces.get(`${name} used`))}/${mb(f.spaces.get(`${name} total`))}`;
  say(`${label}: RSS ${mb(f.rss)}, process CPU ${((f.cpuMs ?? 0) / 1000).toFixed(1)} s, heap used/total ${mb(sum('used'))}/${mb(sum('total'))} `
    + `(new ${space('new')}, old ${space('old')}, code ${space('code')}, large ${space('large_object')}), external ${mb(f.external)}`);
}

/** Point searches by uid on 8 connections for `seconds`; returns the count. */
async function searchLoad(port: number, seconds: number): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const one = async (): Promise<void> => {
    const client = new Client({ url: `ldap://127.0.0.1:${port}` });
    await client.bind(`cn=admin,ou=system,${SUFFIX}`, PASSWORD);
    while (Date.now() < end) {
      const uid = `user${1 + Math.floor(Math.random() * USERS)}`;
      const { searchEntries } = await client.search(`ou=users,${SUFFIX}`, { filter: `(uid=${uid})`, attributes: ['uid', 'mail', 'cn', 'memberOf'] });
      if (searchEntries.length !== 1) throw new Error(`${uid}: ${searchEntries.length} entries`);
      done++;
    }
    await client.unbind();
  };
  await Promise.all(Array.from({ length: 8 }, one));
  return done;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pgdir-footprint-'));
  const db = await database(dir);
  try {
    const pglite = process.env['BENCH_DATABASE'] === 'pglite';
    const dataDir = pglite ? toPglite(db.url, dir) : join(dir, 'data');
    if (!pglite) mkdirSync(dataDir);
    const [port, httpPort] = [await freePort(), await freePort()];
    writeFileSync(join(dir, 'secret'), `${PASSWORD}\n`, { mode: 0o600 });
    const config = join(dir, 'pgdir.yaml');
    writeFileSync(config, JSON.stringify({
      data_dir: dataDir, ...(pglite ? {} : { database: { url: db.url } }), log: { level: 'info', format: 'json' },
      http: { listen: `127.0.0.1:${httpPort}` },
      ldap: { suffix: SUFFIX, listen: [`ldap://127.0.0.1:${port}`], allowlist: ['127.0.0.1'], admin_password_file: join(dir, 'secret'), workers: 1 },
    }));
    const started = performance.now();
    const server = startServer(process.execPath, [...NODE_ARGS, PGDIR, 'serve', '--config', config]);
    const output = process.env['FOOTPRINT_OUTPUT'];
    if (output) server.child.stdout?.on('data', (chunk: Buffer) => appendFileSync(output, chunk));
    try {
      while (!/"msg":"pgdir is ready"/.test(server.output())) {
        if (server.exited() !== undefined) throw new Error(`pgdir exited (${server.exited()}): ${server.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const readyS = (performance.now() - started) / 1000;
      const readyCpu = cpuMsOf(server.child.pid) ?? 0;
      say(`${USERS} users, ${pglite ? 'PGlite' : 'PostgreSQL'}, node ${NODE_ARGS.join(' ') || '(no extra flags)'}`);
      say(`ready in ${readyS.toFixed(1)} s wall, ${(readyCpu / 1000).toFixed(1)} s CPU (user+sys), RSS at ready ${mb(rssOf(server.child.pid))}`);
      for (const at of SETTLE_S) {
        await new Promise((r) => setTimeout(r, Math.max(0, started + readyS * 1000 + at * 1000 - performance.now())));
        print(`${at} s after ready`, await figures(server.child.pid, httpPort));
      }
      if (SEARCH_S > 0) {
        const cpu0 = cpuMsOf(server.child.pid) ?? 0;
        const ops = await searchLoad(port, SEARCH_S);
        const cpuUs = (((cpuMsOf(server.child.pid) ?? 0) - cpu0) * 1000) / ops;
        say(`${SEARCH_S} s of uid searches (8 conns): ${ops} ops, ${(ops / SEARCH_S).toFixed(0)} ops/s, server CPU ${cpuUs.toFixed(0)} µs/op`);
        print('after the searches', await figures(server.child.pid, httpPort));
      }
    } finally {
      await server.stop();
    }
    say(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
}

await main();
