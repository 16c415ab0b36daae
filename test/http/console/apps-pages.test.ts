import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { storeModes } from '../../helpers/databases.js';
import { PASSWORD, type Api } from '../http-fixture.js';
import { csrfOf, expectAccessible, focused, postForm, shareBrowser, signIn, submit, useConsoleBrowser } from './console-fixture.js';

/**
 * The applications pages (issue 16) in Chromium on both stores: an owner creates an app through
 * the form (errors next to the fields, nothing saved), sees its secret once, checks who has
 * access and why, edits the rule, rotates the secret (confirmation, once, a re-sent form rotates
 * nothing) and deletes it; a mixed rule (several groups and several team levels) is made, kept
 * through every validation error, stored exactly and edited; the same by keyboard alone; a plain
 * user sees no link and gets 403 on every page and forged post. Every change is checked through
 * the API the pages share use cases with.
 */
shareBrowser();
const LISTED = 'Members of any group ticked below, and people with at least the chosen level on a team below';

describe.each(storeModes)('application pages on $mode', (mode) => {
  const ui = useConsoleBrowser({
    mode,
    setup: async (api) => {
      for (const username of ['alice', 'bob', 'carol', 'plain']) {
        await api.directory.users.addUser({ username, email: `${username}@example.com`, password: PASSWORD, role: 'user' }, systemActor());
      }
      await api.directory.groups.addGroup({ name: 'staff' }, systemActor());
      await api.directory.groups.addMember('staff', 'alice', systemActor());
      await api.directory.groups.addGroup({ name: 'ops' }, systemActor());
      for (const team of ['web', 'sales']) expect((await api.call('POST', '/api/v1/teams', { token: api.ownerToken, body: { name: team } })).status).toBe(201);
      expect((await api.call('PUT', '/api/v1/teams/web/grants', { token: api.ownerToken, body: { principal: { type: 'user', id: 'bob' }, level: 'editor' } })).status).toBe(200);
      expect((await api.call('PUT', '/api/v1/teams/sales/grants', { token: api.ownerToken, body: { principal: { type: 'user', id: 'carol' }, level: 'publisher' } })).status).toBe(200);
    },
  });
  let api: Api;
  let page: Page;
  beforeEach(() => {
    ({ api, page } = ui);
  });
  const shot = (name: string) => ui.shot(name);
  const appsNamed = async () => ((await api.call('GET', '/api/v1/apps', { token: api.ownerToken })).body.items as { name: string }[]).map((a) => a.name).sort();
  const appNamed = async (name: string) => (await api.call('GET', `/api/v1/apps/${name}`, { token: api.ownerToken })).body;
  const secretMatches = async (name: string, secret: string) => {
    const app = (await api.call('GET', `/api/v1/apps/${name}`, { token: api.ownerToken })).body as { id: string };
    const stored = await api.store.getApp(app.id);
    return api.directory.hasher.verify(secret, stored?.secretHash);
  };
  /** A form post with repeated fields (as the browser sends checkboxes and rows), from the page's session. */
  const postFields = async (path: string, fields: [string, string][]) => {
    const res = await page.request.post(`${api.base}${path}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: new URLSearchParams(fields).toString(), maxRedirects: 0 });
    return { status: res.status(), text: await res.text() };
  };
  /** Adds an option the form does not offer and chooses it (what a stale page or a forged form sends). */
  const forceOption = (select: string, value: string) =>
    page.locator(select).evaluate((el, v) => {
      type Option = { value: string; text: string };
      const s = el as unknown as { value: string; append(o: Option): void; ownerDocument: { createElement(tag: 'option'): Option } };
      const o = s.ownerDocument.createElement('option');
      o.value = v;
      o.text = v;
      s.append(o);
      s.value = v;
    }, value);

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
    // Groups and team levels chosen but none given, then a bad CIDR: each refused next to its field.
    await page.getByLabel(LISTED).check();
    expect(await submit(page, 'Create the application')).toBe(400);
    expect(await page.locator('#e-groups').innerText()).toContain('Tick at least one group or choose a team');
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

    // Edit: a team level instead of the group, and a new name.
    expect(await page.getByLabel(LISTED).isChecked()).toBe(true);
    await page.getByLabel('staff').uncheck();
    await page.getByLabel('Team (row 1)').selectOption({ label: 'web' });
    await page.getByLabel('Minimum level (row 1)').selectOption('editor');
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

  it('a mixed rule (two groups, two team levels): kept through every error, stored exactly, then edited', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/apps/new`);
    await page.getByLabel('Name (letters, digits, . and -)').fill('portal');
    await page.getByLabel(LISTED).check();
    await page.getByLabel('staff').check();
    await page.getByLabel('ops').check();
    await page.getByLabel('Team (row 1)').selectOption({ label: 'web' });
    await page.getByLabel('Minimum level (row 1)').selectOption('editor');
    expect(await page.getByLabel('Team (row 2)').count()).toBe(0); // one row until more are asked for
    // "Add a team row" is a plain submit: the form comes back with everything and one more row, nothing saved.
    expect(await submit(page, 'Add a team row')).toBe(200);
    expect(await appsNamed()).toEqual([]);
    expect(await page.getByLabel('Name (letters, digits, . and -)').inputValue()).toBe('portal');
    expect(await page.getByLabel('staff').isChecked()).toBe(true);
    expect(await page.getByLabel('ops').isChecked()).toBe(true);
    expect(await page.locator('#f-team-0 option:checked').innerText()).toBe('web');
    expect(await page.getByLabel('Minimum level (row 1)').inputValue()).toBe('editor');
    await page.getByLabel('Team (row 2)').selectOption({ label: 'sales' });
    await page.getByLabel('Minimum level (row 2)').selectOption('viewer');

    // A level the form does not offer (a forged form): refused next to that row; everything kept.
    await forceOption('#f-level-1', 'superuser');
    expect(await submit(page, 'Create the application')).toBe(400);
    expect(await page.locator('#e-level-1').innerText()).toContain('level must be one of');
    expect(await page.getByLabel('Minimum level (row 2)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#f-level-1 option:checked').innerText()).toBe('superuser (not a level)');
    expect(await page.getByLabel('staff').isChecked()).toBe(true);
    expect(await page.getByLabel('ops').isChecked()).toBe(true);
    expect(await page.locator('#f-team-0 option:checked').innerText()).toBe('web');
    expect(await page.locator('#f-team-1 option:checked').innerText()).toBe('sales');
    await expectAccessible(page, 'mixed rule with a bad level');
    await shot('app-new-mixed-errors');
    // A team that does not exist (deleted meanwhile, or forged): refused next to its row.
    await page.getByLabel('Minimum level (row 2)').selectOption('viewer');
    await forceOption('#f-team-2', 'no-such-team');
    expect(await submit(page, 'Create the application')).toBe(400);
    expect(await page.locator('#e-team-2').innerText()).toContain('no team "no-such-team"');
    expect(await page.locator('#f-team-2 option:checked').innerText()).toBe('unknown team no-such-team');
    await page.getByLabel('Team (row 3)').selectOption('');
    // "Everyone" with groups and teams still given: refused, not silently dropped.
    await page.getByLabel('Everyone (every active user)').check();
    expect(await submit(page, 'Create the application')).toBe(400);
    expect(await page.locator('#e-access').innerText()).toContain('already includes every group and team');
    expect(await page.getByLabel('ops').isChecked()).toBe(true);
    expect(await appsNamed()).toEqual([]);

    await page.getByLabel(LISTED).check();
    expect(await submit(page, 'Create the application')).toBe(201);
    const made = await appNamed('portal');
    expect(made.access.everyone).toBe(false);
    expect(made.access.groups.map((g: { name: string }) => g.name).sort()).toEqual(['ops', 'staff']);
    expect(made.access.teams).toEqual([{ team: 'web', level: 'editor' }, { team: 'sales', level: 'viewer' }]);

    // The app's page shows the whole rule; who has access follows all of it.
    await page.goto(`${api.base}/apps/${made.id}`);
    expect(await page.getByLabel(LISTED).isChecked()).toBe(true);
    expect(await page.getByLabel('staff').isChecked()).toBe(true);
    expect(await page.getByLabel('ops').isChecked()).toBe(true);
    expect(await page.locator('#f-team-0 option:checked').innerText()).toBe('web');
    expect(await page.getByLabel('Minimum level (row 1)').inputValue()).toBe('editor');
    expect(await page.locator('#f-team-1 option:checked').innerText()).toBe('sales');
    expect(await page.getByLabel('Minimum level (row 2)').inputValue()).toBe('viewer');
    expect(await page.getByLabel('Team (row 3)').inputValue()).toBe(''); // one empty row to add with
    const who = await page.getByRole('table', { name: 'Users with access' }).innerText();
    expect(who).toMatch(/alice\s+alice@example\.com\s+member of staff/);
    expect(who).toMatch(/bob\s+bob@example\.com\s+level on web/);
    expect(who).toMatch(/carol\s+carol@example\.com\s+level on sales/);
    await expectAccessible(page, 'app with a mixed rule');
    await shot('app-mixed');

    // Edit: drop a group and the web row, raise sales to publisher; a name error keeps all of it.
    await page.getByLabel('ops').uncheck();
    await page.getByLabel('Team (row 1)').selectOption('');
    await page.getByLabel('Minimum level (row 2)').selectOption('publisher');
    await page.getByLabel('Name (letters, digits, . and -)').fill('bad name!');
    expect(await submit(page, 'Save the application')).toBe(400);
    expect(await page.getByLabel('ops').isChecked()).toBe(false);
    expect(await page.getByLabel('Team (row 1)').inputValue()).toBe('');
    expect(await page.getByLabel('Minimum level (row 2)').inputValue()).toBe('publisher');
    expect((await appNamed('portal')).access.teams).toHaveLength(2); // nothing saved
    await page.getByLabel('Name (letters, digits, . and -)').fill('portal');
    expect(await submit(page, 'Save the application')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('Saved.');
    const edited = await appNamed('portal');
    expect(edited.access).toEqual({ everyone: false, groups: [{ id: expect.any(String), name: 'staff' }], teams: [{ team: 'sales', level: 'publisher' }] });
    expect(await page.locator('#f-team-0 option:checked').innerText()).toBe('sales');
    const whoNow = await page.getByRole('table', { name: 'Users with access' }).innerText();
    expect(whoNow).not.toContain('bob');
    expect(whoNow).toMatch(/carol\s+carol@example\.com\s+level on sales/);

    // A group that does not exist, posted with the rest: refused next to the groups, shown so it can be unticked.
    const _csrf = await csrfOf(page);
    const forged = await postFields(`/apps/${made.id}`, [['_csrf', _csrf], ['name', 'portal'], ['access', 'listed'], ['group', 'no-such-group'], ['team', ''], ['level', 'user']]);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('unknown group no-such-group');
    expect(forged.text).toMatch(/id="e-groups"[^>]*>[^<]*no group/);
    expect((await appNamed('portal')).access).toEqual(edited.access);
    await api.call('DELETE', '/api/v1/apps/portal', { token: api.ownerToken });
  }, 240_000);

  it('keyboard alone: a mixed rule with a second team row asked for by keyboard', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/apps/new`);
    const tabTo = async (id: string) => {
      for (let i = 0; i < 40 && (await focused(page)).id !== id; i++) await page.keyboard.press('Tab');
      const now = await focused(page);
      expect(now.id).toBe(id);
      expect(now.outline).not.toBe('none'); // focus is visible
    };
    const staff = (await page.getByLabel('staff').getAttribute('id')) ?? '';
    await tabTo('f-name');
    await page.keyboard.type('kb');
    await tabTo('f-access-everyone'); // Tab enters the radio group once; the arrows choose within it
    await page.keyboard.press('ArrowDown');
    expect((await focused(page)).id).toBe('f-access-listed');
    expect(await page.getByLabel(LISTED).isChecked()).toBe(true);
    await tabTo(staff);
    await page.keyboard.press('Space');
    await tabTo('f-team-0');
    await page.keyboard.type('web');
    await tabTo('f-level-0');
    await page.keyboard.type('editor');
    await tabTo('f-cidrs');
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Create the application'); // Enter in a field saves: the main button comes first
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Add a team row');
    const [more] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(more?.status()).toBe(200);
    await tabTo('f-team-1');
    await page.keyboard.type('sales');
    await tabTo('f-name');
    const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(response?.status()).toBe(201);
    const kb = await appNamed('kb');
    expect(kb.access).toEqual({ everyone: false, groups: [{ id: staff.slice(2), name: 'staff' }], teams: [{ team: 'web', level: 'editor' }, { team: 'sales', level: 'user' }] });
    await api.call('DELETE', '/api/v1/apps/kb', { token: api.ownerToken });
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
      ['/apps/new', { _csrf, name: 'sneaky', more: '1' }],
      [`/apps/${id}`, { _csrf, name: 'vault', more: '1' }],
    ];
    for (const [path, fields] of forged) expect((await postForm(page, `${api.base}${path}`, fields)).status, path).toBe(403);
    expect(await appsNamed()).toEqual(['vault']);
    expect((await api.call('GET', '/api/v1/apps/vault', { token: api.ownerToken })).body.access).toEqual({ everyone: false, groups: [], teams: [] });

    // The owner's own session, without the token: refused by the CSRF check, nothing changes.
    const owner = await ui.open();
    await signIn(owner.page, api.base, 'owner', PASSWORD);
    expect((await postForm(owner.page, `${api.base}/apps/${id}/delete`, { confirm: '1' })).status).toBe(403);
    expect((await postForm(owner.page, `${api.base}/apps/new`, { name: 'nocsrf', access: 'everyone' })).status).toBe(403);
    expect(await appsNamed()).toEqual(['vault']);
    await api.call('DELETE', '/api/v1/apps/vault', { token: api.ownerToken });
  }, 90_000);
});
