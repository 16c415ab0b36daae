import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Where the benchmark's pgdir keeps its data: a fresh database on the local PostgreSQL (dropped
 * afterwards), or PGlite in the data directory when BENCH_DATABASE=pglite or no server answers.
 * BENCH_DATABASE_URL names the server (its database part is only used to connect for CREATE).
 *
 * Loading 100,000 users through the Store API takes minutes, so with BENCH_CACHE_DB=1 a loaded
 * database is kept as a template (`pgdir_bench_t_<key>`, the key covering the migrations and the
 * dataset) and later runs copy it instead (CREATE DATABASE ... TEMPLATE). Drop those with
 * `DROP DATABASE pgdir_bench_t_...` when done.
 */
export interface BenchDatabase {
  /** undefined → PGlite. */
  readonly url: string | undefined;
  readonly description: string;
  /** True when the database was copied from a cached, already loaded template. */
  readonly loaded: boolean;
  /** Keeps the (loaded, closed) database as the template for later runs, when caching is on. */
  saveAsTemplate(): Promise<void>;
  drop(): Promise<void>;
}

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const PGLITE: BenchDatabase = {
  url: undefined, description: 'PGlite (embedded)', loaded: false, saveAsTemplate: async () => undefined, drop: async () => undefined,
};

/** `cacheKey`: lower-case hex identifying the schema and the dataset. */
export async function createBenchDatabase(cacheKey: string, env: NodeJS.ProcessEnv = process.env): Promise<BenchDatabase> {
  if (env.BENCH_DATABASE === 'pglite') return PGLITE;
  const serverUrl = env.BENCH_DATABASE_URL ?? DEFAULT_SERVER;
  const name = `pgdir_bench_${randomBytes(4).toString('hex')}`;
  const template = `pgdir_bench_t_${cacheKey.slice(0, 16)}`;
  const caching = env.BENCH_CACHE_DB === '1';
  let loaded = false;
  try {
    loaded = await admin(serverUrl, async (c) => {
      const cached = caching && (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount === 1;
      await c.query(cached ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
      return cached;
    });
  } catch (err) {
    if (env.BENCH_DATABASE === 'postgres') throw err;
    console.error(`bench: PostgreSQL at ${serverUrl.replace(/:[^:@/]*@/, ':***@')} unavailable (${(err as Error).message}); using PGlite`);
    return PGLITE;
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    description: `PostgreSQL ${url.host}/${name}${loaded ? ` (copied from cached ${template})` : ''}`,
    loaded,
    saveAsTemplate: async () => {
      if (caching && !loaded) await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${template} TEMPLATE ${name}`));
    },
    drop: () => admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
