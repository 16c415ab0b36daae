import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * bcrypt on a few dedicated worker threads that lower their own CPU priority (nice), so that when
 * binds saturate the hashers the event loop still wins the CPU and searches keep their latency
 * (issue 4: search p99 while bcrypt binds run). @node-rs/bcrypt's async API runs on libuv's pool,
 * whose threads cannot be told apart from Node's others to renice them; a worker thread can renice
 * itself: Linux's setpriority() takes a thread id, which /proc/thread-self names. On systems
 * without it the threads simply run at normal priority.
 */
export interface BcryptThreads {
  hash(password: string, cost: number): Promise<string>;
  verify(password: string, encoded: string): Promise<boolean>;
  close(): Promise<void>;
}

type Job = { readonly op: 'hash'; readonly password: string; readonly cost: number } | { readonly op: 'verify'; readonly password: string; readonly encoded: string };
interface Reply {
  readonly id: number;
  readonly value?: string | boolean;
  readonly error?: string;
}
interface Pending {
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

// Plain JavaScript evaluated in the worker: no build step or TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isSafeInteger(tid) && workerData.nice > 0) require('node:os').setPriority(tid, workerData.nice);
} catch {}
const bcrypt = require(workerData.module);
parentPort.on('message', ({ id, job }) => {
  try {
    const value = job.op === 'hash' ? bcrypt.hashSync(job.password, { cost: job.cost }) : bcrypt.verifySync(job.password, job.encoded);
    parentPort.postMessage({ id, value });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

const BCRYPT_MODULE = createRequire(import.meta.url).resolve('@node-rs/bcrypt');

/**
 * `threads` workers (started on first use); further jobs wait in its queue, in order. Each worker
 * is handed up to `depth` jobs at once: the next one already waits in the worker's own message
 * queue when a hash ends, so a worker starts it at once instead of idling until the main thread's
 * event loop (busy with searches under load) gets round to handing it over (issue 18).
 */
export function createBcryptThreads(threads: number, nice = DEFAULT_BCRYPT_NICE, depth = BCRYPT_DEPTH): BcryptThreads {
  const all = new Set<Worker>();
  const queue: { id: number; job: Job }[] = [];
  const pending = new Map<number, Pending>();
  /** The jobs handed to each live worker, oldest first (a worker answers in order). */
  const inFlight = new Map<Worker, number[]>();
  let nextId = 0;

  function spawn(): Worker {
    // No inherited execArgv: flags like --input-type=module would turn the CommonJS source into ESM.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { module: BCRYPT_MODULE, nice } });
    worker.on('message', (reply: Reply) => settle(worker, reply));
    worker.on('error', (error) => fail(worker, error));
    worker.on('exit', () => fail(worker, new Error('bcrypt worker exited')));
    worker.unref(); // after the listeners (adding one refs it again): idle hashers never keep the process alive
    all.add(worker);
    inFlight.set(worker, []);
    return worker;
  }

  /** The least loaded worker below `depth` jobs; an idle one first, then a new one, then a second job. */
  function pick(): Worker | undefined {
    let best: Worker | undefined;
    let load = depth;
    for (const [worker, ids] of inFlight) {
      if (ids.length < load) [best, load] = [worker, ids.length];
    }
    if (load === 0) return best;
    return all.size < threads ? spawn() : best;
  }

  function dispatch(): void {
    while (queue.length > 0) {
      const worker = pick();
      if (worker === undefined) return;
      const next = queue.shift()!;
      const ids = inFlight.get(worker)!;
      if (ids.length === 0) worker.ref(); // a job in flight keeps the process alive until its answer (a CLI awaiting a hash)
      ids.push(next.id);
      worker.postMessage(next);
    }
  }

  function settle(worker: Worker, reply: Reply): void {
    const ids = inFlight.get(worker);
    ids?.shift();
    if (ids?.length === 0) worker.unref();
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
    else waiter?.resolve(reply.value as string | boolean);
    dispatch();
  }

  /** A dead worker fails its jobs; the next job starts a fresh one. */
  function fail(worker: Worker, error: Error): void {
    if (!all.delete(worker)) return;
    const ids = inFlight.get(worker) ?? [];
    inFlight.delete(worker);
    for (const id of ids) {
      pending.get(id)?.reject(error);
      pending.delete(id);
    }
    dispatch();
  }

  function run<T extends string | boolean>(job: Job): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: string | boolean) => void, reject });
      queue.push({ id, job });
      dispatch();
    });
  }

  return {
    hash: (password, cost) => run<string>({ op: 'hash', password, cost }),
    verify: (password, encoded) => run<boolean>({ op: 'verify', password, encoded }),
    async close() {
      const workers = [...all];
      all.clear();
      inFlight.clear();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Jobs handed to each worker at once (see createBcryptThreads). */
export const BCRYPT_DEPTH = 2;

/**
 * The hashers' default nice value (`bcrypt.nice`): 10 gives a bcrypt thread about a tenth of the
 * weight of an LDAP thread on a busy CPU, so searches keep their latency while binds hash
 * (docs/performance.md, "bcrypt binds under search load").
 */
export const DEFAULT_BCRYPT_NICE = 10;

/** The threads of a shared pool: one per CPU. */
export const bcryptThreadCount = (): number => Math.max(1, availableParallelism());

const shared = new Map<number, BcryptThreads>();

/**
 * The process's pool for a nice value (the daemon uses one), one thread per CPU: every hasher
 * (daemon, tests making many) shares it, so the threads, each a V8 isolate of several MB, exist once.
 */
export function sharedBcryptThreads(nice = DEFAULT_BCRYPT_NICE): BcryptThreads {
  const existing = shared.get(nice);
  if (existing !== undefined) return existing;
  const pool = createBcryptThreads(bcryptThreadCount(), nice);
  shared.set(nice, pool);
  return pool;
}
