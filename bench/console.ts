/**
 * `npm run bench:console`: server time of each web console page at 10,000 users (issue 15: under
 * 50 ms each). A store (PGlite, and PostgreSQL when reachable) is loaded with the bench dataset, the
 * HTTP service runs in this process on an ephemeral port, the owner signs in through the sign-in
 * form, and every page is fetched sequentially over loopback (warm-up first). The time quoted is the
 * response time on loopback: server time plus well under a millisecond of transport.
 * Options: `--users N` (default 10000), `--runs N` (default 30), `--store pglite|postgres|both`,
 * `--pages all|users|lists` (default all; `users`: only the Users list with its search, filters and
 * paging, the pages that must stay fast at 100,000 users: `--users 100000 --pages users`; `lists`:
 * those and the applications pages), `--view on|off|both` (default on: the in-memory directory
 * view the daemon's LDAP side keeps is loaded and answers the users list and who may use an
 * application, as in `pgdir serve`; off: the store answers them, as a daemon without a view does;
 * both: every page without the view, then with it, in the same run).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { systemActor } from '../src/domain/actor.js';
import { createAuthThrottle } from '../src/directory/auth/auth-throttle.js';
import { createDirectoryServices } from '../src/directory/directory-services.js';
import { createDirectoryView } from '../src/directory/view/index.js';
import { createHttpService } from '../src/http/http-service.js';
import { openStore } from '../src/store/open-store.js';
import { storeModes } from '../test/helpers/databases.js';
import { generateDataset } from './dataset.js';
import { loadConsoleDataset } from './console-dataset.js';
import { consoleAppPages } from './console-app-pages.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const USERS = Number(arg('users', '10000'));
const RUNS = Number(arg('runs', '30'));
const STORES = arg('store', 'both');
const PAGES = arg('pages', 'all');
const VIEWS = ({ on: [true], off: [false], both: [false, true] } as Record<string, boolean[]>)[arg('view', 'on')] ?? [true];
const PASSWORD = 'bench console password';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

async function measure(base: string, cookie: string, path: string): Promise<{ median: number; p95: number; cpu: number; bytes: number; status: number }> {
  const once = async () => {
    const started = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
    const text = await res.text();
    return { ms: performance.now() - started, bytes: Buffer.byteLength(text), status: res.status };
  };
  for (let i = 0; i < 5; i++) await once();
  const runs: { ms: number; bytes: number; status: number }[] = [];
  // CPU time of this process per request: the server's own work (and PGlite's, which runs here),
  // unlike wall time not inflated by other processes queueing on a busy machine.
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  const used = process.cpuUsage(cpuBefore);
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  return { median: pct(times, 50), p95: pct(times, 95), cpu: (used.user + used.system) / 1000 / RUNS, bytes: runs[0]?.bytes ?? 0, status: runs[0]?.status ?? 0 };
}

/** The Users list: search (narrow and broad), each filter, all filters, deep pages. */
function usersPages(username: string): string[] {
  const lastPage = Math.ceil((USERS + 1) / 50);
  return [
    '/users', `/users?search=${username.slice(0, -1)}`, '/users?search=an', '/users?role=usermanager', '/users?active=false', '/users?source=ldap',
    '/users?role=user&active=true&source=local', `/users?search=an&role=user&active=true&source=local&page=3`, `/users?page=${Math.ceil(lastPage / 2)}`, `/users?page=${lastPage}`,
  ];
}

/** Every other console page of this branch (sign-in, users, groups, teams, settings, audit, profile). */
function otherPages(userId: string, groupId: string, teamId: string): string[] {
  return [
    '/', '/users/new', `/users/${userId}`, `/users/${userId}/delete`, '/users/import', '/groups', '/groups/new', `/groups/${groupId}`, `/groups/${groupId}?find=user`, `/groups/${groupId}/delete`,
    '/teams', `/teams/${teamId}`, '/organization/grants', '/settings/directory-server', '/settings/users', '/settings/smtp', '/settings/service-accounts',
    '/settings/external-directory', '/audit', '/profile', '/profile/app-passwords', '/two-factor',
  ];
}

async function benchStore(mode: (typeof storeModes)[number]): Promise<void> {
  const fixture = await mode.create();
  const store = await openStore({ ...fixture.options });
  try {
    const dataset = await generateDataset({ users: USERS, bcryptUsers: 1 });
    const loading = performance.now();
    const { teamId } = await loadConsoleDataset(store, dataset);
    const directory = createDirectoryServices({ store, bcryptCost: 4 });
    await directory.users.addUser({ username: 'benchowner', email: 'owner@bench.example', password: PASSWORD, role: 'owner' }, systemActor());
    console.log(`${mode.mode}: loaded ${USERS} users and ${dataset.groups.length} groups in ${((performance.now() - loading) / 1000).toFixed(1)} s`);
    const view = VIEWS.includes(true) ? createDirectoryView({ store, suffix: 'dc=example,dc=com' }) : undefined;
    if (view !== undefined) {
      const started = performance.now();
      await view.load();
      console.log(`${mode.mode}: directory view loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const throttle = createAuthThrottle({ store, maxFailures: 5, windowMs: 60_000 });
    const service = createHttpService({ listen: '127.0.0.1:0', directory, throttle, logger: quiet, version: 'bench' });
    await service.start();
    const base = service.address().url;
    const signIn = await fetch(`${base}/`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base }, body: new URLSearchParams({ identifier: 'benchowner', password: PASSWORD }) });
    const cookie = (signIn.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const someUser = dataset.users[Math.floor(USERS / 2)];
    const someGroup = (await directory.groups.listGroupSummaries())[0]; // ids only: listGroups reads every group's members
    const users = usersPages(someUser?.username ?? '');
    const pages = PAGES === 'users' ? users : PAGES === 'lists' ? [...users, ...(await consoleAppPages(directory))] : [...users, ...otherPages(someUser?.id ?? '', someGroup?.id ?? '', teamId), ...(await consoleAppPages(directory))];
    for (const withView of VIEWS) {
      directory.listing.attach(withView ? view : undefined);
      console.log(`| ${mode.mode} page, view ${withView ? 'on' : 'off'} | status | median ms | p95 ms | CPU ms/request | KB |`);
      console.log('| --- | --- | --- | --- | --- | --- |');
      for (const path of pages) {
        const r = await measure(base, cookie, path);
        console.log(`| ${path} | ${r.status} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.cpu.toFixed(1)} | ${(r.bytes / 1024).toFixed(1)} |`);
      }
    }
    await service.close(1000);
    view?.close();
  } finally {
    await store.close();
    await fixture.cleanup();
  }
}

console.log(`console bench: ${USERS} users, ${RUNS} runs per page, view ${arg('view', 'on')}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const mode of storeModes.filter((m) => STORES === 'both' || m.mode === STORES)) await benchStore(mode);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
