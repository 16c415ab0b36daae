/**
 * `npx tsx bench/app-view.ts` (issue 16): application views in process, without the network.
 * Builds a synthetic directory (APPVIEW_USERS users, default 100,000, in groups of 50) in the
 * in-memory view with APPVIEW_APPS applications (default 50; run again with 0 to compare) and reports:
 * - heap after load and after one subtree search through every application's view (GC'd);
 * - a point search by uid (search + encode) under ou=users vs through an app's users container,
 *   interleaved in rounds, median wall-clock and CPU ns per search and the ratios.
 * Run with `node --expose-gc --import tsx bench/app-view.ts`. Quote the load average with figures.
 * APPVIEW_FROM=dist runs the build (`npm run build` first; any build directory of the repository works): tsx names every closure with a
 * defineProperty call, which costs more than some of what is measured (bench/ldap-path.ts).
 * APPVIEW_ONLY=plain|app times one side only (for `--cpu-prof`, or callgrind: instructions per
 * search are the difference between runs with APPVIEW_ROUNDS=2 and =1, divided by APPVIEW_PER_ROUND).
 *
 * APPVIEW_RSS=1: issue 16's scale bar instead ("50 applications over 100,000 users must not
 * multiply RSS, budget +10% over the same directory without apps"). One process per side, so
 * one side's garbage never counts against the other: the directory without applications, whose
 * clients read ou=users, and the same directory with APPVIEW_APPS applications, each of whose
 * clients reads its own view (a subtree search of its ou=users, every entry encoded as sent) and
 * ou=users read once too. RSS and heap after a full GC, after load and after the reads.
 * APPVIEW_RULES=groups (default: app0 admits 5 groups, every other app one group of 50) or
 * mixed (every fifth app admits everyone: 10 of 50 apps whose views hold all 100,000 users).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import type { DirectoryView } from '../src/directory/view/index.js';
import type { Application } from '../src/domain/application.js';
import type { Group, User } from '../src/domain/model.js';
import type { Snapshot, Store } from '../src/store/store.js';

/** `dist`, or another build directory of the repository (an A/B pair), else src/ through tsx. */
const from = /^[\w.-]+$/.test(process.env['APPVIEW_FROM'] ?? '') ? `../${process.env['APPVIEW_FROM']}` : '../src';
const load$ = <T>(path: string): Promise<T> => import(new URL(`${from}/${path}`, import.meta.url).href) as Promise<T>;
const { encodeEntryBody } = await load$<typeof import('../src/ldap/codec/index.js')>('ldap/codec/index.js');
const { createDirectoryView, SearchScope } = await load$<typeof import('../src/directory/view/index.js')>('directory/view/index.js');
const { parseFilter } = await load$<typeof import('../src/domain/filter-parse.js')>('domain/filter-parse.js');
const ONLY = process.env['APPVIEW_ONLY'];
/** Rounds and searches per round; under callgrind, two runs differing by one round give instructions per search. */
const ROUNDS = Number(process.env['APPVIEW_ROUNDS'] ?? 15);
const PER_ROUND = Number(process.env['APPVIEW_PER_ROUND'] ?? 5000);
const RULES = process.env['APPVIEW_RULES'] === 'mixed' ? 'mixed' : 'groups';

/** APPVIEW_CACHE: the encoded cache's options as JSON (e.g. `{"rebasedShare":0,"rebasedMinBytes":0}`), to compare budgets. */
const CACHE = JSON.parse(process.env['APPVIEW_CACHE'] ?? '{}') as import('../src/directory/view/encoded-cache.js').EncodedCacheOptions;
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
    // app0 admits the first 5 groups (the searched users); the others one group each, or
    // everyone for every fifth app with APPVIEW_RULES=mixed.
    access: RULES === 'mixed' && a % 5 === 4
      ? { everyone: true, groups: [], teams: [] }
      : { everyone: false, groups: a === 0 ? groups.slice(0, 5).map((g) => g.id) : [(groups[a % groups.length] as Group).id], teams: [] },
  }));
  return { revision: 1, users, groups, memberships, serviceAccounts: [], apps: list, teams: [], grants: [] } as Snapshot;
}

async function load(apps: number): Promise<DirectoryView> {
  const snap = snapshot(apps);
  // Only what createDirectoryView calls: the snapshot, and a change feed that never changes.
  const store = { snapshot: async () => snap, subscribe: () => () => undefined, changesSince: async () => [], revision: async () => 1 } as unknown as Store;
  const view = createDirectoryView({ store, suffix: SUFFIX, encode: encodeEntryBody, cache: CACHE });
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

/** Reads `base` as a client does: a subtree search, every entry encoded as it would be sent. */
function readAll(view: DirectoryView, base: string): number {
  const outcome = view.search(base, SearchScope.sub, parseFilter('(objectClass=inetOrgPerson)'));
  if (!outcome.found) throw new Error(`no base ${base}`);
  const selection = view.selection(ATTRS);
  let n = 0;
  for (const e of outcome.cursor) n += view.encoded(e, selection).length > 0 ? 1 : 0;
  return n;
}

/** One side of APPVIEW_RSS (in its own process): one JSON line on stdout. */
async function footprint(): Promise<void> {
  gc();
  const rss = (): number => (gc(), gc(), process.memoryUsage().rss);
  const view = await load(APPS);
  const loaded = { rss: rss(), heap: process.memoryUsage().heapUsed };
  let entries = readAll(view, `ou=users,${SUFFIX}`);
  for (let a = 0; a < APPS; a++) entries += readAll(view, `ou=users,ou=app${a},ou=apps,${SUFFIX}`);
  const read = { rss: rss(), heap: process.memoryUsage().heapUsed };
  console.log(JSON.stringify({ apps: APPS, loaded, read, entries, encodedBytes: view.stats().encodedBytes }));
  view.close();
}

async function compareFootprints(): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  console.log(`app views, RSS: ${USERS} users, 0 vs ${APPS} applications (rules: ${RULES}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const sides = [0, APPS].map((apps) => {
    const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv.filter((a) => a !== '--expose-gc'), fileURLToPath(import.meta.url)], {
      env: { ...process.env, APPVIEW_RSS: 'child', APPVIEW_APPS: String(apps) }, encoding: 'utf8', maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`side with ${apps} apps failed: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { apps: number; loaded: { rss: number; heap: number }; read: { rss: number; heap: number }; entries: number; encodedBytes: number };
  });
  for (const s of sides) {
    console.log(`${String(s.apps).padStart(3)} apps: after load RSS ${mb(s.loaded.rss)} (heap ${mb(s.loaded.heap)}); after every client read its view (${s.entries} entries sent) RSS ${mb(s.read.rss)} (heap ${mb(s.read.heap)}, encoded cache ${mb(s.encodedBytes)})`);
  }
  const [without, withApps] = sides as [(typeof sides)[0], (typeof sides)[0]];
  const pct = (a: number, b: number): string => `${a >= b ? '+' : ''}${((a / b - 1) * 100).toFixed(1)}%`;
  console.log(`RSS with ${APPS} apps vs without: ${pct(withApps.loaded.rss, without.loaded.rss)} after load, ${pct(withApps.read.rss, without.read.rss)} after the reads (budget +10%); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
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
  for (let round = 0; round < ROUNDS; round++) {
    if (ONLY !== 'app') plain.push(timeSearches(view, `ou=users,${SUFFIX}`, names, PER_ROUND));
    if (ONLY !== 'plain') app.push(timeSearches(view, `ou=users,ou=app0,ou=apps,${SUFFIX}`, names, PER_ROUND));
  }
  for (const kind of ['wall', 'cpu'] as const) {
    const p = median(plain.map((r) => r[kind]));
    const a = median(app.map((r) => r[kind]));
    console.log(`point search + encode (${kind === 'wall' ? 'wall clock' : 'CPU time'}): ou=users ${(p / 1000).toFixed(2)} µs, app view ${(a / 1000).toFixed(2)} µs (ratio ${(a / p).toFixed(2)}), median of ${ROUNDS} interleaved rounds of ${PER_ROUND}`);
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  view.close();
}

const mode = process.env['APPVIEW_RSS'];
void (mode === 'child' ? footprint() : mode === '1' ? compareFootprints() : main());
