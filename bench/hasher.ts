/**
 * Password hasher throughput and event-loop latency (DESIGN §2.4).
 *
 *   node --import tsx bench/hasher.ts [seconds=5] [cost=10]
 *
 * For each in-flight cap it runs verifies at concurrency 8 for `seconds` and reports verifies/s
 * and the p50/p99/max gap of a 1 ms setInterval probe (what every other request would wait).
 * bcryptjs (pure JS on the event loop) is measured too when it happens to be installed; it is not
 * a dependency.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createPasswordHasher } from '../src/crypto/password-hasher.js';

const seconds = Number(process.argv[2] ?? 5);
const cost = Number(process.argv[3] ?? 10);
const CONCURRENCY = 8;

type Verify = (password: string, encoded: string) => Promise<boolean>;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function run(label: string, verify: Verify, encoded: string): Promise<void> {
  const gaps: number[] = [];
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      if (!(await verify('correct horse battery', encoded))) throw new Error('verify failed');
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(probe);
  const sorted = gaps.sort((a, b) => a - b);
  const ms = (x: number): string => `${x.toFixed(1)} ms`;
  console.log(
    `${label.padEnd(34)} ${(done / elapsed).toFixed(1).padStart(6)} verifies/s   probe p50 ${ms(percentile(sorted, 50))}` +
      `  p99 ${ms(percentile(sorted, 99))}  max ${ms(sorted[sorted.length - 1] ?? NaN)}`,
  );
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${availableParallelism()} CPUs, cost ${cost}, concurrency ${CONCURRENCY}, ${seconds} s each`);
  for (const maxConcurrent of [1, 2, 4, 8]) {
    const hasher = createPasswordHasher({ cost, maxConcurrent });
    const encoded = await hasher.hash('correct horse battery');
    await run(`@node-rs/bcrypt, cap ${maxConcurrent}`, (pw, h) => hasher.verify(pw, h), encoded);
  }
  const unknown = createPasswordHasher({ cost });
  await run('@node-rs/bcrypt, default cap, unknown', async (pw) => !(await unknown.verify(pw, null)), '');
  await bcryptjs();
}

async function bcryptjs(): Promise<void> {
  const name = 'bcryptjs';
  let lib: { hashSync(pw: string, cost: number): string; compare(pw: string, h: string): Promise<boolean> };
  try {
    lib = ((await import(name)) as { default: typeof lib }).default;
  } catch {
    console.log('bcryptjs not installed: skipped');
    return;
  }
  await run('bcryptjs (event loop)', (pw, h) => lib.compare(pw, h), lib.hashSync('correct horse battery', cost));
}

await main();
