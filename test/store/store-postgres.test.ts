import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../src/domain/errors.js';
import { openStore } from '../../src/store/open-store.js';
import type { Change, Store } from '../../src/store/store.js';
import { createTempDir, createTestDatabase } from '../helpers/databases.js';

const WRITER = fileURLToPath(new URL('../helpers/store-writer-process.ts', import.meta.url));
const uniq = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runWriterProcess(url: string, username: string): Promise<{ revision: number; committedAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, url, username], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('store on PostgreSQL: several processes', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: Awaited<ReturnType<typeof createTempDir>>;
  let store: Store;

  beforeAll(async () => {
    [database, dir] = await Promise.all([createTestDatabase(), createTempDir()]);
    store = await openStore({ url: database.url, dataDir: dir.path });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
    await dir?.remove();
  });

  it('delivers a write from another process to this subscriber within a second', async () => {
    const received: { revision: number; at: number }[] = [];
    const unsubscribe = store.subscribe((revision) => received.push({ revision, at: Date.now() }));
    const username = uniq('remote');
    const { revision, committedAt } = await runWriterProcess(database.url, username);
    await expect.poll(() => received.find((r) => r.revision === revision), { timeout: 1000 }).toBeDefined();
    const delivery = received.find((r) => r.revision === revision)!;
    expect(delivery.at - committedAt).toBeLessThan(1000);
    expect(await store.findUserByUsername(username)).toMatchObject({ username });
    expect(await store.changesSince(revision - 1)).toMatchObject([{ revision, kind: 'user', op: 'upsert' }]);
    unsubscribe();
  });

  it('re-establishes LISTEN after the backend is terminated, then delivers again', async () => {
    let reconnects = 0;
    const received: number[] = [];
    const unsubscribe = store.subscribe(
      (revision) => received.push(revision),
      () => reconnects++,
    );
    const terminated = await withClient(database.url, async (client) => {
      const result = await client.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'pgdir-listen'`,
      );
      return result.rowCount;
    });
    expect(terminated).toBe(1);
    await expect.poll(() => reconnects, { timeout: 5000 }).toBe(1);
    const other = await openStore({ url: database.url, dataDir: dir.path, listen: false });
    try {
      await other.write((tx) => tx.setSetting(uniq('after-reconnect.'), true));
      const revision = await other.revision();
      await expect.poll(() => received.includes(revision), { timeout: 1000 }).toBe(true);
    } finally {
      await other.close();
    }
    unsubscribe();
  });

  it('orders revisions by commit across concurrent writers in two stores', async () => {
    const other = await openStore({ url: database.url, dataDir: dir.path, listen: false });
    const start = await store.revision();
    const observed: Change[] = [];
    const seen: number[] = [];
    const unsubscribe = store.subscribe((revision) => seen.push(revision));
    let writing = true;
    const poller = (async () => {
      // A reader that only ever asks for what is after the last revision it saw: any commit
      // that became visible out of revision order would be skipped here for good.
      while (writing) {
        const after = observed.at(-1)?.revision ?? start;
        observed.push(...(await store.changesSince(after)));
        await sleep(1);
      }
    })();
    const tag = uniq('w');
    const write = (target: Store, i: number) =>
      target.write(async (tx) => {
        await tx.insertUser({ username: `${tag}${i}`, email: `${tag}${i}@example.com` });
        await sleep(Math.floor(Math.random() * 8)); // hold the transaction open for a while
        await tx.setSetting(`${tag}.${i}`, i);
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => write(i % 2 === 0 ? store : other, i)));
    writing = false;
    await poller;
    const end = await store.revision();
    observed.push(...(await store.changesSince(observed.at(-1)?.revision ?? start)));
    expect(end).toBe(start + 80);
    expect(observed.map((c) => c.revision)).toEqual(Array.from({ length: 80 }, (_, i) => start + i + 1));
    // Each transaction's two changes are adjacent: revisions follow commits, not statements.
    for (let i = 0; i < 80; i += 2) {
      expect(observed[i]!.kind).toBe('user');
      expect(observed[i + 1]!.kind).toBe('setting');
    }
    await expect.poll(() => seen.at(-1), { timeout: 1000 }).toBe(end);
    expect(seen).toEqual([...new Set(seen)].sort((a, b) => a - b));
    unsubscribe();
    await other.close();
  });

  it('never deadlocks two writers that insert each other\'s pending usernames', async () => {
    const other = await openStore({ url: database.url, dataDir: dir.path, listen: false });
    const [x, y] = [uniq('x'), uniq('y')];
    const user = (tx: Parameters<Parameters<Store['write']>[0]>[0], name: string) =>
      tx.insertUser({ username: name, email: `${name}@example.com` });
    const first = store.write(async (tx) => {
      await user(tx, x);
      await sleep(150);
      await user(tx, y);
    });
    await sleep(30);
    const second = other.write(async (tx) => {
      await user(tx, y);
      await user(tx, x);
    });
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { kind: 'conflict', field: 'username' } });
    await other.close();
  });

  it('ends its pool and listener on close, and refuses calls afterwards', async () => {
    const name = uniq('closing');
    const extra = await openStore({ url: database.url, dataDir: dir.path });
    await extra.write((tx) => tx.setSetting(name, 1));
    const count = () =>
      withClient(database.url, async (client) =>
        Number((await client.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'pgdir%'`)).rows[0].n),
      );
    const before = await count();
    await extra.close();
    await expect.poll(count).toBeLessThanOrEqual(before - 2); // its pool connection and its listener
    await expect(extra.revision()).rejects.toMatchObject({ kind: 'unavailable' });
    await extra.close(); // idempotent
  });

  it('reports an unreachable server as unavailable', async () => {
    const error = await openStore({ url: 'postgres://postgres@127.0.0.1:1/none', dataDir: dir.path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectoryError);
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect((error as Error).message).toMatch(/^cannot open PostgreSQL: /);
  });
});
