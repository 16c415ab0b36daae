import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { createDirectoryView, type DirectoryView } from '../../../src/directory/view/index.js';
import { parseUserQuery } from '../../../src/directory/users/user-query.js';
import { storeModes } from '../../helpers/databases.js';
import { PASSWORD, startApi, type Api } from '../http-fixture.js';
import { ConsoleClient } from './console-client.js';

const CLI = systemActor('cli');
const HASH = '$2b$04$abcdefghijklmnopqrstuu8mLJ8d1hVKo0M1m5C8x5xUoQ3wQyHyC';

/** The user ids of the Users list's rows, in order. */
const listedIds = (html: string): string[] => [...html.matchAll(/<tr><td><a href="\/users\/([0-9a-f-]{36})">/g)].map((m) => m[1] as string);
/** The "who has access" rows of an application's page: username and the why column. */
const whoRows = (html: string): string[][] =>
  [...(html.split('id="h-who"')[1] ?? '').matchAll(/<tr><td>([^<]*)<\/td><td>[^<]*<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1] as string, m[2] as string]);

/**
 * The console's Users list, an application's "who has access" and the applications' user counts
 * answered from the in-memory view (as `pgdir serve` attaches it) give the API's answers, which
 * are the store's: on both stores, also right after a change made through the API.
 */
describe.each(storeModes)('users and application pages from the view on $mode', (mode) => {
  let api: Api;
  let view: DirectoryView;
  const browser = { client: undefined as unknown as ConsoleClient };
  const appIds: Record<string, string> = {};

  beforeAll(async () => {
    api = await startApi(mode);
    const { directory, store } = api;
    const made = await store.write((tx) =>
      tx.insertUsers(Array.from({ length: 120 }, (_, i) => ({
        username: i % 13 === 5 ? null : `${['an', 'a.b', 'a-c', 'bo'][i % 4]}${(i * 7) % 120}`,
        email: `m${i}@${i % 2 ? 'an.example' : 'example.com'}`,
        displayName: `${['Anne', 'BOB', 'Zoë'][i % 3]} ${i}`,
        role: i % 29 === 1 ? ('admin' as const) : ('user' as const),
        active: i % 9 !== 5,
        passwordHash: HASH,
        ...(i % 6 === 3 ? { source: 'ldap' as const, sourceId: `ext-${i}` } : {}),
      }))),
    );
    await directory.groups.addGroup({ name: 'staff' }, CLI);
    await directory.groups.setMembers('staff', made.filter((_, i) => i % 3 === 0).map((u) => u.id), CLI);
    await directory.teams.addTeam({ name: 'web' }, CLI);
    await directory.teams.putGrant('web', { principal: { type: 'user', id: made[2]?.id ?? '' }, level: 'editor' }, CLI);
    const apps = directory.apps.as(CLI);
    appIds['staff'] = (await apps.create({ name: 'staff-app', access: { groups: ['staff'], teams: [{ team: 'web', level: 'editor' }] } })).app.id;
    appIds['all'] = (await apps.create({ name: 'all-app', access: { everyone: true } })).app.id;
    view = createDirectoryView({ store, suffix: 'dc=example,dc=com' });
    await view.load();
    directory.listing.attach(view);
    browser.client = new ConsoleClient(api.base);
    expect((await browser.client.signIn('owner', PASSWORD)).status).toBe(303);
  }, 120_000);
  afterAll(async () => {
    view?.close();
    await api?.close();
  });

  it("the Users list shows the store's users in its order for each search, filter and page", async () => {
    for (const query of ['', 'search=an', 'search=A.B', 'role=admin', 'active=false', 'source=ldap', 'search=an&active=true&source=local', 'page=3']) {
      const page = await browser.client.get(`/users?${query}`);
      expect(page.status).toBe(200);
      const params = Object.fromEntries(new URLSearchParams(query));
      const n = Number(params['page'] ?? '1');
      const filter = { search: params['search'], role: params['role'] as 'admin' | undefined, source: params['source'] as 'ldap' | undefined, active: params['active'] === undefined ? undefined : params['active'] === 'true' };
      const expected = await api.store.listUsers(parseUserQuery({ ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)), limit: 50, offset: (n - 1) * 50 }));
      expect(expected.users.length, query).toBeGreaterThan(0);
      expect(listedIds(page.text), query).toEqual(expected.users.map((u) => u.id));
      expect(page.text).toContain(`(${expected.total} in all)`);
    }
  });

  it('who has access: the page, the API with the view and the API from the store agree; the list counts them', async () => {
    const list = await browser.client.get('/apps');
    for (const id of Object.values(appIds)) {
      const withView = await api.call('GET', `/api/v1/apps/${id}/users`, { token: api.ownerToken });
      api.directory.listing.attach(undefined);
      const fromStore = await api.call('GET', `/api/v1/apps/${id}/users`, { token: api.ownerToken });
      api.directory.listing.attach(view);
      expect(withView.body).toEqual(fromStore.body);
      const items = withView.body.items as { username: string; reason: string; groups?: string[] }[];
      const shown = whoRows((await browser.client.get(`/apps/${id}`)).text);
      expect(shown.map((r) => r[0])).toEqual(items.slice(0, 50).map((u) => u.username));
      const rowOf = new RegExp(`href="/apps/${id}">[^]*?</tr>`).exec(list.text)?.[0] ?? '';
      expect(rowOf).toMatch(new RegExp(`<td>${withView.body.total}</td></tr>$`));
    }
    const staff = (await api.call('GET', `/api/v1/apps/${appIds['staff']}/users`, { token: api.ownerToken })).body.items as { reason: string }[];
    expect(new Set(staff.map((u) => u.reason))).toEqual(new Set(['admin', 'group', 'team']));
    expect(whoRows((await browser.client.get(`/apps/${appIds['staff']}`)).text).some((r) => r[1]?.includes('staff'))).toBe(true);
  });

  it('a user created or deactivated through the API is listed so at once', async () => {
    const created = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { username: 'a-0first', email: 'a-0first@example.com', password: 'Secret-aa-first-1' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(listedIds((await browser.client.get('/users?search=A-0FIRST')).text)).toEqual([id]);
    const first = await api.store.listUsers({ limit: 50 });
    expect(first.users.map((u) => u.id)).toContain(id); // 'a-0first' sorts first of all
    expect(listedIds((await browser.client.get('/users')).text)).toEqual(first.users.map((u) => u.id));
    expect(whoRows((await browser.client.get(`/apps/${appIds['all']}`)).text).map((r) => r[0])).toContain('a-0first');
    expect((await api.call('PUT', `/api/v1/users/${id}/active`, { token: api.ownerToken, body: { active: false } })).status).toBe(200);
    expect(listedIds((await browser.client.get('/users?active=true')).text)).not.toContain(id);
    expect(listedIds((await browser.client.get('/users?active=false')).text)).toContain(id);
    expect(whoRows((await browser.client.get(`/apps/${appIds['all']}`)).text).map((r) => r[0])).not.toContain('a-0first');
  });
});
