import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { storeModes } from '../../helpers/databases.js';
import { PASSWORD, type Api } from '../http-fixture.js';
import { csrfOf, expectAccessible, postForm, signIn, submit, useConsoleBrowser } from './console-fixture.js';

/**
 * The audit log (with the API's filters and paging) and the self-service profile page, in
 * Chromium, on both stores (PostgreSQL for the story a person would try first, PGlite for all).
 */
describe.each(storeModes)('audit log and profile pages on $mode', (mode) => {
  const ui = useConsoleBrowser({ mode });
  let api: Api;
  let page: Page;
  beforeEach(() => {
    ({ api, page } = ui);
  });
  const shot = (name: string) => ui.shot(name);
  const newPage = () => ui.open();

  it('audit log: filters by action and actor, pages through, refuses a bad time, and is hidden from a plain user', async () => {
    for (let i = 0; i < 7; i++) {
      await api.call('POST', '/api/v1/groups', { token: api.ownerToken, body: { name: `team-${i}` } });
    }
    await signIn(page, api.base, 'owner', PASSWORD);
    expect((await page.goto(`${api.base}/audit`))?.status()).toBe(200);
    await expectAccessible(page, 'audit');
    await shot('audit');
    await page.getByLabel('Action').fill('group.create');
    await page.getByLabel('Entries per page').selectOption('25');
    expect(await submit(page, 'Filter')).toBe(200);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(7);
    expect(await rows.first().innerText()).toContain('group.create');
    expect(await page.locator('.pager').innerText()).toContain('Page 1 of 1 (7 in all)');

    // Paging with the filter kept: 2 per page through the URL, as the pager links carry it.
    const api2 = await api.call('GET', '/api/v1/audit?action=group.create&perPage=2&page=2', { token: api.ownerToken });
    await page.goto(`${api.base}/audit?action=group.create&perPage=2`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Next page' }).click()]);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    expect(new URL(page.url()).searchParams.get('action')).toBe('group.create');
    const targets = await page.locator('tbody tr td:nth-child(4)').allInnerTexts();
    expect(targets).toEqual(api2.body.items.map((e: { target: string }) => e.target));
    expect(await page.locator('.pager').innerText()).toContain('Page 2 of 4 (7 in all)');

    // Following an actor link filters by that actor.
    await Promise.all([page.waitForNavigation(), page.locator('tbody tr td:nth-child(2) a').first().click()]);
    expect(new URL(page.url()).searchParams.get('actor')).toBe(api.owner.id);

    expect((await page.goto(`${api.base}/audit?since=yesterday`))?.status()).toBe(400);
    expect(await page.getByRole('alert').innerText()).toContain('since');
    expect((await page.goto(`${api.base}/audit?since=2026-01-02T00:00&until=2026-01-01T00:00`))?.status()).toBe(400);
    expect(await page.getByRole('alert').innerText()).toContain('until must be later than since');

    const plain = await newPage();
    await api.directory.users.addUser({ username: 'auditless', email: 'auditless@example.com', password: PASSWORD, role: 'user' }, systemActor());
    await signIn(plain.page, api.base, 'auditless', PASSWORD);
    expect(await plain.page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    expect((await plain.page.goto(`${api.base}/audit`))?.status()).toBe(403);
    await plain.context.close();
  }, 90_000);

  it('profile: name and email saved, refused while locked, password change keeps this session and ends the others', async () => {
    await api.directory.users.addUser({ username: 'pat', email: 'pat@example.com', password: PASSWORD, role: 'user' }, systemActor());
    const elsewhere = await api.login('pat', PASSWORD); // another device
    await signIn(page, api.base, 'pat', PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/profile');
    await expectAccessible(page, 'profile');
    await shot('profile');
    await page.getByLabel('Full name').fill('Pat Example');
    await page.getByLabel('Fallback email (optional)').fill('pat@home.example');
    expect(await submit(page, 'Save')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('Saved.');
    const me = await api.call('GET', '/api/v1/profile', { token: elsewhere });
    expect(me.body).toMatchObject({ fullName: 'Pat Example', fallbackEmail: 'pat@home.example' });

    // Sessions: this one and the other device; "sign out everywhere else" ends only the other.
    expect(await page.locator('h2#h-sessions + div tbody tr').count()).toBe(2);
    expect(await submit(page, 'Sign out everywhere else')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('Your other sessions ended.');
    expect((await api.call('GET', '/api/v1/profile', { token: elsewhere })).status).toBe(401);
    expect(await page.locator('h2#h-sessions + div tbody tr').count()).toBe(1);

    await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { lockProfiles: true } });
    await page.goto(`${api.base}/profile`);
    expect(await page.getByLabel('Full name').getAttribute('readonly')).toBe('');
    expect(await page.locator('#locked-note').innerText()).toContain('Profiles are locked');
    // A forged change of the name (the field is read-only, not absent) is refused by the same rule as the API.
    const forged = await postForm(page, `${api.base}/profile`, { _csrf: await csrfOf(page), fullName: 'Someone Else', email: 'else@example.com' });
    expect(forged.status).toBe(303); // the page saves only what is allowed: the fallback email
    expect((await api.call('GET', `/api/v1/users/${me.body.id}`, { token: api.ownerToken })).body).toMatchObject({ fullName: 'Pat Example', email: 'pat@example.com' });
    await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { lockProfiles: false } });

    await page.goto(`${api.base}/profile`);
    await page.getByLabel('Current password').fill('not the password');
    await page.getByLabel('New password (at least 8 characters)').fill('a brand new password');
    expect(await submit(page, 'Change password')).toBe(400);
    expect(await page.getByRole('alert').innerText()).toBe('the current password is wrong');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password (at least 8 characters)').fill('a brand new password');
    expect(await submit(page, 'Change password')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('Your password was changed; your other sessions ended.');
    expect((await page.goto(`${api.base}/profile`))?.status()).toBe(200); // still signed in: the cookie was renewed
    expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'pat', password: 'a brand new password' } })).status).toBe(200);
    expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'pat', password: PASSWORD } })).status).toBe(401);
    await shot('profile-after-password');

    // My teams and permissions: absent until a grant reaches pat, then the level per team.
    expect(await page.locator('#h-perms').count()).toBe(0);
    expect((await api.call('POST', '/api/v1/teams', { token: api.ownerToken, body: { name: 'design' } })).status).toBe(201);
    const granted = await api.call('PUT', '/api/v1/teams/design/grants', { token: api.ownerToken, body: { principal: { type: 'user', id: 'pat' }, level: 'editor' } });
    expect(granted.status).toBe(200);
    await page.goto(`${api.base}/profile`);
    expect(await page.locator('#h-perms + dl + div tbody tr').innerText()).toMatch(/^design\s+editor$/);
    await expectAccessible(page, 'profile with teams');
    await shot('profile-teams');
  }, 90_000);

  it('profile: the 2FA section links to enrolment when off and turns it off with the password when on', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/profile`);
    expect(await page.getByRole('link', { name: 'Set up two-factor authentication' }).getAttribute('href')).toBe('/two-factor');
    const started = await api.directory.lifecycle.twoFactor.newSecret(api.owner);
    const { base32Decode, hotp, totpStep } = await import('../../../src/crypto/totp.js');
    await api.directory.lifecycle.twoFactor.enable(api.owner, hotp(base32Decode(started.secret), totpStep(Date.now())), '127.0.0.1');
    await page.goto(`${api.base}/profile`);
    expect(await page.locator('#h-totp + p').innerText()).toBe('Two-factor authentication is on.');
    await page.getByLabel('Your password, to turn it off').fill('wrong password');
    expect(await submit(page, 'Turn off two-factor authentication')).toBe(400);
    expect((await api.directory.store.getUser(api.owner.id))?.totpEnabled).toBe(true);
    await page.getByLabel('Your password, to turn it off').fill(PASSWORD);
    expect(await submit(page, 'Turn off two-factor authentication')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('Two-factor authentication is off.');
    expect((await api.directory.store.getUser(api.owner.id))?.totpEnabled).toBe(false);
  }, 90_000);
});
