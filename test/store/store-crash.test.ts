import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';

const WRITER = fileURLToPath(new URL('../helpers/crash-writer-process.ts', import.meta.url));

/** Runs the writer until it is inside its second write, then kills it with SIGKILL. */
async function crashMidWrite(options: object, tag: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, JSON.stringify(options), tag], { stdio: ['ignore', 'pipe', 'pipe'] });
  const seen: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      seen.push(...chunk.toString().split('\n').filter(Boolean));
      if (seen.includes('inside')) resolve();
    });
    child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return seen;
}

/**
 * Issue 2: a process killed in the middle of a multi-row write leaves nothing of that write, and
 * keeps what it had committed before (both modes; PGlite recovers its WAL on the next open).
 */
describe.each(storeModes)('a writer killed mid-transaction on $mode', ({ create }) => {
  let fixture: StoreFixture;
  beforeAll(async () => {
    fixture = await create();
    const store = await openStore(fixture.options); // migrations applied before the crash
    await store.close();
  }, 60_000);
  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('loses the open write entirely and keeps the committed one', async () => {
    const tag = `crash${Date.now() % 100000}`;
    expect(await crashMidWrite(fixture.options, tag)).toEqual(['committed', 'inside']);
    const store = await openStore(fixture.options);
    try {
      const revision = await store.revision();
      const users = await store.listUsers({ search: tag });
      expect(users.users.map((u) => u.username)).toEqual([`${tag}-committed`]);
      expect((await store.listGroups()).filter((g) => g.name.startsWith(tag))).toEqual([]);
      expect(await store.getSetting(`${tag}-setting`)).toBeUndefined();
      // The change log ends with the committed user: no revision of the lost write survived.
      const last = (await store.changesSince(revision - 1))[0];
      expect(last).toMatchObject({ revision, kind: 'user', key: users.users[0]!.id });
      // And the store takes the same write again (no leftover lock, constraint or counter gap).
      await store.write((tx) => tx.insertUser({ username: `${tag}-1`, email: `${tag}-1@example.com` }));
      expect(await store.revision()).toBe(revision + 1);
    } finally {
      await store.close();
    }
  }, 60_000);
});
