/**
 * Server CPU of the application use cases the console pages call, at N users (PGlite):
 * `node --import tsx bench/console-app-users-probe.ts 10000`. The applications list calls
 * `users()` once per application for its count; an application's page once for "who has access".
 */
import { performance } from 'node:perf_hooks';
import { systemActor } from '../src/domain/actor.js';
import { createDirectoryServices } from '../src/directory/directory-services.js';
import { openStore } from '../src/store/open-store.js';
import { storeModes } from '../test/helpers/databases.js';
import { generateDataset } from './dataset.js';
import { loadStore } from './pgdir-store-load.js';
const n = Number(process.argv[2] ?? '2000');
const mode = storeModes.find((m) => m.mode === 'pglite')!;
const fixture = await mode.create();
const store = await openStore({ ...fixture.options });
await loadStore(store, await generateDataset({ users: n, bcryptUsers: 1 }));
const directory = createDirectoryServices({ store, bcryptCost: 4 });
const apps = directory.apps.as(systemActor());
const groups = (await directory.groups.listGroupSummaries()).slice(0, 3).map((g) => g.name);
const a = await apps.create({ name: 'g', access: { groups } });
const b = await apps.create({ name: 'e', access: { everyone: true } });
for (const [label, fn] of [['listUsers', () => store.listUsers({ active: true, limit: 100_000 })], ['users(groups)', () => apps.users(a.app.id)], ['users(everyone)', () => apps.users(b.app.id)], ['list', () => apps.list()]] as const) {
  await fn();
  const c = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < 3; i++) await fn();
  const u = process.cpuUsage(c);
  console.log(label, ((performance.now() - t) / 3).toFixed(1), 'ms wall', ((u.user + u.system) / 3000).toFixed(1), 'ms cpu');
}
await store.close(); await fixture.cleanup();
