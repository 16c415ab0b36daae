import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { qrCodeDataUrl } from '../../../src/directory/lifecycle/qr-png.js';
import { base32Decode, hotp, otpauthUrl, totpStep } from '../../../src/crypto/totp.js';
import { LOGIN_FAILED } from '../../../src/http/auth/login.js';
import { storeModes } from '../../helpers/databases.js';
import { PASSWORD, startApi, type Api } from '../http-fixture.js';

/**
 * The three lifecycle pages (DESIGN §7) used as a person would: Debian's Chromium (test/setup.sh
 * installs it), headless, driven by playwright-core. Each step leaves a screenshot in
 * test-artifacts/browser/ (git-ignored). JavaScript stays on, though the pages need none.
 */
const CHROMIUM = process.env['PGDIR_CHROMIUM'] ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/browser/', import.meta.url));
const GONE = 'This link is invalid, has expired or was already used. Ask your administrator for a new one.';
const NEW_PASSWORD = 'a password set in the browser';

const code = (secret: string, step: number) => hotp(base32Decode(secret), step);

/** Starts at least 5 s before a step boundary, so that "now ± 1" stays put while a test runs. */
async function alignToStep(): Promise<number> {
  const into = (Date.now() / 1000) % 30;
  if (into > 24) await new Promise((r) => setTimeout(r, (30.2 - into) * 1000));
  return totpStep(Date.now());
}

/** Clicks a form's button and waits until the answer has loaded; returns its HTTP status. */
async function submit(page: Page, button: string): Promise<number> {
  const loaded = page.waitForEvent('load');
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest());
  await page.getByRole('button', { name: button }).click();
  const status = (await answer).status();
  await loaded;
  return status;
}

/** What the browser made of an <img>: a decoded picture has a natural size. */
const imageSize = (img: Locator) =>
  img.evaluate((el) => {
    const image = el as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number };
    return { complete: image.complete, width: image.naturalWidth, height: image.naturalHeight };
  });

let browser: Browser;
beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  // The first launch of a cold Chromium can take several seconds.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000 });
}, 90_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(storeModes)('lifecycle pages in headless Chromium on $mode', (mode) => {
  let api: Api;
  let context: BrowserContext;
  let page: Page;
  const shot = (name: string, on = page) => on.screenshot({ path: join(ARTIFACTS, `${mode.mode}-${name}.png`), fullPage: true });
  const alert = (on = page) => on.getByRole('alert').innerText();
  const status = (on = page) => on.getByRole('status').innerText();
  const login = (identifier: string, password: string, totpToken?: string) =>
    api.call('POST', '/api/v1/auth/login', { body: { identifier, password, ...(totpToken === undefined ? {} : { totpToken }) } });

  beforeAll(async () => {
    api = await startApi(mode);
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ javaScriptEnabled: true });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });

  it('accept-invite: a refused username is kept with the error, then the account works and the link is spent', async () => {
    const created = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { email: 'bella@example.com' } });
    expect(created.status).toBe(201);
    const link = created.body.inviteLink as string;
    expect((await page.goto(link))?.status()).toBe(200);
    expect(await page.title()).toBe('Accept your invite · pgdir');
    await shot('invite-1-form');

    await page.getByLabel('Username (letters, digits, . and -)').fill('admin');
    await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
    expect(await submit(page, 'Create my account')).toBe(400);
    expect(await alert()).toBe('username "admin" is reserved');
    expect(await page.getByLabel('Username (letters, digits, . and -)').inputValue()).toBe('admin');
    await shot('invite-2-reserved-username');
    expect((await login('admin', PASSWORD)).status).toBe(401);

    await page.getByLabel('Username (letters, digits, . and -)').fill('bella');
    await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
    expect(await submit(page, 'Create my account')).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Welcome');
    expect(await status()).toBe('Your account bella is ready. You can now sign in.');
    await shot('invite-3-accepted');
    const session = await login('bella', PASSWORD);
    expect(session).toMatchObject({ status: 200, body: { user: { id: created.body.id, username: 'bella', email: 'bella@example.com', hasPassword: true } } });

    expect((await page.goto(link))?.status()).toBe(410);
    expect(await alert()).toBe(GONE);
    expect(await page.getByRole('button').count()).toBe(0);
    await shot('invite-4-link-used');
  });

  it('reset-password: too short is refused, then the new password works, the old fails, a second tab is told the link is spent', async () => {
    const { user, token } = await api.userWithToken('rory', 'user');
    const linked = await api.call('GET', `/api/v1/users/${user.id}/password_reset_link`, { token: api.ownerToken });
    const link = linked.body.link as string;
    expect((await page.goto(link))?.status()).toBe(200);
    const other = await context.newPage(); // the same link opened twice, as from a mail read twice
    expect((await other.goto(link))?.status()).toBe(200);
    await shot('reset-1-form');

    await page.getByLabel('New password (at least 8 characters)').fill('short');
    expect(await submit(page, 'Set the new password')).toBe(400);
    expect(await alert()).toBe('password must be at least 8 characters');
    await shot('reset-2-too-short');
    await page.getByLabel('New password (at least 8 characters)').fill(NEW_PASSWORD);
    expect(await submit(page, 'Set the new password')).toBe(200);
    expect(await status()).toBe('Your password was changed and every session signed out. You can now sign in.');
    await shot('reset-3-changed');
    expect(await login('rory', PASSWORD)).toMatchObject({ status: 401, body: { error: { message: LOGIN_FAILED } } });
    expect((await login('rory', NEW_PASSWORD)).status).toBe(200);
    expect((await api.call('GET', '/api/v1/profile', { token })).status).toBe(401); // sessions ended

    await other.getByLabel('New password (at least 8 characters)').fill('yet another password');
    expect(await submit(other, 'Set the new password')).toBe(410);
    expect(await alert(other)).toBe(GONE);
    await shot('reset-4-second-tab', other);
    expect((await login('rory', 'yet another password')).status).toBe(401);
    expect((await page.goto(link))?.status()).toBe(410);
    expect(await alert()).toBe(GONE);
    await shot('reset-5-link-used');
  });

  it('enroll-2fa: sign in, the QR code shows the key, a wrong code is refused, the right one turns 2FA on', async () => {
    const { user } = await api.userWithToken('zoe', 'user');
    expect((await page.goto(`${api.base}/enroll-2fa`))?.status()).toBe(200);
    await shot('2fa-1-sign-in');
    await page.getByLabel('Username or email').fill('zoe');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    expect(await submit(page, 'Continue')).toBe(400);
    expect(await alert()).toBe(LOGIN_FAILED);
    await shot('2fa-2-wrong-password');

    await page.getByLabel('Username or email').fill('zoe@example.com');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    expect(await submit(page, 'Continue')).toBe(200);
    const qr = page.getByRole('img', { name: 'QR code of your two-factor key' });
    const secret = (await page.locator('code').innerText()).replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 random bytes in base32
    expect(await qr.getAttribute('src')).toBe(await qrCodeDataUrl(otpauthUrl(secret, 'pgdir', 'zoe')));
    const size = await imageSize(qr);
    expect(size).toMatchObject({ complete: true, width: size.height });
    expect(size.width).toBeGreaterThan(0);
    await shot('2fa-3-qr-code');

    const step = await alignToStep();
    const codeField = page.getByLabel('The 6-digit code the app shows');
    expect(await codeField.getAttribute('inputmode')).toBe('numeric'); // phones show the number pad
    await codeField.fill(code(secret, step + 4));
    expect(await submit(page, 'Turn on two-factor authentication')).toBe(400);
    expect(await alert()).toBe('the code is wrong or was already used');
    expect((await imageSize(qr)).width).toBe(size.width); // the code stays on screen to try again
    expect((await api.call('GET', `/api/v1/users/${user.id}`, { token: api.ownerToken })).body.totpEnabled).toBe(false);
    await shot('2fa-4-wrong-code');

    await codeField.fill(code(secret, step));
    expect(await submit(page, 'Turn on two-factor authentication')).toBe(200);
    expect(await status()).toBe('Two-factor authentication is on. From now on, sign in with your password and a code from the app.');
    await shot('2fa-5-enabled');
    expect((await api.call('GET', `/api/v1/users/${user.id}`, { token: api.ownerToken })).body.totpEnabled).toBe(true);
    expect(await login('zoe', PASSWORD)).toMatchObject({ status: 401, body: { error: { field: 'totpToken' } } });
    expect((await login('zoe', PASSWORD, code(secret, step + 1))).status).toBe(200);
  }, 60_000);
});
