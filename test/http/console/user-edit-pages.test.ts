import type { Page } from 'playwright-core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { storeModes } from '../../helpers/databases.js';
import { startSmtpCapture, type SmtpCapture } from '../../helpers/smtp-capture.js';
import { PASSWORD, startApi, type Api } from '../http-fixture.js';
import { signIn, submit, useConsoleBrowser } from './console-fixture.js';

/**
 * Parts of a user's page (issue 15's "edit" list) that the users story does not reach, in
 * Chromium: the fallback email saved, the teams and levels (each linking to its team page), turning
 * off someone's 2FA, a reset link mailed (to the fallback address), and the temporary password
 * shown once with its expiry. Every effect is checked through the API, the store or the mail sent.
 */
const pglite = storeModes.find((m) => m.mode === 'pglite')!;

describe("a user's page in Chromium (PGlite)", () => {
  let smtp: SmtpCapture | undefined;
  const ui = useConsoleBrowser({
    mode: pglite,
    prefix: '',
    start: async (mode) => {
      smtp = await startSmtpCapture();
      return startApi(mode);
    },
    setup: async (api) => {
      await api.directory.users.addUser({ username: 'alice', email: 'alice@example.com', password: PASSWORD, role: 'user' }, systemActor());
      const smtpSet = await api.call('PUT', '/api/v1/settings/smtp', { token: api.ownerToken, body: { host: '127.0.0.1', port: smtp!.port, secure: false, from: 'pgdir@example.com', publicUrl: api.base } });
      expect(smtpSet.status, smtpSet.text).toBe(200);
    },
  });
  afterAll(async () => {
    await smtp?.close();
  });
  let api: Api;
  let page: Page;
  beforeEach(() => {
    ({ api, page } = ui);
  });

  it('fallback email saved; team levels link to their teams; reset link mailed to the fallback address; temporary password with its expiry', async () => {
    expect((await api.call('POST', '/api/v1/teams', { token: api.ownerToken, body: { name: 'docs' } })).status).toBe(201);
    expect((await api.call('PUT', '/api/v1/teams/docs/grants', { token: api.ownerToken, body: { principal: { type: 'user', id: 'alice' }, level: 'publisher' } })).status).toBe(200);
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/users/alice`);

    await page.getByLabel('Fallback email (optional: mails go there)').fill('alice.home@example.net');
    expect(await submit(page, 'Save')).toBe(200); // after the redirect back to the page
    expect((await api.call('GET', '/api/v1/users/alice', { token: api.ownerToken })).body.fallbackEmail).toBe('alice.home@example.net');

    const levels = await page.getByRole('table', { name: 'Level in each team' }).innerText();
    expect(levels).toMatch(/docs\s+publisher/);
    await ui.check('user-edit-teams');

    const before = smtp!.mails.length;
    expect(await submit(page, 'Mail a password reset link')).toBe(200);
    const sentTo = await page.getByRole('status').innerText();
    expect(sentTo).toMatch(/^A reset link was mailed to /);
    await expect.poll(() => smtp!.mails.length, { timeout: 20_000 }).toBe(before + 1);
    const mail = smtp!.mails[before]!;
    expect(mail.to).toContain('alice.home@example.net');
    expect(sentTo).toContain('alice.home@example.net');
    expect(mail.text).toMatch(/\/reset-password\?token=/);

    const shownAt = Date.now();
    expect(await submit(page, 'Get a temporary password')).toBe(200);
    const text = await page.locator('main').innerText();
    const expires = /works until (\S+?) \(/.exec(text)?.[1];
    expect(expires, text).toBeDefined();
    expect(Date.parse(expires!)).toBeGreaterThan(shownAt);
    const temporary = await page.locator('.secret').innerText();
    expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'alice', password: temporary } })).status).toBe(200);

    await page.goto(`${api.base}/users/alice`);
    await page.getByRole('link', { name: 'docs', exact: true }).click();
    await page.waitForURL(/\/teams\/[^/]+$/);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toContain('docs');
  }, 120_000);

  it('an owner turns off the two-factor authentication of a user who has it; a user without team grants is told so', async () => {
    const { user } = await api.userWithToken('tfa-user', 'user');
    const { secret } = await api.directory.lifecycle.twoFactor.newSecret(user);
    const { base32Decode, hotp, totpStep } = await import('../../../src/crypto/totp.js');
    await api.directory.lifecycle.twoFactor.enable(user, hotp(base32Decode(secret), totpStep(Date.now())), '127.0.0.1');
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/users/tfa-user`);
    const main = await page.locator('main').innerText();
    expect(main).toContain('No team grant reaches this user.');
    expect(main).toContain('Two-factor authentication is on.');
    await ui.check('user-edit-2fa');
    expect(await submit(page, 'Turn off two-factor authentication')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('Two-factor authentication was turned off.');
    expect((await api.directory.store.getUser(user.id))?.totpEnabled).toBe(false);
  }, 120_000);
});
