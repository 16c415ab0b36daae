import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Where the benchmark's pgdir keeps its data: a fresh database on the local PostgreSQL (dropped
 * afterwards), or PGlite in the data directory when BENCH_DATABASE=pglite or no server answers.
 * BENCH_DATABASE_URL names the server (its database part is only used to connect for CREATE).
 */
export interface BenchDatabase {
  /** undefined → PGlite. */
  readonly url: string | undefined;
  readonly description: string;
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

export async function createBenchDatabase(env: NodeJS.ProcessEnv = process.env): Promise<BenchDatabase> {
  const pglite: BenchDatabase = { url: undefined, description: 'PGlite (embedded)', drop: async () => undefined };
  if (env.BENCH_DATABASE === 'pglite') return pglite;
  const serverUrl = env.BENCH_DATABASE_URL ?? DEFAULT_SERVER;
  const name = `pgdir_bench_${randomBytes(4).toString('hex')}`;
  try {
    await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  } catch (err) {
    if (env.BENCH_DATABASE === 'postgres') throw err;
    console.error(`bench: PostgreSQL at ${serverUrl.replace(/:[^:@/]*@/, ':***@')} unavailable (${(err as Error).message}); using PGlite`);
    return pglite;
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    description: `PostgreSQL ${url.host}/${name}`,
    drop: () => admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
