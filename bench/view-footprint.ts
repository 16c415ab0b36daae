/**
 * `npx tsx --expose-gc bench/view-footprint.ts [users...]`: what the in-memory view costs, without a
 * database: a synthetic snapshot of N users (groups of 50, every user in one, like bench/dataset.ts)
 * is loaded by createDirectoryView (the code pgdir serve and every LDAP worker run) from a store
 * stub, and the load time, heap and RSS after a full GC are printed. Each size runs in its own
 * process, so one size's garbage does not count against the next. The figures are the view's
 * share of a worker's memory; `npm run bench` gives the whole daemon's RSS.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Group, Membership, User } from '../src/domain/model.js';
import { createDirectoryView } from '../src/directory/view/index.js';
import { encodeEntryBody } from '../src/ldap/codec/index.js';
import type { Snapshot, Store } from '../src/store/store.js';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const uuid = (kind: number, n: number): string => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`;

function snapshot(users: number): Snapshot {
  const at = new Date('2026-01-01T00:00:00Z');
  const hash = '$2b$10$abcdefghijklmnopqrstuuXrB0v5mX3o5Vw9cM1t0q8y7Qv0f9QKa';
  const list: User[] = Array.from({ length: users }, (_, i) => ({
    id: uuid(1, i), username: `user${String(i + 1).padStart(7, '0')}`, email: `user${i + 1}@example.com`, fallbackEmail: null,
    displayName: `Ada Lovelace${i}`, role: 'user', active: true, source: 'local', sourceId: null, sourceDn: null, passwordHash: hash,
    uidNumber: 10_000 + i, totpEnabled: false, createdAt: at, updatedAt: at, passwordChangedAt: at,
  }));
  const groups: Group[] = Array.from({ length: Math.ceil(users / 50) }, (_, g) => ({
    id: uuid(2, g), name: `group${String(g + 1).padStart(5, '0')}`, description: 'bench group', gidNumber: 10_000 + g, source: 'local', sourceId: null, createdAt: at, updatedAt: at,
  }));
  const memberships: Membership[] = list.map((u, i) => ({ groupId: uuid(2, Math.floor(i / 50)), userId: u.id }));
  return { revision: 1, users: list, groups, memberships, serviceAccounts: [], teams: [], grants: [] };
}

async function measure(users: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const data = snapshot(users);
  const store = { snapshot: async () => data, subscribe: () => () => undefined, changesSince: async () => [], revision: async () => 1 } as unknown as Store;
  gc();
  const before = process.memoryUsage();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const view = createDirectoryView({ store, suffix: 'dc=example,dc=com', encode: encodeEntryBody });
  await view.load();
  const loadMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  (data as { users: unknown }).users = []; // the snapshot is garbage once loaded, as in pgdir serve
  gc();
  const after = process.memoryUsage();
  const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;
  console.log(`${users} users: view load ${(loadMs / 1000).toFixed(2)} s (CPU ${(cpuMs / 1000).toFixed(2)} s), heap +${mb(after.heapUsed - before.heapUsed)}, RSS ${mb(after.rss)} (process, snapshot included until GC returns it)`);
  view.close();
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (process.env.VIEW_FOOTPRINT_CHILD) await measure(sizes[0] ?? 10_000);
else {
  for (const n of sizes.length > 0 ? sizes : [10_000, 100_000]) {
    spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', fileURLToPath(import.meta.url), String(n)], { stdio: 'inherit', env: { ...process.env, VIEW_FOOTPRINT_CHILD: '1' } });
  }
}
