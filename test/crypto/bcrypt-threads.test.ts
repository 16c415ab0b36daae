import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifySync } from '@node-rs/bcrypt';
import { afterAll, describe, expect, it } from 'vitest';
import { createBcryptThreads } from '../../src/crypto/bcrypt-threads.js';

/** Nice values of this process's threads (field 19 of /proc/<pid>/task/<tid>/stat, after the comm). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[16]); // state is field 3, nice is field 19
  });
}

describe('bcrypt worker threads', () => {
  const threads = createBcryptThreads(2, 7);
  afterAll(async () => {
    await threads.close();
  });

  it('hashes and verifies $2b$ compatibly with the library, on threads reniced to 7', async () => {
    const before = threadNices().filter((n) => n === 7).length;
    const hashes = await Promise.all(['one', 'two', 'three'].map((p) => threads.hash(p, 4)));
    for (const h of hashes) expect(h).toMatch(/^\$2b\$04\$/);
    expect(verifySync('two', hashes[1]!)).toBe(true);
    expect(await threads.verify('three', hashes[2]!)).toBe(true);
    expect(await threads.verify('nope', hashes[2]!)).toBe(false);
    expect(threadNices().filter((n) => n === 7).length - before).toBe(2);
  });

  it('turns a library error into a rejection and keeps serving', async () => {
    expect(await threads.verify('x', 'not a bcrypt hash')).toBe(false);
    await expect(threads.hash('x', 99)).rejects.toThrow(/cost/i);
    expect(await threads.verify('x', await threads.hash('x', 4))).toBe(true);
  });

  it('runs at most its thread count at once and queues the rest in order', async () => {
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => threads.hash(`p${i}`, 4)));
    expect(new Set(results).size).toBe(9);
    for (const [i, h] of results.entries()) expect(verifySync(`p${i}`, h)).toBe(true);
  });

  it('hands one thread its next jobs ahead (depth 2) and answers each its own, errors included', async () => {
    const single = createBcryptThreads(1, 8, 2);
    try {
      const before = threadNices().filter((n) => n === 8).length;
      const jobs = [single.hash('a', 4), single.hash('b', 99), single.hash('c', 4), single.verify('d', 'not a hash')];
      const settled: PromiseSettledResult<string | boolean>[] = await Promise.allSettled(jobs);
      const hashOf = (i: number): string => {
        const r = settled[i];
        return r?.status === 'fulfilled' ? String(r.value) : '';
      };
      expect(verifySync('a', hashOf(0))).toBe(true);
      expect(settled[1]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/cost/i) }) });
      expect(verifySync('c', hashOf(2))).toBe(true);
      expect(settled[3]).toEqual({ status: 'fulfilled', value: false });
      expect(threadNices().filter((n) => n === 8).length - before).toBe(1);
    } finally {
      await single.close();
    }
  });

  it('keeps a process alive while a hash is in flight, and never once idle', () => {
    const module = fileURLToPath(new URL('../../src/crypto/bcrypt-threads.ts', import.meta.url));
    const script = `import { sharedBcryptThreads } from ${JSON.stringify(module)};
      const t = sharedBcryptThreads();
      t.hash('pw', 10).then((h) => { console.log(h.slice(0, 7)); t.hash('again', 4); });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('$2b$10$\n'); // printed: the pending hash kept it alive
    expect(run.status).toBe(0); // and it exited once the pool was idle (no timeout kill)
  });
});
