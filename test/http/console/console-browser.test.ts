import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { storeModes } from '../../helpers/databases.js';
import { PASSWORD, type Api } from '../http-fixture.js';
import { checkPage, submitPost as submit, useConsoleBrowser } from './console-fixture.js';

/**
 * The console's pages as people use them, in Debian's Chromium on both stores: every page is
 * scanned by axe-core and photographed at 1280 px and 390 px (test-artifacts/console/), and the
 * pages must not cause a single CSP violation (htmx included).
 */
describe.each(storeModes)('web console in headless Chromium on $mode', (mode) => {
  const ui = useConsoleBrowser({
    mode,
    setup: async (api) => {
      for (let i = 0; i < 60; i++) await api.directory.users.addUser({ username: `person${String(i).padStart(2, '0')}`, email: `person${i}@example.com`, name: `Person ${i}`, password: PASSWORD }, { kind: 'system', name: 'test' });
    },
  });
  let api: Api;
  let context: BrowserContext;
  let page: Page;
  beforeEach(() => {
    ({ api, context, page } = ui);
  });
  const shotName = (name: string) => `${mode.mode}-${name}`;
  const signIn = (identifier: string, password = PASSWORD) => ui.signIn(identifier, password);
  const csrf = () => page.locator('input[name="_csrf"]').first().inputValue();

  it('keyboard only: skip link first, then sign in with Tab and Enter; the cookie is HttpOnly and SameSite=Strict', async () => {
    await page.goto(`${api.base}/`);
    await checkPage(page, shotName('sign-in'));
    // The username field has autofocus; Shift+Tab goes back to the skip link at the very top.
    expect(await page.evaluate('document.activeElement?.id')).toBe('f-identifier');
    await page.keyboard.type('owner');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('f-password');
    await page.keyboard.type(PASSWORD);
    const loaded = page.waitForURL(`${api.base}/users`);
    await page.keyboard.press('Enter');
    await loaded;
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Users');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'pgdir_session', httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid'); // visible focus
  }, 120_000);

  it('forgot password and the sign-in errors', async () => {
    await page.goto(`${api.base}/forgot-password`);
    await checkPage(page, shotName('forgot-password'));
    await page.getByLabel('Username or email').fill('nobody-at-all');
    expect(await submit(page, 'Send the reset link')).toBe(200);
    expect(await page.getByRole('status').innerText()).toContain('If the account exists');
    expect(await signIn('owner', 'wrong password')).toBe(401);
    expect(await page.getByRole('alert').innerText()).toBe('invalid username, email or password');
    await checkPage(page, shotName('sign-in-error'));
  }, 120_000);

  it('Users: search with htmx, filters, paging, new user, edit, groups, reset link, impersonate, delete', async () => {
    await signIn('owner');
    await checkPage(page, shotName('users-list'));
    expect(await page.getByRole('row').count()).toBe(51); // header + 50 of 61
    await page.getByRole('link', { name: 'Next page' }).click();
    expect(await page.getByRole('row').count()).toBe(12);
    await page.goto(`${api.base}/users`);
    // htmx replaces the results as one types (no page load), under the strict CSP.
    const before = page.url();
    await page.getByLabel('Search username, email or name').fill('person42');
    await expect.poll(() => page.locator('#results tbody tr').count(), { timeout: 5000 }).toBe(1);
    expect(page.url()).toBe(before);
    await page.getByLabel('Role').selectOption('owner');
    await page.getByLabel('Search username, email or name').fill('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('#results tbody tr').count(), { timeout: 5000 }).toBe(1);

    await page.goto(`${api.base}/users/new`);
    await checkPage(page, shotName('user-new'));
    await page.getByLabel('Email', { exact: true }).fill('newbie@example.com');
    await page.getByLabel('Full name').fill('New Bie');
    await page.getByLabel('Role').selectOption('usermanager');
    expect(await submit(page, 'Create user')).toBe(201);
    expect(await page.locator('.secret').innerText()).toMatch(/\/accept-invite\?token=/);
    await checkPage(page, shotName('user-invited'));
    const created = await api.call('GET', '/api/v1/users/newbie@example.com', { token: api.ownerToken });
    expect(created.body).toMatchObject({ role: 'usermanager', fullName: 'New Bie', hasPassword: false });

    await api.call('POST', '/api/v1/groups', { token: api.ownerToken, body: { name: 'staff' } });
    await page.goto(`${api.base}/users/${created.body.id}`);
    await checkPage(page, shotName('user-edit'));
    await page.getByLabel('staff').check();
    expect(await submit(page, 'Save groups')).toBe(303);
    expect(await page.getByRole('status').innerText()).toBe('The groups were saved.');
    expect((await api.call('GET', `/api/v1/users/${created.body.id}`, { token: api.ownerToken })).body.groups.map((g: { name: string }) => g.name)).toEqual(['staff']);
    await page.getByLabel('Full name').fill('Renamed Bie');
    expect(await submit(page, 'Save')).toBe(303);
    expect(await page.getByLabel('Full name').inputValue()).toBe('Renamed Bie');
    expect(await submit(page, 'Make a password reset link')).toBe(200);
    expect(await page.locator('.secret').innerText()).toMatch(/\/reset-password\?token=/);
    expect(await submit(page, 'Disable user')).toBe(303);
    expect(await page.getByRole('status').innerText()).toBe('The user was disabled; their sessions ended.');
    expect(await submit(page, 'Enable user')).toBe(303);
    expect(await submit(page, 'Get a temporary password')).toBe(200);
    const temporary = await page.locator('.secret').innerText();
    expect(temporary.length).toBeGreaterThan(10);
    await checkPage(page, shotName('user-impersonate'));
    expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'newbie@example.com', password: temporary } })).status).toBe(200);

    await page.goto(`${api.base}/users/${created.body.id}/delete`);
    await checkPage(page, shotName('user-delete'));
    expect(await submit(page, 'Yes, delete this user')).toBe(303);
    expect(await page.getByRole('status').innerText()).toBe('The user newbie@example.com was deleted.');
    expect((await api.call('GET', `/api/v1/users/${created.body.id}`, { token: api.ownerToken })).status).toBe(404);
  }, 120_000);

  it('Users: import as a job with the per-row report; export links answer CSV and JSON with the cookie', async () => {
    await signIn('owner');
    await page.goto(`${api.base}/users/import`);
    await checkPage(page, shotName('user-import'));
    await page.getByLabel('Users to import').fill('username,email\nimp1,imp1@example.com\nadmin,imp2@example.com\n');
    // The import runs as a job now: the post answers 303 to its page, which shows the progress
    // (htmx refreshes it) and then the report (issue 15 "Import with the per-row report and progress").
    expect(await submit(page, 'Import')).toBe(303);
    expect(new URL(page.url()).pathname).toMatch(/^\/users-import\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('#import-progress [role="alert"]').allInnerTexts(), { timeout: 15_000 }).toEqual(['1 problem(s) found; nothing was imported.']);
    expect(await page.locator('tbody tr').first().innerText()).toMatch(/^2\s+username\s+username "admin" is reserved/);
    await checkPage(page, shotName('user-import-report'));
    expect((await api.call('GET', '/api/v1/users/imp1@example.com', { token: api.ownerToken })).status).toBe(404); // all or nothing
    await page.getByRole('link', { name: 'Import more users' }).click();
    await page.getByLabel('Users to import').fill('username,email\nimp1,imp1@example.com\nadmin,imp2@example.com\n');
    await page.getByLabel('Import the valid rows even if some are wrong').check();
    expect(await submit(page, 'Import')).toBe(303);
    await expect.poll(() => page.locator('#import-progress [role="status"]').allInnerTexts(), { timeout: 15_000 }).toEqual(['1 user(s) created.']);
    expect((await api.call('GET', '/api/v1/users/imp1@example.com', { token: api.ownerToken })).status).toBe(200);
    const csv = await page.request.get(`${api.base}/api/v1/users/export?format=csv`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toMatch(/^id,username,email,fallback email,full name,role,active\r?\n[\s\S]*imp1@example\.com/);
    const json = await page.request.get(`${api.base}/api/v1/users/export?format=json`);
    expect(((await json.json()) as unknown[]).length).toBeGreaterThan(60);
  }, 120_000);

  it('Groups: new, add a member by search, remove, delete; source shown', async () => {
    await signIn('owner');
    await page.goto(`${api.base}/groups`);
    await page.getByRole('link', { name: 'New group' }).click();
    await checkPage(page, shotName('group-new'));
    await page.getByLabel('Name (letters, digits, . and -)').fill('ops');
    await page.getByLabel('Description').fill('Operations');
    expect(await submit(page, 'Create group')).toBe(303);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('ops');
    await page.getByLabel('Find a user to add').fill('person07');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(/find=person07/);
    expect(await submit(page, 'Add person07')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('person07 was added.');
    await checkPage(page, shotName('group-members'));
    expect((await api.call('GET', '/api/v1/groups/ops', { token: api.ownerToken })).body.memberIds).toHaveLength(1);
    expect(await submit(page, 'Remove person07')).toBe(200);
    expect((await api.call('GET', '/api/v1/groups/ops', { token: api.ownerToken })).body.memberIds).toHaveLength(0);
    await page.goto(`${api.base}/groups`);
    expect(await page.getByRole('row', { name: /ops Operations Local 0/ }).count()).toBe(1);
    await checkPage(page, shotName('groups-list'));
    await page.goto(`${api.base}/groups/ops/delete`);
    await checkPage(page, shotName('group-delete'));
    expect(await submit(page, 'Yes, delete this group')).toBe(303);
    expect(await page.getByRole('status').innerText()).toBe('The group ops was deleted.');
  }, 120_000);

  it('usermanager: the role control is absent and a forged POST from the page is refused', async () => {
    const { user: target } = await api.userWithToken('umtarget', 'user');
    await api.userWithToken('um', 'usermanager');
    await signIn('um');
    await page.goto(`${api.base}/users/new`);
    expect(await page.getByLabel('Role').count()).toBe(0);
    await page.goto(`${api.base}/users/${target.id}`);
    expect(await page.getByLabel('Role').count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Role' }).count()).toBe(0);
    await checkPage(page, shotName('user-edit-usermanager'));
    const forged = await page.request.post(`${api.base}/users/${target.id}/role`, { form: { _csrf: await csrf(), role: 'admin' }, headers: { origin: api.base } });
    expect(forged.status()).toBe(403);
    expect((await api.call('GET', `/api/v1/users/${target.id}`, { token: api.ownerToken })).body.role).toBe('user');
  }, 120_000);

  it('CSRF: a POST carrying the session cookie but no token is refused', async () => {
    await signIn('owner');
    const res = await page.request.post(`${api.base}/groups/new`, { form: { name: 'forged' }, headers: { origin: api.base } });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('the form is out of date or came from another site');
    expect((await api.call('GET', '/api/v1/groups/forged', { token: api.ownerToken })).status).toBe(404);
  }, 120_000);

  it('mandatory 2FA sends a signed-in user without 2FA to enrolment', async () => {
    await api.userWithToken('no2fa', 'usermanager');
    await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { mandatory2fa: true } });
    try {
      expect(await signIn('no2fa')).toBe(303);
      expect(new URL(page.url()).pathname).toBe('/two-factor');
      expect(await page.getByRole('img', { name: 'QR code of your two-factor key' }).count()).toBe(1);
      await checkPage(page, shotName('two-factor'));
      await page.goto(`${api.base}/users`);
      expect(new URL(page.url()).pathname).toBe('/two-factor');
    } finally {
      await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { mandatory2fa: false } });
    }
  }, 120_000);
});
