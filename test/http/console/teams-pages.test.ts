import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { storeModes } from '../../helpers/databases.js';
import { PASSWORD, type Api } from '../http-fixture.js';
import { csrfOf, expectAccessible, postForm, signIn, submit, useConsoleBrowser } from './console-fixture.js';

/**
 * The teams and permissions pages, the organisation grants page and the app passwords page in
 * Chromium: an owner builds a team and its grants through the forms, the grantee sees the level
 * on their profile, a plain user sees no Teams link and a forged post is refused with nothing
 * changed; an app password is shown once, then found by the bind lookup, then revoked.
 * Every change is checked through the API the pages share their use cases with.
 */
describe.each(storeModes)('teams and app password pages on $mode', (mode) => {
  const ui = useConsoleBrowser({
    mode,
    setup: async (api) => {
      await api.directory.users.addUser({ username: 'alice', email: 'alice@example.com', password: PASSWORD, role: 'user' }, systemActor());
      await api.directory.users.addUser({ username: 'plain', email: 'plain@example.com', password: PASSWORD, role: 'user' }, systemActor());
    },
  });
  let api: Api;
  let page: Page;
  beforeEach(() => {
    ({ api, page } = ui);
  });
  const shot = (name: string) => ui.shot(name);
  const newPage = () => ui.open();

  const grantsOf = async (path: string) => {
    const res = await api.call('GET', path, { token: api.ownerToken });
    expect(res.status).toBe(200);
    return (res.body.items as { principal: { type: string; name?: string }; level: string }[]).map((g) => `${g.principal.type}:${g.principal.name ?? ''}=${g.level}`).sort();
  };

  it('an owner creates a team, grants alice editor and everyone viewer, changes and revokes; the grantee sees the level', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.getByRole('link', { name: 'Teams', exact: true }).click();
    await page.waitForURL(/\/teams$/);
    await expectAccessible(page, 'teams (empty)');
    await page.getByLabel('Name', { exact: true }).fill('web');
    await page.getByLabel('Description').fill('The web site');
    expect(await submit(page, 'Create the team')).toBe(200);
    expect(page.url()).toMatch(/\/teams\/[0-9a-f-]{36}\?done=/);
    await page.getByLabel('User or group').fill('alice');
    await page.getByLabel('Level', { exact: true }).selectOption('editor');
    expect(await submit(page, 'Save the grant')).toBe(200);
    await page.getByLabel('Grant to').selectOption('everyone');
    await page.getByLabel('Level', { exact: true }).selectOption('viewer');
    expect(await submit(page, 'Save the grant')).toBe(200);
    const table = await page.getByRole('table', { name: 'Grants' }).innerText();
    expect(table).toContain('alice');
    expect(table).toContain('everyone');
    expect(await page.getByLabel('Level for alice').inputValue()).toBe('editor');
    expect(await page.getByLabel('Level for everyone').inputValue()).toBe('viewer');
    expect(await grantsOf('/api/v1/teams/web/grants')).toEqual(['everyone:=viewer', 'user:alice=editor']);
    await expectAccessible(page, 'team');
    await shot('team');

    // A bad grant (unknown user) is refused with the use case's 404 and changes nothing.
    await page.getByLabel('Grant to').selectOption('user');
    await page.getByLabel('User or group').fill('nobody-here');
    expect(await submit(page, 'Save the grant')).toBe(404);
    expect(await grantsOf('/api/v1/teams/web/grants')).toEqual(['everyone:=viewer', 'user:alice=editor']);

    await page.goto(`${api.base}/teams`);
    const row = await page.getByRole('table', { name: 'Teams' }).getByRole('row', { name: /web/ }).innerText();
    expect(row).toContain('The web site');
    expect(row).toMatch(/\b2\s*$/); // the grant count
    await shot('teams');

    // Organisation grants: default permissions (everyone) shown as such.
    await page.getByRole('link', { name: 'Organisation grants and default permissions' }).click();
    await page.waitForURL(/\/organization\/grants$/);
    await page.getByLabel('Grant to').selectOption('everyone');
    await page.getByLabel('Level', { exact: true }).selectOption('user');
    expect(await submit(page, 'Save the grant')).toBe(200);
    expect(await page.locator('#h-default + p').innerText()).toContain('at least user');
    expect(await grantsOf('/api/v1/organization/grants')).toEqual(['everyone:=user']);
    await expectAccessible(page, 'organisation grants');
    await shot('organization-grants');
    expect(await submit(page, 'Revoke the grant of everyone')).toBe(200);
    expect(await grantsOf('/api/v1/organization/grants')).toEqual([]);

    // The grantee's profile shows their level on web.
    const other = await newPage();
    try {
      await signIn(other.page, api.base, 'alice', PASSWORD);
      await other.page.goto(`${api.base}/profile`);
      const perms = await other.page.getByRole('table', { name: 'Your level in each team' }).innerText();
      expect(perms).toMatch(/web\s+editor/);
      expect(await other.page.getByRole('link', { name: 'Teams', exact: true }).count()).toBe(0);
      expect(other.violations).toEqual([]);
    } finally {
      await other.context.close();
    }

    // Change alice's level in place, then revoke, then delete the team after the confirmation step.
    await page.goto(`${api.base}/teams/web`);
    await page.getByLabel('Level for alice').selectOption('publisher');
    expect(await submit(page, 'Change the level of alice')).toBe(200);
    expect(await grantsOf('/api/v1/teams/web/grants')).toEqual(['everyone:=viewer', 'user:alice=publisher']);
    expect(await submit(page, 'Revoke the grant of alice')).toBe(200);
    expect(await grantsOf('/api/v1/teams/web/grants')).toEqual(['everyone:=viewer']);
    await page.getByLabel('Name', { exact: true }).fill('website');
    expect(await submit(page, 'Save')).toBe(200);
    expect((await api.call('GET', '/api/v1/teams/website', { token: api.ownerToken })).status).toBe(200);
    expect(await submit(page, 'Delete the team website')).toBe(200);
    await expectAccessible(page, 'delete team confirmation');
    await shot('team-delete-confirm');
    expect((await api.call('GET', '/api/v1/teams/website', { token: api.ownerToken })).status).toBe(200); // not yet
    expect(await submit(page, 'Delete the team website')).toBe(200);
    expect(await page.getByRole('status').innerText()).toContain('deleted');
    expect((await api.call('GET', '/api/v1/teams/website', { token: api.ownerToken })).status).toBe(404);
  }, 180_000);

  it('a plain user sees no Teams link; forged posts with their own CSRF token are refused and change nothing', async () => {
    const made = await api.call('POST', '/api/v1/teams', { token: api.ownerToken, body: { name: 'ops' } });
    expect(made.status).toBe(201);
    await signIn(page, api.base, 'plain', PASSWORD);
    expect(await page.getByRole('link', { name: 'Teams', exact: true }).count()).toBe(0);
    expect((await page.goto(`${api.base}/teams`))?.status()).toBe(403);
    const _csrf = await csrfOf(page);
    expect((await postForm(page, api.base + '/teams', { _csrf, name: 'sneaky' })).status).toBe(403);
    expect((await postForm(page, api.base + '/teams/ops/grants', { _csrf, type: 'user', id: 'plain', level: 'admin' })).status).toBe(403);
    expect((await postForm(page, api.base + '/organization/grants', { _csrf, type: 'user', id: 'plain', level: 'admin' })).status).toBe(403);
    expect((await postForm(page, api.base + '/teams/ops/delete', { _csrf, confirm: '1' })).status).toBe(403);
    const teams = await api.call('GET', '/api/v1/teams', { token: api.ownerToken });
    const names = (teams.body.items as { name: string }[]).map((t) => t.name);
    expect(names).toContain('ops');
    expect(names).not.toContain('sneaky');
    expect(await grantsOf('/api/v1/teams/ops/grants')).toEqual([]);
    expect(await grantsOf('/api/v1/organization/grants')).toEqual([]);
    // Without the token at all: refused too (the console's CSRF check).
    expect((await postForm(page, api.base + '/profile/app-passwords', { name: 'x' })).status).toBe(403);
  }, 90_000);

  it('an app password is shown once, is found by the LDAP bind lookup, is listed without it, and revoke ends it', async () => {
    await signIn(page, api.base, 'alice', PASSWORD);
    await page.goto(`${api.base}/profile`);
    await page.getByRole('link', { name: 'App passwords for LDAP clients' }).click();
    await page.waitForURL(/\/profile\/app-passwords$/);
    await expectAccessible(page, 'app passwords (empty)');
    await page.getByLabel(/Where it is used/).fill('laptop mail');
    expect(await submit(page, 'Make the app password')).toBe(201);
    const secret = (await page.locator('#new-app-password').innerText()).trim();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const alice = await api.directory.users.getUser('alice', systemActor());
    expect((await api.directory.appPasswords.lookup(secret))?.userId).toBe(alice.id);
    await expectAccessible(page, 'app password made');
    await shot('app-password-made');

    await page.goto(`${api.base}/profile/app-passwords`);
    expect(await page.content()).not.toContain(secret);
    const row = await page.getByRole('table', { name: 'Your app passwords' }).getByRole('row', { name: /laptop mail/ }).innerText();
    expect(row).toContain('never');
    await shot('app-passwords');
    expect(await submit(page, 'Revoke the app password laptop mail')).toBe(200);
    expect(await page.getByRole('status').innerText()).toContain('revoked');
    expect(await api.directory.appPasswords.lookup(secret)).toBeUndefined();
    expect(await api.directory.appPasswords.list(alice.id, systemActor())).toEqual([]);
  }, 90_000);

  it('a team admin (role user) reaches their team from the profile, manages its user grants, and is refused default permissions', async () => {
    const made = await api.call('POST', '/api/v1/teams', { token: api.ownerToken, body: { name: 'docs' } });
    expect(made.status).toBe(201);
    await api.call('POST', '/api/v1/teams', { token: api.ownerToken, body: { name: 'secret' } });
    await api.directory.users.addUser({ username: 'tina', email: 'tina@example.com', password: PASSWORD, role: 'user' }, systemActor());
    expect((await api.call('PUT', '/api/v1/teams/docs/grants', { token: api.ownerToken, body: { principal: { type: 'user', id: 'tina' }, level: 'admin' } })).status).toBe(200);
    await signIn(page, api.base, 'tina', PASSWORD);
    // The Teams entry of the menu follows may() with the levels, not the role alone (issue 15).
    await page.goto(`${api.base}/profile`);
    expect(await page.getByRole('link', { name: 'Manage teams and permissions' }).count()).toBe(1);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams', exact: true }).click();
    await page.waitForURL(/\/teams$/);
    expect(await page.getByRole('link', { name: 'Teams', exact: true }).getAttribute('aria-current')).toBe('page');
    const listed = await page.getByRole('table', { name: 'Teams' }).innerText();
    expect(listed).toContain('docs');
    expect(listed).not.toContain('secret');
    await page.getByRole('link', { name: 'docs' }).click();
    await page.getByLabel('User or group').fill('plain');
    await page.getByLabel('Level', { exact: true }).selectOption('user');
    expect(await submit(page, 'Save the grant')).toBe(200);
    expect(await grantsOf('/api/v1/teams/docs/grants')).toEqual(['user:plain=user', 'user:tina=admin']);
    await page.getByLabel('Grant to').selectOption('everyone');
    expect(await submit(page, 'Save the grant')).toBe(403);
    expect(await grantsOf('/api/v1/teams/docs/grants')).toEqual(['user:plain=user', 'user:tina=admin']);
    expect((await page.goto(`${api.base}/teams/secret`))?.status()).toBe(403);
  }, 90_000);

  it('an organisation admin (role user) finds Teams in the menu, with the keyboard; it goes again when the grant is revoked', async () => {
    await api.directory.users.addUser({ username: 'olga', email: 'olga@example.com', password: PASSWORD, role: 'user' }, systemActor());
    expect((await api.call('PUT', '/api/v1/organization/grants', { token: api.ownerToken, body: { principal: { type: 'user', id: 'olga' }, level: 'admin' } })).status).toBe(200);
    await signIn(page, api.base, 'olga', PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Teams', exact: true }).count()).toBe(1);
    await nav.getByRole('link', { name: 'Teams', exact: true }).focus();
    await Promise.all([page.waitForURL(/\/teams$/), page.keyboard.press('Enter')]);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Teams and permissions');
    await expectAccessible(page, 'teams (organisation admin)');
    await shot('teams-org-admin');
    await api.directory.teams.deleteGrant(null, { type: 'user', id: 'olga' }, systemActor());
    await page.goto(`${api.base}/profile`);
    expect(await nav.getByRole('link', { name: 'Teams', exact: true }).count()).toBe(0);
  }, 90_000);
});
