/**
 * `npm run bench -- teams` (issue 13): 100,000 users (BENCH_TEAM_USERS), 200 teams, a grant to
 * everyone at viewer on 20 of them, on PostgreSQL. Reports the directory view's RSS once loaded,
 * how long a grant change takes to show in the view that LDAP answers from (a user grant and a
 * grant to everyone), and listing ou=teams with every member (time and memory growth: derived
 * groups everyone is in share one member array, so listing copies nothing per entry).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseFilter } from '../src/domain/filter-parse.js';
import { createDirectoryView } from '../src/directory/view/index.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { createTempDir, createTestDatabase } from '../test/helpers/databases.js';

const S = 'dc=example,dc=com';
const mb = (bytes: number): string => `${Math.round(bytes / 1048576)} MB`;
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function seed(store: Store, users: number): Promise<{ teamIds: string[]; someUser: string }> {
  let someUser = '';
  for (let i = 0; i < users; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, users - i) }, (_, j) => ({ username: `u${i + j}`, email: `u${i + j}@example.com`, passwordHash: 'x' }));
    const made = await store.write((tx) => tx.insertUsers(rows));
    someUser ||= made[0]?.id ?? '';
  }
  const teamIds = await store.write(async (tx) => {
    const ids: string[] = [];
    for (let t = 0; t < 200; t++) ids.push((await tx.insertTeam({ name: `team${t}` })).id);
    for (const id of ids.slice(0, 20)) await tx.putGrant({ teamId: id, principal: { type: 'everyone' }, level: 'viewer' });
    return ids;
  });
  return { teamIds, someUser };
}

async function until(check: () => boolean, limitMs = 60_000): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > limitMs) throw new Error('not visible within the limit');
    await new Promise((r) => setImmediate(r));
  }
  return performance.now() - start;
}

export async function runTeamsBench(): Promise<void> {
  const users = Number(process.env['BENCH_TEAM_USERS'] ?? 100_000);
  say(`teams bench: ${users} users, 200 teams, everyone:viewer on 20; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const [database, dir] = await Promise.all([createTestDatabase(), createTempDir()]);
  const store = await openStore({ url: database.url, dataDir: dir.path });
  try {
    const t0 = performance.now();
    const { teamIds, someUser } = await seed(store, users);
    say(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const rssBefore = process.memoryUsage().rss;
    const t1 = performance.now();
    const view = createDirectoryView({ store, suffix: S });
    await view.load();
    global.gc?.();
    say(`view loaded in ${((performance.now() - t1) / 1000).toFixed(1)} s; process RSS ${mb(process.memoryUsage().rss)} (before the view: ${mb(rssBefore)})`);
    const members = (cn: string): number => view.findEntry(`cn=${cn},ou=teams,${S}`)?.attributes.get('member')?.length ?? 0;
    const direct = performance.now();
    await store.write((tx) => tx.putGrant({ teamId: teamIds[50] ?? '', principal: { type: 'user', id: someUser }, level: 'editor' }));
    const commitMs = performance.now() - direct;
    const userMs = await until(() => members('team50.editor') === 1);
    say(`user grant: committed in ${commitMs.toFixed(0)} ms, visible in the view ${userMs.toFixed(0)} ms after the commit`);
    const wide = performance.now();
    await store.write((tx) => tx.putGrant({ teamId: teamIds[60] ?? '', principal: { type: 'everyone' }, level: 'viewer' }));
    const wideCommit = performance.now() - wide;
    const everyoneMs = await until(() => members('team60.viewer') === users && (view.findEntry(`uid=u${users - 1},ou=users,${S}`)?.attributes.get('memberof') ?? []).includes(`cn=team60.viewer,ou=teams,${S}`));
    say(`grant to everyone: committed in ${wideCommit.toFixed(0)} ms, visible (derived group and every memberOf) ${everyoneMs.toFixed(0)} ms after the commit`);
    const org = performance.now();
    await store.write((tx) => tx.putGrant({ teamId: null, principal: { type: 'everyone' }, level: 'user' }));
    const orgCommit = performance.now() - org;
    const orgMs = await until(() => members('organization.user') === users && members('team199.user') === users && (view.findEntry(`uid=u${users - 1},ou=users,${S}`)?.attributes.get('memberof') ?? []).includes(`cn=organization.user,ou=teams,${S}`));
    say(`organisation grant to everyone: committed in ${orgCommit.toFixed(0)} ms, visible (derived groups and every memberOf) ${orgMs.toFixed(0)} ms after the commit`);
    const heap = process.memoryUsage().heapUsed;
    const t2 = performance.now();
    const out = view.search(`ou=teams,${S}`, 2, parseFilter('(objectClass=*)'));
    let entries = 0;
    let values = 0;
    if (out.found) for (const e of out.cursor) (entries++, (values += e.attributes.get('member')?.length ?? 0));
    say(`listing ou=teams: ${entries} entries, ${values} member values in ${(performance.now() - t2).toFixed(0)} ms; heap grew ${mb(Math.max(0, process.memoryUsage().heapUsed - heap))}`);
    say(`RSS at end ${mb(process.memoryUsage().rss)}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    view.close();
  } finally {
    await store.close();
    await database.drop();
    await dir.remove();
  }
}
