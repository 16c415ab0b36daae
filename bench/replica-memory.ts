/**
 * `npx tsx bench/replica-memory.ts`: a replica's resident memory by directory size, for the
 * sizing in docs/scaling.md. One `pgdir serve` on a fresh database of the local PostgreSQL;
 * users are inserted with SQL in bulk (as an import would leave them, plus a bcrypt hash, so that
 * they are LDAP entries); after each step the replica is restarted so that the figure is a cold
 * load of the view, then RSS is read from /proc after a full paged LDAP scan.
 * BENCH_MEMORY_STEPS (default 0,25000,50000,100000).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createTestDatabase } from '../test/helpers/databases.js';
import { ADMIN_DN, startCluster, SUFFIX } from '../test/e2e/replicas-cluster.js';

/** A cost-4 bcrypt hash (of "password"): the view keeps it as it keeps any. */
const HASH = '$2b$04$' + 'a'.repeat(53);
const STEPS = (process.env['BENCH_MEMORY_STEPS'] ?? '0,25000,50000,100000').split(',').map(Number);
const say = (line: string): void => void process.stdout.write(`${line}\n`);

function rssMb(pid: number | undefined): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const cluster = await startCluster({ size: 1, url: database.url, logLevel: 'warn' });
  try {
    let have = 0;
    const rows: string[] = [];
    for (const target of STEPS) {
      if (target > have) {
        await cluster.query(
          `INSERT INTO users (id, username, email, display_name, password_hash)
           SELECT gen_random_uuid(), 'u' || i, 'u' || i || '@example.com', 'User Number ' || i, $1
           FROM generate_series($2::int, $3::int - 1) AS i`,
          [HASH, have, target],
        );
        have = target;
      }
      await cluster.stop(0);
      await cluster.start(0);
      // A full scan touches every entry, as a client's first sync would.
      const client = cluster.client(0);
      await client.bind(ADMIN_DN, await cluster.adminPassword());
      const { searchEntries } = await client.search(`ou=users,${SUFFIX}`, { scope: 'one', filter: '(objectClass=*)', attributes: ['1.1'], paged: { pageSize: 1000 } });
      await client.unbind();
      const entries = searchEntries.length;
      const rss = rssMb(cluster.replicas[0]?.serve?.child.pid);
      rows.push(`${String(have).padStart(7)} users (${entries} user entries over LDAP): RSS ${rss.toFixed(0)} MB`);
      say(rows.at(-1) ?? '');
    }
    say(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await cluster.close();
    await database.drop();
  }
}

await main();
