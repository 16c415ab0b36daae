import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { storeModes } from '../../helpers/databases.js';
import { PASSWORD, startApi, type Api } from '../http-fixture.js';
import { csrfOf, expectAccessible, focused, launch, newPage, postForm, shots, signIn, submit } from './admin-pages-kit.js';

/**
 * The applications pages (issue 16) in Chromium on both stores: an owner creates an app through
 * the form (errors next to the fields, nothing saved), sees its secret once, checks who has
 * access and why, edits the rule, rotates the secret (confirmation, once, a re-sent form rotates
 * nothing) and deletes it; the same by keyboard alone; a plain user sees no link and gets 403 on
 * every page and forged post. Every change is checked through the API the pages share use cases with.
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launch();
}, 90_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(storeModes)('application pages on $mode', (mode) => {
  let api: Api;
  let context: BrowserContext;
  let page: Page;
  let violations: string[];
  const shot = (name: string) => shots(page, `${mode.mode}-${name}`);
  const appsNamed = async () => ((await api.call('GET', '/api/v1/apps', { token: api.ownerToken })).body.items as { name: string }[]).map((a) => a.name).sort();
  const secretMatches = async (name: string, secret: string) => {
    const app = (await api.call('GET', `/api/v1/apps/${name}`, { token: api.ownerToken })).body as { id: string };
    const stored = await api.store.getApp(app.id);
    return api.directory.hasher.verify(secret, stored?.secretHash);
  };

  beforeAll(async () => {
    api = await startApi(mode);
    for (const username of ['alice', 'bob', 'plain']) {
      await api.directory.users.addUser({ username, email: `${username}@example.com`, password: PASSWORD, role: 'user' }, systemActor());
    }
    await api.directory.groups.addGroup({ name: 'staff' }, systemActor());
    await api.directory.groups.addMember('staff', 'alice', systemActor());
    await api.directory.groups.addGroup({ name: 'ops' }, systemActor());
    expect((await api.call('POST', '/api/v1/teams', { token: api.ownerToken, body: { name: 'web' } })).status).toBe(201);
    expect((await api.call('PUT', '/api/v1/teams/web/grants', { token: api.ownerToken, body: { principal: { type: 'user', id: 'bob' }, level: 'editor' } })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    ({ context, page, violations } = await newPage(browser));
  });
  afterEach(async () => {
    expect(violations).toEqual([]);
    await context?.close();
  }, 90_000);

  it('create (errors next to the fields, then the secret once), who has access, edit, rotate once, delete', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.waitForURL(/\/apps$/);
    await expectAccessible(page, 'apps (empty)');
    await shot('apps-empty');
    await page.getByRole('link', { name: 'New application' }).click();
    await page.waitForURL(/\/apps\/new$/);
    await expectAccessible(page, 'new app');
    await shot('app-new');

    // No access rule chosen: refused next to the rule, nothing created.
    await page.getByLabel('Name (letters, digits, . and -)').fill('wiki');
    await page.getByLabel('Description').fill('The wiki');
    expect(await submit(page, 'Create the application')).toBe(400);
    expect(await page.locator('#e-access').innerText()).toContain('Choose who has access');
    // Groups chosen but none ticked, then a bad CIDR: each refused next to its field.
    await page.getByLabel('Members of the groups chosen below').check();
    expect(await submit(page, 'Create the application')).toBe(400);
    expect(await page.locator('#e-groups').innerText()).toContain('at least one group');
    await page.getByLabel('staff').check();
    await page.getByLabel('Allowed addresses').fill('10.0.0.0/8\nnot-a-cidr');
    expect(await submit(page, 'Create the application')).toBe(400);
    expect(await page.locator('#e-cidrs').innerText()).toContain('not-a-cidr');
    expect(await page.getByLabel('Allowed addresses').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('staff').isChecked()).toBe(true); // kept for fixing
    await expectAccessible(page, 'new app with errors');
    await shot('app-new-errors');
    expect(await appsNamed()).toEqual([]);

    await page.getByLabel('Allowed addresses').fill('127.0.0.1\n10.0.0.0/8');
    expect(await submit(page, 'Create the application')).toBe(201);
    const secret = (await page.locator('#new-secret').innerText()).trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(await page.getByRole('alert').innerText()).toContain('shown only on this page');
    const shown = await page.locator('dl.facts').innerText();
    expect(shown).toContain('cn=wiki,ou=apps,dc=example,dc=com');
    expect(shown).toContain('ou=wiki,ou=apps,dc=example,dc=com');
    expect(await secretMatches('wiki', secret)).toBe(true);
    await expectAccessible(page, 'app created');
    await shot('app-created');
    // Opening the address again, or the app's page, never shows the secret.
    await page.goto(page.url());
    expect(await page.content()).not.toContain(secret);

    await page.goto(`${api.base}/apps`);
    const row = await page.getByRole('table', { name: 'Applications' }).getByRole('row', { name: /wiki/ }).innerText();
    expect(row).toContain('The wiki');
    expect(row).toContain('groups: staff');
    expect(row).toContain('10.0.0.0/8');
    await shot('apps');
    await page.getByRole('link', { name: 'wiki' }).click();
    expect(await page.content()).not.toContain(secret);
    const who = await page.getByRole('table', { name: 'Users with access' }).innerText();
    expect(who).toMatch(/alice\s+alice@example\.com\s+member of staff/);
    expect(who).toContain('administrators and owners always have access');
    expect(who).not.toContain('bob');
    await expectAccessible(page, 'app');
    await shot('app');

    // Edit: a team level instead, and a new name.
    await page.getByLabel('People with at least the level below on the team below').check();
    await page.getByLabel('Team', { exact: true }).selectOption({ label: 'web' });
    await page.getByLabel('Minimum level').selectOption('editor');
    await page.getByLabel('Name (letters, digits, . and -)').fill('wiki2');
    expect(await submit(page, 'Save the application')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('Saved.');
    const saved = (await api.call('GET', '/api/v1/apps/wiki2', { token: api.ownerToken })).body;
    expect(saved.access).toEqual({ everyone: false, groups: [], teams: [{ team: 'web', level: 'editor' }] });
    const whoNow = await page.getByRole('table', { name: 'Users with access' }).innerText();
    expect(whoNow).toMatch(/bob\s+bob@example\.com\s+level on web/);
    expect(whoNow).not.toContain('alice');

    // Rotate: a confirmation page, then the new secret once; the old one stops at once.
    expect(await submit(page, 'Make a new secret')).toBe(200);
    await expectAccessible(page, 'rotate confirmation');
    await shot('app-rotate-confirm');
    const stamp = await page.locator('input[name="stamp"]').inputValue();
    expect(await submit(page, 'Yes, make a new secret for wiki2')).toBe(201);
    const rotated = (await page.locator('#new-secret').innerText()).trim();
    expect(rotated).not.toBe(secret);
    expect(await secretMatches('wiki2', rotated)).toBe(true);
    expect(await secretMatches('wiki2', secret)).toBe(false);
    // The same confirmation sent again (a reload of that answer) rotates nothing.
    const again = await postForm(page, `${api.base}/apps/${saved.id}/secret`, { _csrf: await csrfOf(page), confirm: '1', stamp });
    expect(again.status).toBe(409);
    expect(await secretMatches('wiki2', rotated)).toBe(true);

    // Delete after the confirmation page.
    await page.goto(`${api.base}/apps/${saved.id}`);
    expect(await submit(page, 'Delete the application wiki2')).toBe(200);
    expect(await appsNamed()).toEqual(['wiki2']); // not yet
    await expectAccessible(page, 'delete confirmation');
    expect(await submit(page, 'Delete the application wiki2')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('The application was deleted.');
    expect(await appsNamed()).toEqual([]);
  }, 240_000);

  it('keyboard alone: a new application with access "everyone"', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/apps/new`);
    const tabTo = async (id: string) => {
      for (let i = 0; i < 40 && (await focused(page)).id !== id; i++) await page.keyboard.press('Tab');
      const now = await focused(page);
      expect(now.id).toBe(id);
      expect(now.outline).not.toBe('none'); // focus is visible
    };
    await tabTo('f-name');
    await page.keyboard.type('chat');
    await tabTo('f-description');
    await page.keyboard.type('Team chat');
    await tabTo('f-access-everyone');
    await page.keyboard.press('Space');
    expect(await page.getByLabel('Everyone (every active user)').isChecked()).toBe(true);
    await tabTo('f-cidrs');
    await page.keyboard.type('192.168.0.0/16');
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Create the application');
    const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(response?.status()).toBe(201);
    expect((await page.locator('#new-secret').innerText()).length).toBeGreaterThanOrEqual(32);
    const chat = (await api.call('GET', '/api/v1/apps/chat', { token: api.ownerToken })).body;
    expect(chat).toMatchObject({ description: 'Team chat', access: { everyone: true }, allowedCidrs: ['192.168.0.0/16'] });
    await api.call('DELETE', '/api/v1/apps/chat', { token: api.ownerToken });
  }, 120_000);

  it('a plain user sees no link and gets 403 on every page and forged post; a post without the CSRF token is refused', async () => {
    const made = await api.call('POST', '/api/v1/apps', { token: api.ownerToken, body: { name: 'vault', access: { groups: [] } } });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    await signIn(page, api.base, 'plain', PASSWORD);
    expect(await page.getByRole('link', { name: 'Applications', exact: true }).count()).toBe(0);
    for (const path of ['/apps', '/apps/new', `/apps/${id}`]) expect((await page.goto(`${api.base}${path}`))?.status(), path).toBe(403);
    await page.goto(`${api.base}/profile`);
    const _csrf = await csrfOf(page);
    const forged: [string, Record<string, string>][] = [
      ['/apps/new', { _csrf, name: 'sneaky', access: 'everyone' }],
      [`/apps/${id}`, { _csrf, name: 'vault', access: 'everyone' }],
      [`/apps/${id}/secret`, { _csrf, confirm: '1' }],
      [`/apps/${id}/delete`, { _csrf, confirm: '1' }],
    ];
    for (const [path, fields] of forged) expect((await postForm(page, `${api.base}${path}`, fields)).status, path).toBe(403);
    expect(await appsNamed()).toEqual(['vault']);
    expect((await api.call('GET', '/api/v1/apps/vault', { token: api.ownerToken })).body.access).toEqual({ everyone: false, groups: [], teams: [] });

    // The owner's own session, without the token: refused by the CSRF check, nothing changes.
    const owner = await newPage(browser);
    try {
      await signIn(owner.page, api.base, 'owner', PASSWORD);
      expect((await postForm(owner.page, `${api.base}/apps/${id}/delete`, { confirm: '1' })).status).toBe(403);
      expect((await postForm(owner.page, `${api.base}/apps/new`, { name: 'nocsrf', access: 'everyone' })).status).toBe(403);
    } finally {
      await owner.context.close();
    }
    expect(await appsNamed()).toEqual(['vault']);
    await api.call('DELETE', '/api/v1/apps/vault', { token: api.ownerToken });
  }, 90_000);
});
