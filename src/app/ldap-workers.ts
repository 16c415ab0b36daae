import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import type { DaemonContext, Service } from '../daemon/service.js';
import type { AutoCreator, ExternalPasswordVerifier } from '../directory/auth/bind-service.js';
import type { LdapService } from '../ldap/ldap-service.js';
import type { SharedConnectionCounts } from '../ldap/server/shared-connection-counts.js';
import type { LdapWorkerData } from './worker-context.js';
import { exposeHashTurns } from './worker-hash-turns.js';
import type { LogLine } from './worker-logger.js';
import { RpcPeer } from './worker-rpc.js';

/** Run from src/ through tsx (tests, `npm run bench` with BENCH_PGDIR=source) or from dist/. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const SCRIPT = new URL(FROM_SOURCE ? './ldap-worker.ts' : './ldap-worker.js', import.meta.url);

/** The worker's entry: from src/, a module that registers tsx's loader in the thread first. */
function entry(): URL {
  if (!FROM_SOURCE) return SCRIPT;
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(SCRIPT.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

export interface LdapWorkers extends Service {
  /** Resolves once every worker applied the directory-server settings announced so far. */
  settingsApplied(): Promise<void>;
  /** Each worker's metrics (prom-client's JSON), for the main thread's /metrics to sum. */
  metrics(): Promise<unknown[][]>;
  /**
   * Resolves once every worker thread listens (rejects if one could not start). start() does not
   * wait for it: until a worker has loaded its view it does not listen, and the kernel gives its
   * share of new connections to the threads that do, so the daemon is ready as soon as the main
   * thread is, and start-up and shutdown take as long as with one thread.
   */
  ready(): Promise<void>;
  /** Open connections of each worker thread (not the main thread's). */
  connections(): Promise<number[]>;
  readonly count: number;
}

interface Running {
  readonly worker: Worker;
  readonly rpc: RpcPeer;
  unsubscribe(): void;
}

/**
 * `ldap.workers` − 1 worker threads next to the main thread's LDAP service, each serving LDAP on the
 * same ports (SO_REUSEPORT) from its own view (app/ldap-worker.ts). The main thread owns the store
 * and forwards each worker the one change stream (LISTEN/NOTIFY or PGlite's in-process events), and
 * answers its store reads and use-case calls. A worker that dies is logged and started again.
 */
export function ldapWorkers(
  context: DaemonContext,
  main: LdapService,
  options: { external?: ExternalPasswordVerifier | undefined; autoCreate?: AutoCreator | undefined; sharedCounts: SharedConnectionCounts },
): LdapWorkers {
  const { logger } = context;
  const log = logger.child({ component: 'ldap-workers' });
  const count = Math.max(0, context.config.ldap.workers - 1);
  const running = new Map<number, Running>();
  let closing = false;
  let allStarted: Promise<void> = Promise.resolve();

  function spawn(index: number): Promise<void> {
    const config: Config = { ...context.config, ldap: { ...context.config.ldap, listen: main.server.addresses().map((a) => a.url) } };
    const data: LdapWorkerData = {
      index, config, mode: context.store.mode, revision: context.changes.revision,
      hasExternal: options.external !== undefined, hasAutoCreate: options.autoCreate !== undefined, sharedCounts: options.sharedCounts.buffer,
      gateTickets: context.throttle.gate.tickets.buffer,
    };
    const worker = new Worker(entry(), { workerData: data, name: `pgdir-ldap-${index}` });
    const rpc = new RpcPeer(worker);
    rpc.expose('store', context.store);
    rpc.expose('hasher', context.hasher);
    rpc.expose('directory', context.directory);
    const turns = exposeHashTurns(rpc, context.throttle.gate);
    if (options.external !== undefined) rpc.expose('external', options.external);
    if (options.autoCreate !== undefined) rpc.expose('autoCreate', options.autoCreate);
    rpc.on('log', (lines) => writeLines(logger, lines as LogLine[]));
    // Through the main thread's LDAP access log: one flood limit for the daemon (ldap/access-log.ts).
    rpc.on('access', (lines) => {
      for (const [, obj, msg] of lines as LogLine[]) main.accessLog?.relay(obj as Record<string, unknown>, msg);
    });
    const unsubscribe = context.changes.subscribe((revision) => rpc.emit('revision', revision), () => rpc.emit('reconnect'));
    running.set(index, { worker, rpc, unsubscribe });
    const started = new Promise<void>((resolve, reject) => {
      rpc.on('ready', () => resolve());
      rpc.on('failed', (message) => reject(new Error(`LDAP worker ${index}: ${String(message)}`)));
      worker.once('exit', (code) => reject(new Error(`LDAP worker ${index} exited with code ${code} while starting`)));
    });
    worker.on('error', (err) => log.error({ err, worker: index }, 'LDAP worker failed'));
    worker.once('exit', (code) => {
      unsubscribe();
      // Its sign-ins in progress end with it: their tickets and hashing turns go back to the daemon.
      turns.forget();
      context.throttle.gate.tickets.forget(index);
      rpc.close(new Error(`LDAP worker ${index} exited`));
      running.delete(index);
      if (closing) return;
      log.error({ worker: index, code }, 'LDAP worker exited; starting it again');
      setTimeout(() => void spawn(index).catch((err: unknown) => log.error({ err, worker: index }, 'LDAP worker did not start again')), 1_000).unref();
    });
    return started;
  }

  const eachWorker = <T>(fn: (r: Running) => Promise<T>): Promise<T[]> => Promise.all([...running.values()].map(fn));

  return {
    name: 'ldap-workers',
    count,
    async start() {
      if (count === 0) return;
      allStarted = Promise.all(Array.from({ length: count }, (_, i) => spawn(i + 1))).then(() => {
        log.info({ workers: count + 1 }, 'LDAP served by the main thread and worker threads');
      });
      // A worker that fails to start has said why in its log line; it is started again on exit.
      allStarted.catch((err: unknown) => log.error({ err }, 'an LDAP worker thread did not start'));
    },
    ready: () => allStarted,
    async settingsApplied() {
      await eachWorker((r) => r.rpc.remote<{ settingsApplied(): Promise<void> }>('ldap').settingsApplied().catch(() => undefined));
    },
    connections: () => eachWorker((r) => r.rpc.remote<{ connections(): Promise<number> }>('ldap').connections()),
    metrics: () => eachWorker((r) => r.rpc.remote<{ json(): Promise<unknown[]> }>('metrics').json().catch(() => [])),
    async reload(config) {
      const next = { ...config, ldap: { ...config.ldap, listen: main.server.addresses().map((a) => a.url) } };
      await eachWorker((r) => r.rpc.remote<{ reload(c: Config): Promise<void> }>('ldap').reload(next));
    },
    async close(deadlineMs) {
      closing = true;
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
      await eachWorker(async ({ worker, rpc }) => {
        // A worker still loading has no connections to drain: stopped at once, like one past the deadline.
        const graceful = rpc.remote<{ close(ms: number): Promise<void> }>('ldap').close(deadlineMs).catch(() => undefined);
        await Promise.race([graceful, deadline]);
        await worker.terminate();
      });
    },
  };
}

function writeLines(target: { info(obj: object, msg?: string): void }, lines: readonly LogLine[]): void {
  for (const [level, obj, msg] of lines) {
    const write = (target as unknown as Record<string, (o: object, m?: string) => void>)[level] ?? target.info;
    write.call(target, obj, msg);
  }
}
