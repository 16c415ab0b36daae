import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './pgdir-process.js';

/**
 * A throwaway PostgreSQL cluster of its own (initdb in a temp directory, an ephemeral port on
 * 127.0.0.1, trust auth) that fault tests may stop, kill and restart. The shared server on 5432
 * is never touched: other engineers' tests run against it. initdb and postgres refuse to run as
 * root, so under root every command runs as the `postgres` system user (`runuser`).
 */
export interface PrivatePostgres {
  readonly port: number;
  readonly dataDir: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast`: what `pg_ctlcluster … stop` does (clients are disconnected). */
  stop(): Promise<void>;
  /** `pg_ctl stop -m immediate`: the postmaster dies without a checkpoint, like a crash. */
  kill(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  running(): boolean;
  /** Runs SQL as postgres on `database`. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(database: string, text: string, values?: unknown[]): Promise<R[]>;
  /** Stops the cluster (immediate) and removes its directory. */
  destroy(): Promise<void>;
}

/** The newest Debian PostgreSQL binaries (e.g. /usr/lib/postgresql/15/bin), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

const asRoot = process.getuid?.() === 0;

function run(bin: string, args: readonly string[]): Promise<string> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      err === null ? resolve(stdout) : reject(new Error(`${bin} ${args.join(' ')}: ${err.message}\n${stderr}`)),
    );
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql)');
  const root = await mkdtemp(join(tmpdir(), 'pgdir-private-pg-'));
  const dataDir = join(root, 'data');
  const log = join(root, 'postgres.log');
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(root, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
  }
  chmodSync(root, 0o700);
  const port = await freePort();
  await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  // Small and fast: no fsync (the cluster is thrown away), sockets in the temp dir, loopback only.
  const options = `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB`;
  let up = false;
  const cluster: PrivatePostgres = {
    port,
    dataDir,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      await cluster.query('postgres', `CREATE DATABASE ${name}`);
      return cluster.url(name);
    },
    async start() {
      await run(join(bin, 'pg_ctl'), ['start', '-D', dataDir, '-l', log, '-w', '-t', '30', '-o', options]);
      up = true;
    },
    async stop() {
      await run(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30']);
      up = false;
    },
    async kill() {
      await run(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30']);
      up = false;
    },
    async restart() {
      await cluster.stop();
      await cluster.start();
    },
    running: () => up,
    async query<R extends pg.QueryResultRow>(database: string, text: string, values?: unknown[]) {
      const client = new pg.Client({ connectionString: cluster.url(database) });
      await client.connect();
      try {
        return (await client.query<R>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async destroy() {
      if (up) await cluster.kill().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
