import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';
import { createSemaphore } from '../../src/crypto/semaphore.js';

// OpenBSD/Openwall bcrypt test vectors; $2a$, $2b$ and $2y$ give the same digest for these inputs.
const VECTORS: Array<[string, string]> = [
  ['U*U', 'CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  ['U*U*', 'CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'],
  ['U*U*U', 'XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a'],
  ['', 'CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy'],
];

/** libxcrypt through Python's crypt module: an independent bcrypt implementation, when present. */
function pythonCrypt(password: string, setting: string): string | undefined {
  try {
    const script = 'import crypt,sys,warnings\nprint(crypt.crypt(sys.argv[1], sys.argv[2]) or "")';
    const out = execFileSync('python3', ['-W', 'ignore', '-c', script, password, setting], { encoding: 'utf8' }).trim();
    return out.startsWith('$2') ? out : undefined;
  } catch {
    return undefined;
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

describe('password hasher', () => {
  const hasher = createPasswordHasher({ cost: 4 });

  it('hashes as $2b$ at the configured cost and verifies', async () => {
    const encoded = await hasher.hash('correct horse');
    expect(encoded).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(await hasher.verify('correct horse', encoded)).toBe(true);
    expect(await hasher.verify('correct hors', encoded)).toBe(false);
    expect(await hasher.hash('correct horse')).not.toBe(encoded); // fresh salt each time
  });

  it.each(VECTORS.flatMap(([pw, rest]) => ['2a', '2b', '2y'].map((v) => [pw, `$${v}$05$${rest}`] as const)))(
    'verifies the known vector %j against %s',
    async (pw, encoded) => {
      expect(await hasher.verify(pw, encoded)).toBe(true);
      expect(await hasher.verify(`${pw}x`, encoded)).toBe(false);
    },
  );

  const oracle = pythonCrypt('U*U', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.') !== undefined;
  it.skipIf(!oracle).each(['2a', '2b', '2y'])('agrees with libxcrypt on $%s$ both ways', async (version) => {
    const pw = 'pässwörd 😀';
    const theirs = pythonCrypt(pw, `$${version}$06$abcdefghijklmnopqrstuu`);
    expect(theirs).toMatch(new RegExp(`^\\$${version}\\$06\\$`));
    expect(await hasher.verify(pw, theirs)).toBe(true);
    const ours = await hasher.hash(pw);
    expect(pythonCrypt(pw, ours)).toBe(ours);
  });

  it.each([[null], [undefined], [''], ['garbage'], ['$2b$99$abc'], ['{SSHA}abcdef']])(
    'answers false for the unusable hash %j',
    async (encoded) => {
      expect(await hasher.verify('whatever1', encoded)).toBe(false);
    },
  );

  it('answers false for a non-string password instead of throwing', async () => {
    const encoded = await hasher.hash('12345678');
    expect(await hasher.verify(undefined as unknown as string, encoded)).toBe(false);
  });

  it('flags hashes weaker than the configured cost for rehash', () => {
    const strict = createPasswordHasher({ cost: 6 });
    expect(strict.needsRehash(`$2b$05$${VECTORS[0]?.[1]}`)).toBe(true);
    expect(strict.needsRehash(`$2b$06$${VECTORS[0]?.[1]}`)).toBe(false);
    expect(strict.needsRehash(`$2x$06$${VECTORS[0]?.[1]}`)).toBe(true);
    expect(strict.needsRehash('garbage')).toBe(true);
  });

  it('hashes on threads at the configured nice value (bcrypt.nice)', async () => {
    const niceOf = (n: number): number =>
      readdirSync('/proc/self/task').filter((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === n;
      }).length;
    const before = niceOf(13);
    const hasher = createPasswordHasher({ cost: 4, nice: 13 });
    expect(await hasher.verify('pw', await hasher.hash('pw'))).toBe(true);
    expect(niceOf(13)).toBeGreaterThan(before);
  });

  it('refuses a cost outside 4..31', () => {
    expect(() => createPasswordHasher({ cost: 3 })).toThrow(RangeError);
    expect(() => createPasswordHasher({ cost: 32 })).toThrow(/from 4 to 31/);
    expect(() => createPasswordHasher({ cost: 10.5 })).toThrow(RangeError);
  });
});

describe('password hasher timing (cost 10)', () => {
  const hasher = createPasswordHasher({ cost: 10, maxConcurrent: 1 });

  it('spends as long on an unknown user as on a known one', async () => {
    const encoded = await hasher.hash('s3cret-pass');
    await hasher.verify('warm-up', null);
    const known: number[] = [];
    const unknown: number[] = [];
    const garbage: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await timed(() => hasher.verify('wrong-pass', encoded)));
      unknown.push(await timed(() => hasher.verify('wrong-pass', null)));
      garbage.push(await timed(() => hasher.verify('wrong-pass', 'not-a-hash')));
    }
    const ratio = median(unknown) / median(known);
    expect(median(known)).toBeGreaterThan(10); // a real cost-10 bcrypt ran
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
    expect(median(garbage) / median(known)).toBeGreaterThan(0.6);
  });

  it('keeps the event loop responsive while hashing', async () => {
    const busy = createPasswordHasher({ cost: 12, maxConcurrent: 2 });
    const single = await timed(() => busy.hash('warm-up-pass'));
    const gaps: number[] = [];
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 1);
    await Promise.all([busy.hash('a-password'), busy.hash('b-password'), busy.verify('x', null)]);
    clearInterval(probe);
    // Hashing on the event loop would stall the 1 ms probe for a whole hash (≥ `single`); relative
    // to it, so that a loaded machine slows both sides alike.
    expect(single).toBeGreaterThan(50);
    expect(gaps.length).toBeGreaterThan(10);
    expect(Math.max(...gaps)).toBeLessThan(single / 2);
  });
});

describe('semaphore', () => {
  it('runs at most N jobs at once, in arrival order', async () => {
    const limit = createSemaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const job = (i: number) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      running -= 1;
      return i;
    };
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => limit(job(i))));
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(order.slice(0, 2).sort()).toEqual([0, 1]);
  });

  it('frees the slot when a job fails', async () => {
    const limit = createSemaphore(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(() => createSemaphore(0)).toThrow(RangeError);
  });
});
