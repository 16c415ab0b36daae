import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor, userActor } from '../../../src/domain/actor.js';
import { createDirectoryServices, type DirectoryServices } from '../../../src/directory/directory-services.js';
import { appUsers } from '../../../src/directory/apps/app-users.js';
import { parseUserQuery } from '../../../src/directory/users/user-query.js';
import { createDirectoryView, type DirectoryView } from '../../../src/directory/view/index.js';
import { createPasswordHasher } from '../../../src/crypto/password-hasher.js';
import type { Application } from '../../../src/domain/application.js';
import type { User } from '../../../src/domain/model.js';
import { openStore } from '../../../src/store/open-store.js';
import type { NewUser, Store, UserQuery } from '../../../src/store/store.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';

const CLI = systemActor('cli');
const SUFFIX = 'dc=example,dc=com';
const HASH = '$2b$04$abcdefghijklmnopqrstuu8mLJ8d1hVKo0M1m5C8x5xUoQ3wQyHyC';

/** What the Users list shows of a user (and what the store and the view must agree on). */
const shown = (u: User) => ({ id: u.id, username: u.username, email: u.email, displayName: u.displayName, role: u.role, active: u.active, source: u.source, totpEnabled: u.totpEnabled });

/** 300 users whose names, cases, punctuation, roles, sources and states exercise the order and every filter. */
function people(): NewUser[] {
  const out: NewUser[] = [];
  for (let i = 0; i < 300; i++) {
    const invited = i % 17 === 4;
    const name = `${['an', 'Bo', 'zed', 'a.b', 'a-c', 'ab', 'Ännie'][i % 7]}${(i * 37) % 300}`;
    out.push({
      username: invited ? null : name.toLowerCase().replace(/[^a-z0-9.-]/g, 'x'),
      email: `${['Mail', 'post', 'x'][i % 3]}${i}@${i % 2 === 0 ? 'example.com' : 'an.example'}`.toLowerCase(),
      displayName: `${['Anne', 'BOB', 'Zoë', 'Ånders', 'Dan Anders'][i % 5]} ${i}`,
      role: i % 23 === 1 ? 'admin' : i % 11 === 2 ? 'usermanager' : 'user',
      active: i % 9 !== 5,
      ...(i % 6 === 3 ? { source: 'ldap' as const, sourceId: `ext-${i}` } : {}),
      passwordHash: invited || i % 6 === 3 ? null : HASH,
    });
  }
  return out;
}

const QUERIES: UserQuery[] = [
  {}, { limit: 50 }, { limit: 50, offset: 50 }, { limit: 50, offset: 250 }, { limit: 50, offset: 290 }, { limit: 7, offset: 1000 },
  { search: 'an' }, { search: 'AN', limit: 50 }, { search: 'a.b' }, { search: '_' }, { search: '%' }, { search: 'zoë' }, { search: 'ÅNDERS' }, { search: '@an.ex' },
  { search: '4 ' }, { search: 'nobody-has-this' }, { role: 'usermanager' }, { role: 'admin', limit: 3, offset: 2 }, { active: false }, { active: true, limit: 50, offset: 100 },
  { source: 'ldap' }, { source: 'local', active: true, role: 'user', search: 'an', limit: 50, offset: 50 }, { search: '  bo  ' },
];

/**
 * The users list and who may use an application answered from the in-memory view give the
 * store's exact answers (order, filters, totals, reasons), on both stores, also right after a
 * change (the listing waits for the view to reach the store's revision).
 */
describe.each(storeModes)('user listings from the view on $mode', ({ create }) => {
  let fixture: StoreFixture;
  let store: Store;
  let dir: DirectoryServices;
  let view: DirectoryView;
  let apps: Application[] = [];

  const fromStore = async (query: UserQuery) => {
    const r = await store.listUsers(parseUserQuery(query));
    return { total: r.total, users: r.users.map(shown) };
  };
  const fromView = async (query: UserQuery) => {
    const r = await dir.listing.listUsers(query, CLI);
    return { total: r.total, users: r.users.map(shown) };
  };

  beforeAll(async () => {
    fixture = await create();
    store = await openStore(fixture.options);
    dir = createDirectoryServices({ store, hasher: createPasswordHasher({ cost: 4 }), ldapSuffix: SUFFIX });
    const made = await store.write((tx) => tx.insertUsers(people()));
    await dir.groups.addGroup({ name: 'staff' }, CLI);
    await dir.groups.addGroup({ name: 'ops' }, CLI);
    await dir.groups.setMembers('staff', made.filter((_, i) => i % 4 === 0).map((u) => u.id), CLI);
    await dir.groups.setMembers('ops', made.filter((_, i) => i % 8 === 0 || i % 5 === 1).map((u) => u.id), CLI);
    await dir.teams.addTeam({ name: 'web' }, CLI);
    for (const [i, level] of [[3, 'editor'], [10, 'viewer'], [20, 'admin']] as const) {
      await dir.teams.putGrant('web', { principal: { type: 'user', id: made[i]?.id ?? '' }, level }, CLI);
    }
    await dir.teams.putGrant('web', { principal: { type: 'group', id: 'ops' }, level: 'user' }, CLI);
    const as = dir.apps.as(CLI);
    for (const [name, access] of [
      ['both', { groups: ['ops', 'staff'], teams: [{ team: 'web', level: 'editor' }] }],
      ['team', { teams: [{ team: 'web', level: 'user' }] }],
      ['all', { everyone: true }],
      ['nobody', { groups: [] }],
    ] as const) {
      apps.push((await as.create({ name, access })).app as unknown as Application);
    }
    apps = await store.listApps();
    view = createDirectoryView({ store, suffix: SUFFIX });
    await view.load();
    dir.listing.attach(view);
  }, 120_000);
  afterAll(async () => {
    view?.close();
    await store?.close();
    await fixture?.cleanup();
  });

  it('every query gives the store answer (order, totals, filters, paging), without asking the store for users', async () => {
    const asked = vi.spyOn(store, 'listUsers');
    const answers = [];
    for (const query of QUERIES) answers.push(await fromView(query));
    expect(asked).not.toHaveBeenCalled();
    asked.mockRestore();
    for (const [i, query] of QUERIES.entries()) expect(answers[i], JSON.stringify(query)).toEqual(await fromStore(query));
    expect(answers[0]?.total).toBe(301 - 0 - 1); // 300 users (no owner here)
    expect(answers[6]?.total).toBeGreaterThan(50); // the broad search really pages
    expect(answers[2]?.users.map((u) => u.username)).toHaveLength(50);
  });

  it('who may use each application and why: the view and the store agree; the counts are their lengths', async () => {
    const counts = await dir.apps.as(CLI).userCounts();
    for (const app of apps) {
      const viewed = await appUsers(store, app, dir.listing);
      const stored = await appUsers(store, app);
      expect(viewed, app.name).toEqual(stored);
      expect(counts?.get(app.id), app.name).toBe(stored.length);
    }
    const byName = new Map(apps.map((a) => [a.name, a]));
    const both = await appUsers(store, byName.get('both') as Application, dir.listing);
    expect(new Set(both.map((u) => u.reason))).toEqual(new Set(['admin', 'group', 'team']));
    expect(both.some((u) => u.reason === 'group' && u.groups?.join() === 'ops,staff')).toBe(true);
    expect(await appUsers(store, byName.get('nobody') as Application, dir.listing)).toEqual((await appUsers(store, byName.get('all') as Application)).filter((u) => u.reason === 'admin'));
  });

  it('a user created or deactivated is listed as the store has it at once (the listing waits for the view)', async () => {
    const before = view.revision;
    const made = await dir.users.addUser({ username: 'aaa-new', email: 'aaa-new@example.com', name: 'Newest Anne', password: 'Secret-aaa-1' }, CLI);
    expect(view.revision).toBe(before); // not followed yet: the listing must wait for it
    expect((await fromView({ search: 'newest', limit: 50 })).users.map((u) => u.id)).toEqual([made.id]);
    expect(await fromView({ limit: 5 })).toEqual(await fromStore({ limit: 5 }));
    await dir.users.setActive(made.id, false, CLI);
    expect((await fromView({ search: 'newest', active: true })).total).toBe(0);
    expect(await fromView({ active: false })).toEqual(await fromStore({ active: false }));
    const all = apps.find((a) => a.name === 'all') as Application;
    expect((await appUsers(store, all, dir.listing)).some((u) => u.id === made.id)).toBe(false);
    await dir.users.setActive(made.id, true, CLI);
    expect((await appUsers(store, all, dir.listing)).map((u) => u.id)).toContain(made.id);
    expect(await appUsers(store, all, dir.listing)).toEqual(await appUsers(store, all));
    await dir.users.deleteUser(made.id, CLI);
    expect(await fromView({})).toEqual(await fromStore({}));
  });

  it('asks may() first, and falls back to the store without a view', async () => {
    await expect(dir.listing.listUsers({}, userActor({ id: '00000000-0000-4000-8000-000000000001', role: 'user' }))).rejects.toMatchObject({ status: 403 });
    dir.listing.attach(undefined);
    const asked = vi.spyOn(store, 'listUsers');
    expect(await fromView({ search: 'an', limit: 50 })).toEqual(await fromStore({ search: 'an', limit: 50 }));
    expect(asked).toHaveBeenCalled();
    asked.mockRestore();
    expect(await dir.apps.as(CLI).userCounts()).toBeUndefined();
    dir.listing.attach(view);
  });
});
