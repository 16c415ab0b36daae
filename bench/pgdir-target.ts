import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/open-store.js';
import type { Dataset } from './dataset.js';
import { createBenchDatabase } from './pgdir-database.js';
import { loadStore } from './pgdir-store-load.js';
import { waitUntilServing } from './probe.js';
import { freePort, rssOf, startServer } from './server-process.js';
import type { TlsFiles } from './slapd.js';
import { userDnOf } from './slapd-ldif.js';
import type { Target } from './target.js';

/**
 * pgdir as a benchmark target: the dataset goes into its store directly (openStore + batched
 * Store.write), then `pgdir serve` starts with a throwaway config (ldaps on a random loopback
 * port, the shared test PKI, the admin secret from a file) and is timed until it answers a uid
 * search for the last user, i.e. until its in-memory view is loaded and the listener is up.
 * It runs dist/ (bin/pgdir.js) when dist is newer than src/, else src/ through tsx;
 * BENCH_PGDIR=dist|source forces one.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Identifies the schema (migrations) and the dataset, for BENCH_CACHE_DB templates. */
function cacheKey(dataset: Dataset): string {
  const h = createHash('sha256').update(readFileSync(join(ROOT, 'src', 'store', 'migrations.ts')));
  h.update(readFileSync(join(ROOT, 'bench', 'pgdir-store-load.ts')));
  for (const u of dataset.users) h.update(`${u.id}:${u.username}:${u.displayName}:${u.role}:${u.passwordHash}\n`);
  for (const g of dataset.groups) h.update(`${g.name}:${g.members.join(',')}\n`);
  return h.digest('hex');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function pgdirCommand(env: NodeJS.ProcessEnv): { args: string[]; how: string } {
  const dist = join(ROOT, 'dist', 'cli', 'main.js');
  const useDist =
    env.BENCH_PGDIR === 'dist' ||
    (env.BENCH_PGDIR !== 'source' && existsSync(dist) && newestMtime(join(ROOT, 'dist')) >= newestMtime(join(ROOT, 'src')));
  return useDist
    ? { args: [join(ROOT, 'bin', 'pgdir.js')], how: 'bin/pgdir.js (dist)' }
    : { args: ['--import', 'tsx', join(ROOT, 'bench', 'pgdir-main.ts')], how: 'src/ through tsx' };
}

interface ConfigValues {
  dataDir: string; url: string | undefined; suffix: string; port: number; httpPort: number; tls: TlsFiles; adminPassword: string;
  /** pgdir's default `info` (the production default) unless BENCH_PGDIR_LOG says otherwise. */
  logLevel: string;
  /** `log.access` (BENCH_PGDIR_ACCESS: off, binds, all); pgdir's default `binds` when unset. */
  accessLog: string | undefined;
  /** `ldap.workers` (BENCH_PGDIR_WORKERS); pgdir's default (one per CPU) when unset. */
  workers: number | undefined;
}

function writeConfig(dir: string, o: ConfigValues): string {
  const secretFile = join(dir, 'admin-secret');
  writeFileSync(secretFile, `${o.adminPassword}\n`, { mode: 0o600 });
  const config = {
    data_dir: o.dataDir,
    ...(o.url ? { database: { url: o.url } } : {}),
    log: { level: o.logLevel, format: 'json', ...(o.accessLog === undefined ? {} : { access: o.accessLog }) },
    http: { listen: `127.0.0.1:${o.httpPort}` },
    ldap: {
      suffix: o.suffix,
      listen: [`ldaps://127.0.0.1:${o.port}`],
      tls: { cert_file: o.tls.certFile, key_file: o.tls.keyFile },
      allowlist: ['127.0.0.1'],
      admin_password_file: secretFile,
      size_limit: 0, // like slapd's `sizelimit unlimited`: the paged scan reads every user
      limits: { max_connections_per_ip: 1024 },
      ...(o.workers === undefined ? {} : { workers: o.workers }),
    },
  };
  const file = join(dir, 'pgdir.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2)); // JSON is valid YAML
  return file;
}

/** `workers`: `ldap.workers` of this target (named `pgdir-w<N>` then, so that several can run side by side). */
export async function startPgdirTarget(dataset: Dataset, suffix: string, tls: TlsFiles, env = process.env, workers?: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'pgdir-bench-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const database = await createBenchDatabase(cacheKey(dataset), env);
  const cleanup = async (): Promise<void> => {
    await database.drop().catch((err: Error) => console.error(`bench: could not drop the database: ${err.message}`));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const loadStart = performance.now();
    if (!database.loaded) {
      const store = await openStore({ url: database.url, dataDir, listen: false });
      try {
        await loadStore(store, dataset);
      } finally {
        await store.close();
      }
      await database.saveAsTemplate();
    }
    const loadMs = performance.now() - loadStart;
    return await serve(dataset, { dir, dataDir, url: database.url, suffix, tls, env, cleanup, workers, facts: [
      ['pgdir database', database.description],
      [database.loaded ? 'pgdir store copy (BENCH_CACHE_DB)' : 'pgdir store load (Store API)', `${(loadMs / 1000).toFixed(1)} s`],
    ] });
  } catch (err) {
    await cleanup();
    throw err;
  }
}

interface ServeOptions {
  dir: string; dataDir: string; url: string | undefined; suffix: string; tls: TlsFiles; env: NodeJS.ProcessEnv;
  cleanup: () => Promise<void>;
  facts: [string, string][];
  workers: number | undefined;
}

async function serve(dataset: Dataset, o: ServeOptions): Promise<Target> {
  const [port, httpPort] = [await freePort(), await freePort()];
  const logLevel = o.env.BENCH_PGDIR_LOG ?? 'info';
  const config = writeConfig(o.dir, { ...o, port, httpPort, adminPassword: dataset.adminPassword, logLevel, accessLog: o.env.BENCH_PGDIR_ACCESS, workers: o.workers });
  const { args, how } = pgdirCommand(o.env);
  // BENCH_PGDIR_NODE_ARGS: extra node flags for the daemon, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (o.env.BENCH_PGDIR_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const started = performance.now();
  const server = startServer(process.execPath, [...nodeArgs, ...args, 'serve', '--config', config]);
  const target: Target = {
    name: o.workers === undefined ? 'pgdir' : `pgdir-w${o.workers}`, url: `ldaps://127.0.0.1:${port}`, host: '127.0.0.1', port, ca: o.tls.ca, baseDn: o.suffix,
    adminDn: `cn=admin,ou=system,${o.suffix}`, adminPassword: dataset.adminPassword, userPassword: dataset.userPassword,
    userDn: (i) => userDnOf({ id: dataset.users[i]?.id ?? '' }, o.suffix),
    startupMs: 0,
    facts: [...o.facts, ['pgdir runs', how]],
    rss: () => rssOf(server.child.pid),
    pid: () => server.child.pid,
    async stop() {
      await server.stop();
      await o.cleanup();
    },
  };
  try {
    const last = dataset.users[dataset.users.length - 1]?.username ?? '';
    await waitUntilServing(target, last, server, 120_000, () =>
      /"msg":"pgdir is ready"/.test(server.output()) && !/ldap/i.test(/"services":\[[^\]]*\]/.exec(server.output())?.[0] ?? 'ldap')
        ? `pgdir is ready but runs no LDAP service yet (src/app.ts DEFAULT_SERVICES)`
        : undefined,
    );
  } catch (err) {
    await target.stop();
    throw err;
  }
  return { ...target, startupMs: performance.now() - started };
}
