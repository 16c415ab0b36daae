import { X509Certificate } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { createConnector, type Connector } from '../../../src/connector/connector.js';
import { ensureSelfSignedCert } from '../../../src/tls/self-signed-cert.js';
import { settingsForActor } from '../../../src/directory/access/actor-services.js';
import { createSettingsUseCases } from '../../../src/directory/settings/settings-service.js';
import { createTempDir, storeModes } from '../../helpers/databases.js';
import { PASSWORD, startApi, type Api } from '../http-fixture.js';
import { csrfOf, expectAccessible, focused, postForm, shots, signIn, submit, useConsoleBrowser } from './console-fixture.js';

/**
 * The settings pages (directory server, users, SMTP, service accounts, external directory) as an
 * owner uses them in Chromium, and as a plain user who neither sees them nor can post to them.
 * Every change is checked through the API the pages share their use cases with.
 */
const pglite = storeModes.find((m) => m.mode === 'pglite')!;

describe('settings pages in Chromium (PGlite)', () => {
  let certDir: { path: string; remove(): Promise<void> } | undefined;
  let certFile: string;
  const ui = useConsoleBrowser({
    mode: pglite,
    prefix: '',
    start: async (mode) => {
      certDir = await createTempDir();
      certFile = (await ensureSelfSignedCert(certDir.path)).certFile;
      return startApi(mode, { ldapEndpoint: () => ({ urls: ['ldaps://0.0.0.0:6360'], suffix: 'dc=example,dc=com', certFile }) });
    },
    setup: async (api) => {
      await api.directory.users.addUser({ username: 'plain', email: 'plain@example.com', password: PASSWORD, role: 'user' }, systemActor());
    },
  });
  afterAll(async () => {
    await certDir?.remove();
  });
  let api: Api;
  let page: Page;
  beforeEach(() => {
    ({ api, page } = ui);
  });
  const newPage = () => ui.open();

  it('directory server: line-numbered allowlist errors save nothing, a good list and "on" are saved, ldapsearch line and certificate shown', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    expect(await page.goto(`${api.base}/settings/directory-server`).then((r) => r?.status())).toBe(200);
    await expect.poll(() => page.getByRole('link', { name: 'Settings' }).getAttribute('aria-current')).toBe('page');
    const line = await page.locator('pre.command').innerText();
    const host = new URL(api.base).hostname;
    expect(line).toBe(`LDAPTLS_CACERT=${certFile} ldapsearch -H ldaps://${host}:6360 -D cn=admin,ou=system,dc=example,dc=com -W -b ou=users,dc=example,dc=com '(objectClass=person)' uid mail`);
    const cert = new X509Certificate(await import('node:fs').then((fs) => fs.readFileSync(certFile)));
    expect(await page.locator('dl.facts').first().innerText()).toContain(cert.subject.replace(/\n/g, ', '));
    expect(await page.locator('dl.facts').first().innerText()).toContain(new Date(cert.validTo).toISOString().slice(0, 10));
    await expectAccessible(page, 'directory server');
    await shots(page, 'settings-directory-server');

    expect(await page.getByLabel('The LDAP server answers').isChecked()).toBe(true); // on by default
    await page.getByLabel('The LDAP server answers').uncheck();
    await page.getByLabel('Allowed client addresses').fill('10.0.0.0/8\n# office\n300.1.1.1\n192.168.1.0/24\nnot-an-ip');
    expect(await submit(page, 'Save')).toBe(400);
    const errors = await page.getByRole('alert').innerText();
    expect(errors).toContain('line 3:');
    expect(errors).toContain('line 5:');
    expect(errors).not.toContain('line 1:');
    expect(await page.getByLabel('Allowed client addresses').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Allowed client addresses').inputValue()).toContain('not-an-ip'); // kept for fixing
    await shots(page, 'settings-directory-server-errors');
    const unchanged = await api.call('GET', '/api/v1/settings/directory-server', { token: api.ownerToken });
    expect(unchanged.body).toMatchObject({ enabled: true, allowlist: '127.0.0.1\n::1' });
    expect(await page.getByLabel('The LDAP server answers').isChecked()).toBe(false); // the form as sent

    await page.getByLabel('Allowed client addresses').fill('127.0.0.1\n10.0.0.0/8');
    expect(await submit(page, 'Save')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('Saved.');
    const saved = await api.call('GET', '/api/v1/settings/directory-server', { token: api.ownerToken });
    expect(saved.body).toMatchObject({ enabled: false, allowlist: '127.0.0.1\n10.0.0.0/8' });
    await page.getByLabel('The LDAP server answers').check();
    expect(await submit(page, 'Save')).toBe(200);
    expect((await api.call('GET', '/api/v1/settings/directory-server', { token: api.ownerToken })).body).toMatchObject({ enabled: true, allowlist: '127.0.0.1\n10.0.0.0/8' });
  }, 90_000);

  it('directory server: the rotated admin secret is shown once', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/settings/directory-server`);
    expect(await submit(page, 'Make a new admin secret')).toBe(201);
    const secret = await page.locator('#new-secret').innerText();
    expect(secret.length).toBeGreaterThanOrEqual(20);
    await shots(page, 'settings-directory-server-secret');
    // Shown once: the page read again does not carry it.
    await page.goto(`${api.base}/settings/directory-server`);
    expect(await page.content()).not.toContain(secret);
  }, 90_000);

  it('users settings: mandatory 2FA warns, and saving it signs out the owner who has no 2FA', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/settings/users`);
    expect(await page.locator('#mandatory-warning').innerText()).toContain('signs out at once everyone');
    await expectAccessible(page, 'users settings');
    await shots(page, 'settings-users');
    await page.getByLabel('Lock profiles').check();
    expect(await submit(page, 'Save')).toBe(200);
    expect((await api.call('GET', '/api/v1/settings/user-directory', { token: api.ownerToken })).body).toMatchObject({ mandatory2fa: false, lockProfiles: true });

    await page.getByLabel('Everyone must use two-factor authentication').check();
    await submit(page, 'Save');
    // The owner has no 2FA: their session ended, so the browser is sent to sign in again.
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign in');
    const owner = await api.login('owner', PASSWORD);
    expect((await api.call('GET', '/api/v1/settings/user-directory', { token: owner })).status).toBe(403); // only enrolment now
    // Back to normal from the server's side (the owner could only enrol now).
    const system = settingsForActor(createSettingsUseCases({ store: api.store, pinned: {}, defaultAllowlist: '127.0.0.1\n::1' }), systemActor(), api.store);
    expect((await system.setUserDirectory({ mandatory2fa: false, lockProfiles: false })).values).toEqual({ mandatory2fa: false, lockProfiles: false });
    ui.api = { ...api, ownerToken: await api.login('owner', PASSWORD) }; // the old session ended with the switch
  }, 90_000);

  it('SMTP: a bad port is refused with its field named, a good server saved, the test mail reports the failure', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/settings/smtp`);
    await expectAccessible(page, 'smtp');
    await shots(page, 'settings-smtp');
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill('70000');
    await page.getByLabel('From address').fill('pgdir@example.com');
    // The browser's own range check would stop the form; the server's must hold without it.
    await page.locator('form[action="/settings/smtp"]').evaluate((f) => f.setAttribute('novalidate', ''));
    expect(await submit(page, 'Save')).toBe(400);
    expect(await page.getByRole('alert').innerText()).toMatch(/^Port: /);
    expect((await api.call('GET', '/api/v1/settings/smtp', { token: api.ownerToken })).body.configured).toBe(false);

    await page.getByLabel('Port', { exact: true }).fill('1'); // nothing listens on port 1: the test mail must fail, not hang
    expect(await submit(page, 'Save')).toBe(200);
    expect((await api.call('GET', '/api/v1/settings/smtp', { token: api.ownerToken })).body.settings).toMatchObject({ host: '127.0.0.1', port: 1, from: 'pgdir@example.com' });
    await page.getByLabel('To', { exact: true }).fill('me@example.com');
    expect(await submit(page, 'Send the test mail')).toBe(503);
    expect(await page.getByRole('alert').innerText()).toContain('the mail could not be sent');
    expect(await submit(page, 'Remove the mail server')).toBe(200);
    expect((await api.call('GET', '/api/v1/settings/smtp', { token: api.ownerToken })).body.configured).toBe(false);
  }, 90_000);

  it('service accounts: add shows the secret once (it binds), a bad name is refused, delete asks first', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/settings/service-accounts`);
    await page.getByLabel('Name (letters, digits, . and -)').fill('bad name!');
    expect(await submit(page, 'Add service account')).toBe(400);
    expect(await page.getByLabel('Name (letters, digits, . and -)').inputValue()).toBe('bad name!');

    await page.getByLabel('Name (letters, digits, . and -)').fill('nextcloud');
    await page.getByLabel('Allowed addresses').fill('10.0.0.0/8\n192.168.0.0/16');
    expect(await submit(page, 'Add service account')).toBe(201);
    const secret = await page.locator('#new-secret').innerText();
    const accounts = await api.call('GET', '/api/v1/service-accounts', { token: api.ownerToken });
    expect(accounts.body.items).toMatchObject([{ name: 'nextcloud', allowedCidrs: ['10.0.0.0/8', '192.168.0.0/16'], privileged: false }]);
    expect(secret.length).toBeGreaterThanOrEqual(20);
    await expectAccessible(page, 'service accounts');
    await shots(page, 'settings-service-accounts');

    await page.goto(`${api.base}/settings/service-accounts`);
    expect(await page.content()).not.toContain(secret);
    expect(await submit(page, 'Delete nextcloud')).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Delete a service account');
    expect((await api.call('GET', '/api/v1/service-accounts', { token: api.ownerToken })).body.items).toHaveLength(1); // not yet
    expect(await submit(page, 'Delete nextcloud')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('The service account was deleted.');
    expect((await api.call('GET', '/api/v1/service-accounts', { token: api.ownerToken })).body.items).toEqual([]);
  }, 90_000);

  it('a plain user sees no Settings link, gets 403 pages, and a forged POST with their own valid CSRF token changes nothing', async () => {
    await signIn(page, api.base, 'plain', PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/profile'); // their first (and only) page
    expect(await page.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    const csrf = await csrfOf(page);
    for (const path of ['/settings/directory-server', '/settings/users', '/settings/smtp', '/settings/service-accounts', '/settings/external-directory', '/audit']) {
      expect((await page.goto(`${api.base}${path}`))?.status(), path).toBe(403);
    }
    await shots(page, 'settings-refused-plain-user');
    const forged = [
      ['/settings/directory-server', { enabled: '1', allowlist: '0.0.0.0/0' }],
      ['/settings/directory-server/secret', {}],
      ['/settings/users', { lockProfiles: '1' }],
      ['/settings/smtp', { host: 'evil.example.com', port: '25', from: 'x@example.com' }],
      ['/settings/service-accounts', { name: 'backdoor' }],
      ['/settings/external-directory', { provider: 'other', url: 'ldap://evil.example.com' }],
    ] as const;
    for (const [path, fields] of forged) {
      expect((await postForm(page, `${api.base}${path}`, { _csrf: csrf, ...fields })).status, path).toBe(403);
    }
    const ds = await api.call('GET', '/api/v1/settings/directory-server', { token: api.ownerToken });
    expect(ds.body.allowlist).not.toContain('0.0.0.0/0');
    expect((await api.call('GET', '/api/v1/service-accounts', { token: api.ownerToken })).body.items).toEqual([]);
    expect((await api.call('GET', '/api/v1/settings/smtp', { token: api.ownerToken })).body.configured).toBe(false);
  }, 90_000);

  it('CSRF: an owner\'s POST without the token, or with another session\'s, is refused and changes nothing', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/settings/users`);
    const own = await csrfOf(page);
    expect((await postForm(page, `${api.base}/settings/users`, { lockProfiles: '1' })).status).toBe(403);
    const other = await newPage();
    await signIn(other.page, api.base, 'owner', PASSWORD);
    await other.page.goto(`${api.base}/settings/users`);
    const theirs = await csrfOf(other.page);
    expect(theirs).not.toBe(own);
    expect((await postForm(page, `${api.base}/settings/users`, { _csrf: theirs, lockProfiles: '1' })).status).toBe(403);
    await other.context.close();
    expect((await api.call('GET', '/api/v1/settings/user-directory', { token: api.ownerToken })).body.lockProfiles).toBe(false);
    // With its own token the same post works: the refusals above were the CSRF check.
    expect((await postForm(page, `${api.base}/settings/users`, { _csrf: own, lockProfiles: '1' })).status).toBe(303);
    expect((await api.call('GET', '/api/v1/settings/user-directory', { token: api.ownerToken })).body.lockProfiles).toBe(true);
    await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { lockProfiles: false } });
  }, 90_000);

  it('keyboard only: the service-account form is reached with Tab, filled and sent with Enter', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/settings/service-accounts`);
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Skip to content');
    let guard = 0;
    while ((await focused(page)).id !== 'f-name' && guard++ < 40) await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('f-name');
    expect((await focused(page)).outline).not.toBe('none'); // visible focus
    await page.keyboard.type('keyboard-app');
    await page.keyboard.press('Tab');
    await page.keyboard.type('127.0.0.1');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // the privileged checkbox
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Add service account');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await page.locator('#new-secret').count()).toBe(1);
    const items = (await api.call('GET', '/api/v1/service-accounts', { token: api.ownerToken })).body.items;
    expect(items).toMatchObject([{ name: 'keyboard-app', allowedCidrs: ['127.0.0.1'], privileged: true }]);
    await api.call('DELETE', `/api/v1/service-accounts/${items[0].id}`, { token: api.ownerToken });
  }, 90_000);
});

describe('external directory page (PGlite, with a connector)', () => {
  const ui = useConsoleBrowser({
    mode: pglite,
    prefix: '',
    checkCsp: false,
    start: async (mode) => {
      // The connector needs the API's store, made inside startApi: hand over a forwarder first.
      let real: Connector | undefined;
      const connector = new Proxy({} as Connector, { get: (_, key) => (real as unknown as Record<string | symbol, unknown>)[key] });
      const api = await startApi(mode, { connector });
      real = createConnector({ store: api.store, configTtlMs: 0 });
      return api;
    },
  });
  let api: Api;
  let page: Page;
  beforeEach(() => {
    ({ api, page } = ui);
  });
  const newPage = () => ui.open();

  it('a bad filter is refused naming the key; saved settings keep the password; test and sync report an unreachable source', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    expect((await page.goto(`${api.base}/settings/external-directory`))?.status()).toBe(200);
    expect(await page.locator('main').innerText()).toContain('No external directory is set up');
    await expectAccessible(page, 'external directory');
    await shots(page, 'settings-external-directory');

    await page.getByLabel('Provider', { exact: true }).selectOption('ad');
    await page.getByLabel('URL (ldaps://host:636 or ldap://host:389)').fill('ldap://127.0.0.1:1');
    await page.getByLabel('Bind DN (the account pgdir reads with)').fill('cn=reader,dc=corp,dc=example');
    await page.getByLabel('Bind password (leave empty to keep the stored one)').fill('reader secret');
    await page.getByLabel('Base DN (where the provider keeps everything)').fill('dc=corp,dc=example');
    await page.getByLabel('Users filter').fill('(objectClass=user');
    expect(await submit(page, 'Save')).toBe(400);
    expect(await page.getByRole('alert').first().innerText()).toContain('users_filter');
    expect(await page.getByLabel('Users filter').inputValue()).toBe('(objectClass=user'); // kept for fixing
    expect((await api.call('GET', '/api/v1/settings/external-directory', { token: api.ownerToken })).body.configured).toBe(false);

    await page.getByLabel('Users filter').fill('');
    await page.getByLabel('Bind password (leave empty to keep the stored one)').fill('reader secret');
    expect(await submit(page, 'Save')).toBe(200);
    const stored = await api.call('GET', '/api/v1/settings/external-directory', { token: api.ownerToken });
    expect(stored.body).toMatchObject({ configured: true, settings: { provider: 'ad', url: 'ldap://127.0.0.1:1', bind_password: '********', base_dn: 'dc=corp,dc=example' } });
    expect(stored.body.settings.users_filter).toBeUndefined(); // empty: the preset's
    // Saving again without typing the password keeps it.
    expect(await submit(page, 'Save')).toBe(200);
    expect((await api.store.getSetting<Record<string, unknown>>('connector.config'))?.['bind_password']).toBe('reader secret');

    expect(await submit(page, 'Test connection')).toBe(200);
    expect(await page.getByRole('alert').innerText()).toMatch(/^The connection failed: /);

    expect(await submit(page, 'Synchronize now')).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/^\/settings\/external-directory\/sync\/[0-9a-f-]{36}$/);
    // htmx polls the progress fragment until the job ends; the report then replaces it.
    await expect.poll(() => page.locator('#sync-progress').innerText(), { timeout: 20_000 }).toContain('The synchronization failed');
    await shots(page, 'settings-external-directory-sync');
    const other = await newPage();
    await signIn(other.page, api.base, 'owner', PASSWORD);
    expect((await other.page.goto(page.url()))?.status()).toBe(404); // another session's job
    await other.context.close();
    await page.goto(`${api.base}/settings/external-directory`);
    expect(await page.locator('main').innerText()).toContain('Last synchronization');
    expect(await page.locator('main').innerText()).toContain('The synchronization failed');
  }, 90_000);
});
