import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Dataset } from './dataset.js';
import { waitUntilServing } from './probe.js';
import { freePort, rssOf, startServer } from './server-process.js';
import type { TlsFiles } from './slapd.js';
import { userDnOf } from './slapd-ldif.js';
import type { Target } from './target.js';

/**
 * The trivial server (bench/trivial-server.ts) as a benchmark target, in its own Node process:
 * `trivial` is the hand-written TLS loop, `pgdir-wire` the same answers from pgdir's wire engine.
 * Every search returns the same single entry, so only the point-search and bind figures mean
 * anything; group listings and paged scans finish after one entry.
 */
export type TrivialEngine = 'node' | 'pgdir';

export async function startTrivialTarget(dataset: Dataset, suffix: string, tls: TlsFiles, engine: TrivialEngine = 'node'): Promise<Target> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./trivial-server.ts', import.meta.url));
  const started = performance.now();
  const nodeArgs = engine === 'pgdir' ? (process.env.BENCH_PGDIR_NODE_ARGS ?? '').split(/\s+/).filter(Boolean) : [];
  const server = startServer(process.execPath, [...nodeArgs, '--import', 'tsx', script, '--cert', tls.certFile, '--key', tls.keyFile, '--port', String(port), '--engine', engine]);
  const target: Target = {
    name: engine === 'node' ? 'trivial' : 'pgdir-wire', url: `ldaps://127.0.0.1:${port}`, host: '127.0.0.1', port, ca: tls.ca, baseDn: suffix,
    adminDn: `cn=admin,ou=system,${suffix}`, adminPassword: dataset.adminPassword, userPassword: dataset.userPassword,
    userDn: (i) => userDnOf({ id: dataset.users[i]?.id ?? '' }, suffix),
    startupMs: 0,
    facts: [],
    rss: () => rssOf(server.child.pid),
    pid: () => server.child.pid,
    stop: () => server.stop(),
  };
  try {
    await waitUntilServing(target, dataset.users[0]?.username ?? '', server, 30_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { ...target, startupMs: performance.now() - started };
}
