/**
 * `npx tsx bench/view-footprint.ts [users...]`: what the in-memory view costs, without a database:
 * a synthetic snapshot of N users (groups of 50, every user in one, like bench/dataset.ts) is
 * loaded by createDirectoryView (the code pgdir serve and every LDAP worker run) from a store
 * stub, and the load time, heap and RSS after a full GC are printed. Each size runs in its own
 * process, so one size's garbage does not count against the next. The records look like rows a
 * store returns (a string and a Date object of their own per value), so the heap is what a
 * worker holds. The figures are the view's share of a worker's memory; `npm run bench` gives the
 * whole daemon's RSS.
 *
 * VIEW_FOOTPRINT_HEAP=<file>: also write a heap snapshot after the load (for per-object counts).
 * VIEW_FOOTPRINT_NODE="--cpu-prof ...": extra node flags for the measured process.
 * VIEW_FOOTPRINT_COMPACT=1: after the load, the collection `pgdir serve` runs (app/compact-heap.ts)
 * instead of a plain full GC, so that RSS is what a daemon keeps.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import type { Group, Membership, User } from '../src/domain/model.js';
import { compactHeap } from '../src/app/compact-heap.js';
import { createDirectoryView } from '../src/directory/view/index.js';
import { encodeEntryBody } from '../src/ldap/codec/index.js';
import type { Snapshot, Store } from '../src/store/store.js';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const uuid = (kind: number, n: number): string => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`;
/** A string object of its own, as a database driver returns for every value of every row. */
const own = (s: string): string => s.split('').join('');
const at = (ms: number): Date => new Date(ms);

function snapshot(users: number): Snapshot {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const hash = '$2b$10$abcdefghijklmnopqrstuuXrB0v5mX3o5Vw9cM1t0q8y7Qv0f9QKa';
  const list: User[] = Array.from({ length: users }, (_, i) => ({
    id: own(uuid(1, i)), username: own(`user${String(i + 1).padStart(7, '0')}`), email: own(`user${i + 1}@example.com`), fallbackEmail: null,
    displayName: own(`Ada Lovelace${i}`), role: own('user') as User['role'], active: true, source: own('local') as User['source'], sourceId: null, sourceDn: null,
    passwordHash: own(`${hash.slice(0, 50)}${hex(i, 10)}`), uidNumber: 10_000 + i, totpEnabled: false,
    createdAt: at(t0 + i), updatedAt: at(t0 + i), passwordChangedAt: at(t0 + i),
  }));
  const groups: Group[] = Array.from({ length: Math.ceil(users / 50) }, (_, g) => ({
    id: own(uuid(2, g)), name: own(`group${String(g + 1).padStart(5, '0')}`), description: own('bench group'), gidNumber: 10_000 + g,
    source: own('local') as Group['source'], sourceId: null, createdAt: at(t0), updatedAt: at(t0),
  }));
  const memberships: Membership[] = list.map((u, i) => ({ groupId: own(uuid(2, Math.floor(i / 50))), userId: own(u.id) }));
  return { revision: 1, users: list, groups, memberships, serviceAccounts: [], teams: [], grants: [] };
}

async function measure(users: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  // Before the snapshot: the records the view keeps (users, their strings and times) count.
  const before = process.memoryUsage();
  const data: { -readonly [K in keyof Snapshot]: Snapshot[K] } = snapshot(users);
  const store = { snapshot: async () => data, subscribe: () => () => undefined, changesSince: async () => [], revision: async () => 1 } as unknown as Store;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const view = createDirectoryView({ store, suffix: 'dc=example,dc=com', encode: encodeEntryBody });
  await view.load();
  const loadMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  // The snapshot is garbage once loaded, as in pgdir serve (the view keeps the records it needs).
  data.users = [];
  data.memberships = [];
  // VIEW_FOOTPRINT_COMPACT: the collection `pgdir serve` runs once loaded (app/compact-heap.ts), timed.
  const compactStarted = process.cpuUsage();
  if (process.env.VIEW_FOOTPRINT_COMPACT) compactHeap();
  else gc();
  const compactCpu = process.cpuUsage(compactStarted);
  const after = process.memoryUsage();
  const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;
  const perUser = (after.heapUsed - before.heapUsed) / users;
  console.log(`${users} users: view load ${(loadMs / 1000).toFixed(2)} s (CPU ${(cpuMs / 1000).toFixed(2)} s), heap +${mb(after.heapUsed - before.heapUsed)} (${perUser.toFixed(0)} B/user), RSS ${mb(after.rss)}; ${process.env.VIEW_FOOTPRINT_COMPACT ? 'compactHeap' : 'gc()'} CPU ${((compactCpu.user + compactCpu.system) / 1e6).toFixed(2)} s; load average ${loadavg()[0]?.toFixed(1)}`);
  if (process.env.VIEW_FOOTPRINT_DETAIL) {
    const h = getHeapStatistics();
    console.log(`  heap total ${mb(h.total_heap_size)}, physical ${mb(h.total_physical_size)}, used ${mb(h.used_heap_size)}, V8 malloc ${mb(h.malloced_memory)} (peak ${mb(h.peak_malloced_memory)}), external ${mb(after.external)}`);
    for (const s of getHeapSpaceStatistics()) console.log(`  ${s.space_name}: size ${mb(s.space_size)}, used ${mb(s.space_used_size)}, physical ${mb(s.physical_space_size)}`);
  }
  if (process.env.VIEW_FOOTPRINT_HEAP) writeHeapSnapshot(process.env.VIEW_FOOTPRINT_HEAP);
  view.close();
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (process.env.VIEW_FOOTPRINT_CHILD) await measure(sizes[0] ?? 10_000);
else {
  const extra = (process.env.VIEW_FOOTPRINT_NODE ?? '').split(' ').filter((a) => a !== '');
  for (const n of sizes.length > 0 ? sizes : [10_000, 100_000]) {
    const args = ['--expose-gc', '--max-old-space-size=8192', ...extra, '--import', 'tsx', fileURLToPath(import.meta.url), String(n)];
    spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, VIEW_FOOTPRINT_CHILD: '1' } });
  }
}
