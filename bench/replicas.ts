/**
 * `npm run bench:replicas`: write → visible-on-another-replica latency. Three `pgdir serve`
 * processes on one fresh database of the local PostgreSQL (PGDIR_TEST_PG_URL, default
 * 127.0.0.1:5432); change i is an API user creation on replica i mod 3, and replica (i+1) mod 3 is
 * searched over LDAP (one bound connection, back-to-back searches) until the entry appears.
 * Latency is measured from the write's HTTP answer (the commit) and from the request's start.
 * BENCH_REPLICA_CHANGES (default 500). Target: p99 < 250 ms on loopback (issue 17).
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'ldapts';
import { createTestDatabase } from '../test/helpers/databases.js';
import { ADMIN_DN, api, login, startCluster, SUFFIX } from '../test/e2e/replicas-cluster.js';

const CHANGES = Number(process.env['BENCH_REPLICA_CHANGES'] ?? 500);
const say = (line: string): void => void process.stdout.write(`${line}\n`);

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

function summary(label: string, values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `${label.padEnd(28)} p50 ${quantile(s, 0.5).toFixed(1)} ms  p90 ${quantile(s, 0.9).toFixed(1)} ms  p99 ${quantile(s, 0.99).toFixed(1)} ms  max ${(s.at(-1) ?? 0).toFixed(1)} ms  mean ${mean.toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const cluster = await startCluster({ size: 3, url: database.url, logLevel: 'warn' });
  const observers: Client[] = [];
  try {
    const admin = await cluster.adminPassword();
    const added = await cluster.cli(0, ['users', 'add', '--username', 'boss', '--email', 'boss@example.com', '--role', 'owner', '--password-stdin'], 'boss password 123\n');
    if (added.code !== 0) throw new Error(added.stderr);
    const token = await login(cluster.replicas[0]?.httpUrl ?? '', 'boss', 'boss password 123');
    for (const r of cluster.replicas) {
      const client = new Client({ url: r.ldapUrl, timeout: 10_000 });
      await client.bind(ADMIN_DN, admin);
      observers.push(client);
    }
    const loadBefore = loadavg();
    const fromCommit: number[] = [];
    const fromRequest: number[] = [];
    let searches = 0;
    for (let i = 0; i < CHANGES; i++) {
      const writer = cluster.replicas[i % 3];
      const observer = observers[(i + 1) % 3];
      if (writer === undefined || observer === undefined) throw new Error('no replica');
      const uid = `rep${i}`;
      const t0 = performance.now();
      const created = await api(writer.httpUrl, token, 'POST', '/api/v1/users', { username: uid, email: `${uid}@example.com`, password: `${uid} password 1` });
      const t1 = performance.now();
      if (created.status !== 201) throw new Error(`change ${i}: ${created.status} ${JSON.stringify(created.body)}`);
      for (;;) {
        searches++;
        const { searchEntries } = await observer.search(`ou=users,${SUFFIX}`, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['uid'] });
        if (searchEntries.length === 1) break;
        if (performance.now() - t1 > 10_000) throw new Error(`change ${i} not visible on the other replica within 10 s`);
      }
      const t2 = performance.now();
      fromCommit.push(t2 - t1);
      fromRequest.push(t2 - t0);
    }
    const loadAfter = loadavg();
    say(`replica propagation: ${CHANGES} changes (API user creation on replica i mod 3, LDAP search on replica i+1 mod 3), PostgreSQL LISTEN/NOTIFY`);
    say(summary('commit → visible', fromCommit));
    say(summary('request start → visible', fromRequest));
    say(`searches while waiting: ${searches} (${(searches / CHANGES).toFixed(1)} per change, 1 = already there on the first search)`);
    say(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after, ${cpus().length} CPUs`);
    const p99 = quantile([...fromCommit].sort((a, b) => a - b), 0.99);
    say(`bar: p99 commit → visible < 250 ms: ${p99 < 250 ? 'met' : 'NOT met'} (${p99.toFixed(1)} ms)`);
  } finally {
    await Promise.all(observers.map((c) => c.unbind().catch(() => undefined)));
    await cluster.close();
    await database.drop();
  }
}

await main();
