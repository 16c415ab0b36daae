/**
 * `npx tsx bench/app-view.ts` (issue 16): application views in process, without the network.
 * Builds a synthetic directory (APPVIEW_USERS users, default 100,000, in groups of 50) in the
 * in-memory view with APPVIEW_APPS applications (default 50; run again with 0 to compare) and reports:
 * - heap after load and after one subtree search through every application's view (GC'd);
 * - a point search by uid (search + encode) under ou=users vs through an app's users container,
 *   interleaved in rounds, median wall-clock and CPU ns per search and the ratios.
 * Run with `node --expose-gc --import tsx bench/app-view.ts`. Quote the load average with figures.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { encodeEntryBody } from '../src/ldap/codec/index.js';
import { createDirectoryView, SearchScope, type DirectoryView } from '../src/directory/view/index.js';
import { parseFilter } from '../src/domain/filter-parse.js';
import type { Application } from '../src/domain/application.js';
import type { Group, User } from '../src/domain/model.js';
import type { Snapshot, Store } from '../src/store/store.js';

const USERS = Number(process.env['APPVIEW_USERS'] ?? 100_000);
const APPS = Number(process.env['APPVIEW_APPS'] ?? 50);
const SUFFIX = 'dc=example,dc=com';
const ATTRS = ['objectClass', 'cn', 'uid', 'mail', 'displayName', 'givenName', 'sn', 'uidNumber', 'gidNumber', 'homeDirectory', 'loginShell', 'memberOf', 'entryUUID'];
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

function snapshot(apps: number): Snapshot {
  const at = new Date('2026-01-01T00:00:00Z');
  const users: User[] = Array.from({ length: USERS }, (_, i) => ({
    id: randomUUID(), username: `user${i}`, email: `user${i}@example.com`, fallbackEmail: null, displayName: `User Number${i}`,
    role: i === 0 ? 'admin' : 'user', active: true, source: 'local', sourceId: null, sourceDn: null, passwordHash: '$2b$10$x',
    uidNumber: 10000 + i, totpEnabled: false, createdAt: at, updatedAt: at, passwordChangedAt: null,
  }));
  const groups: Group[] = Array.from({ length: Math.ceil(USERS / 50) }, (_, g) => ({
    id: randomUUID(), name: `group${g}`, description: '', gidNumber: 10000 + g, source: 'local', sourceId: null, createdAt: at, updatedAt: at,
  }));
  const memberships = users.map((u, i) => ({ groupId: (groups[Math.floor(i / 50)] as Group).id, userId: u.id }));
  const list: Application[] = Array.from({ length: apps }, (_, a) => ({
    id: randomUUID(), name: `app${a}`, description: '', secretHash: '!', allowedCidrs: [], createdAt: at, updatedAt: at,
    // app0 admits the first 5 groups (the searched users); the others one group each.
    access: { everyone: false, groups: a === 0 ? groups.slice(0, 5).map((g) => g.id) : [(groups[a % groups.length] as Group).id], teams: [] },
  }));
  return { revision: 1, users, groups, memberships, serviceAccounts: [], apps: list, teams: [], grants: [] } as Snapshot;
}

async function load(apps: number): Promise<DirectoryView> {
  const snap = snapshot(apps);
  // Only what createDirectoryView calls: the snapshot, and a change feed that never changes.
  const store = { snapshot: async () => snap, subscribe: () => () => undefined, changesSince: async () => [], revision: async () => 1 } as unknown as Store;
  const view = createDirectoryView({ store, suffix: SUFFIX, encode: encodeEntryBody });
  await view.load();
  return view;
}

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** ns per search: wall clock, and this process's CPU time (steadier on a shared machine). */
function timeSearches(view: DirectoryView, base: string, names: readonly string[], n: number): { wall: number; cpu: number } {
  const selection = view.selection(ATTRS);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const outcome = view.search(base, SearchScope.sub, parseFilter(`(uid=${names[(i * 7919) % names.length]})`));
    if (!outcome.found) throw new Error(`no base ${base}`);
    const entry = outcome.cursor.next();
    if (entry === undefined || outcome.cursor.next() !== undefined) throw new Error('expected exactly one entry');
    view.encoded(entry, selection);
  }
  const wall = Number(process.hrtime.bigint() - started) / n;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: ((used.user + used.system) * 1000) / n };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  console.log(`app views: ${USERS} users, ${APPS} applications, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // One directory per process (run it with APPVIEW_APPS=0 and =50 to compare): heap after load
  // and after a subtree search through every application's view, garbage collected.
  const base = heap();
  const view = await load(APPS);
  const loaded = heap() - base;
  for (let a = 0; a < APPS; a++) {
    const outcome = view.search(`ou=users,ou=app${a},ou=apps,${SUFFIX}`, SearchScope.sub, parseFilter('(objectClass=inetOrgPerson)'));
    if (outcome.found) for (const e of outcome.cursor) view.encoded(e, view.selection(ATTRS));
  }
  const searched = heap() - base;
  console.log(`heap with ${APPS} apps: ${mb(loaded)} after load, ${mb(searched)} after a subtree search of every app view; RSS ${mb(process.memoryUsage().rss)}`);
  if (APPS === 0) return view.close();
  const names = Array.from({ length: 250 }, (_, i) => `user${i}`); // members of app0's groups
  const plain: { wall: number; cpu: number }[] = [];
  const app: { wall: number; cpu: number }[] = [];
  for (let round = 0; round < 15; round++) {
    plain.push(timeSearches(view, `ou=users,${SUFFIX}`, names, 5000));
    app.push(timeSearches(view, `ou=users,ou=app0,ou=apps,${SUFFIX}`, names, 5000));
  }
  for (const kind of ['wall', 'cpu'] as const) {
    const p = median(plain.map((r) => r[kind]));
    const a = median(app.map((r) => r[kind]));
    console.log(`point search + encode (${kind === 'wall' ? 'wall clock' : 'CPU time'}): ou=users ${(p / 1000).toFixed(2)} µs, app view ${(a / 1000).toFixed(2)} µs (ratio ${(a / p).toFixed(2)}), median of 15 interleaved rounds of 5000`);
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  view.close();
}

void main();
