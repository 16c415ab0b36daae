import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { createTempDir, storeModes } from '../../helpers/databases.js';
import { idpMetadata, makeKey, type TestKey } from '../../helpers/saml-responses.js';
import { PASSWORD, type Api } from '../http-fixture.js';
import { csrfOf, expectAccessible, postForm, shareBrowser, signIn, submit, useConsoleBrowser } from './console-fixture.js';

/**
 * The single sign-on page (SAML metadata pasted or uploaded, what pgdir understood of it, the
 * addresses for the IdP, turning it on and off; OpenID Connect with its write-only secret) and the
 * allowed domains page (line-numbered errors, both forms of internationalised names) in Chromium
 * on both stores, as an owner and as an organisation admin (role user); a plain user gets 403.
 */
const IDP = 'https://idp.example.test/saml';
const SSO_URL = 'https://idp.example.test/sso';

let keyDir: { path: string; remove(): Promise<void> };
let key: TestKey;
let nextKey: TestKey;
shareBrowser();
beforeAll(async () => {
  keyDir = await createTempDir();
  key = await makeKey(keyDir.path, 'idp-signing');
  nextKey = await makeKey(keyDir.path, 'idp-next');
}, 90_000);
afterAll(async () => {
  await keyDir?.remove();
});

describe.each(storeModes)('single sign-on and allowed domains pages on $mode', (mode) => {
  const ui = useConsoleBrowser({
    mode,
    setup: async (api) => {
      await api.directory.users.addUser({ username: 'plain', email: 'plain@example.com', password: PASSWORD, role: 'user' }, systemActor());
      await api.directory.users.addUser({ username: 'carol', email: 'carol@example.com', password: PASSWORD, role: 'user' }, systemActor());
      const grant = await api.call('PUT', '/api/v1/organization/grants', { token: api.ownerToken, body: { principal: { type: 'user', id: 'carol' }, level: 'admin' } });
      expect(grant.status).toBe(200);
    },
  });
  let api: Api;
  let page: Page;
  beforeEach(() => {
    ({ api, page } = ui);
  });
  const shot = (name: string) => ui.shot(name);
  const samlNow = async () => (await api.call('GET', '/api/v1/settings/sso/saml', { token: api.ownerToken })).body;
  const domainsNow = async () => (await api.call('GET', '/api/v1/settings/registration', { token: api.ownerToken })).body.allowedDomains as string[];

  it('SAML: bad metadata refused, pasted metadata understood and turned on shows the SSO button; upload; turn off', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.getByRole('link', { name: 'Single sign-on', exact: true }).first().click();
    await page.waitForURL(/\/settings\/sso$/);
    expect(await page.locator('dl.facts').first().innerText()).toContain(`${api.base}/saml/metadata`);
    expect(await page.locator('dl.facts').first().innerText()).toContain(`${api.base}/omniauth/saml/callback`);
    await expectAccessible(page, 'sso (nothing set)');
    await shot('sso-empty');

    await page.getByLabel('Identity provider metadata XML').fill('<md:EntityDescriptor oops');
    await page.getByLabel(/Turn SAML sign-in on/).check();
    expect(await submit(page, 'Save SAML')).toBe(400);
    expect(await page.getByRole('alert').first().innerText()).toContain('metadataXml');
    expect(await page.getByLabel('Identity provider metadata XML').getAttribute('aria-invalid')).toBe('true');
    expect((await samlNow()).enabled).toBe(false);

    await page.getByLabel('Identity provider metadata XML').fill(idpMetadata(IDP, SSO_URL, [key.certBase64]));
    await page.getByLabel(/Group attribute/).fill('memberOf');
    expect(await submit(page, 'Save SAML')).toBe(200);
    expect(await page.getByRole('status').innerText()).toBe('The SAML settings were saved.');
    const facts = await page.locator('#h-saml ~ dl.facts').first().innerText();
    expect(facts).toContain(IDP);
    expect(facts).toContain(SSO_URL);
    expect(facts).toContain('HTTP-Redirect');
    const cert = new X509Certificate(await readFile(key.certFile));
    const certs = await page.getByRole('table', { name: 'Signing certificates' }).innerText();
    expect(certs).toContain('CN=idp-signing');
    expect(certs).toContain(new Date(cert.validTo).toISOString().slice(0, 10));
    expect(await samlNow()).toMatchObject({ enabled: true, groupAttribute: 'memberOf', idp: { entityId: IDP } });
    await expectAccessible(page, 'sso (SAML on)');
    await shot('sso-saml-on');

    const visitor = await ui.open();
    await visitor.page.goto(`${api.base}/`);
    expect(await visitor.page.getByRole('link', { name: 'Sign in with single sign-on' }).getAttribute('href')).toMatch(/^\/saml\/login/);

    // Upload (multipart, no script): the IdP's rolled metadata with two certificates.
    await page.locator('#f-metadataFile').setInputFiles({ name: 'idp.xml', mimeType: 'application/xml', buffer: Buffer.from(idpMetadata(IDP, SSO_URL, [key.certBase64, nextKey.certBase64])) });
    expect(await submit(page, 'Save SAML')).toBe(200);
    const both = await page.getByRole('table', { name: 'Signing certificates' }).innerText();
    expect(both).toContain('CN=idp-signing');
    expect(both).toContain('CN=idp-next');
    expect((await samlNow()).idp.certificates).toHaveLength(2);

    expect(await submit(page, 'Turn SAML sign-in off')).toBe(200);
    expect(await page.getByRole('status').innerText()).toContain('SAML sign-in is off');
    expect((await samlNow()).enabled).toBe(false);
    // The multipart form carries the CSRF token too: without it, or with a wrong one, refused.
    const fields = { enabled: '1', clockSkewSeconds: '60', groupAttribute: 'group', audience: 'pgdir' };
    for (const multipart of [fields, { ...fields, _csrf: 'A'.repeat(43) }]) {
      expect((await page.request.post(`${api.base}/settings/sso/saml`, { multipart, maxRedirects: 0 })).status()).toBe(403);
    }
    expect((await samlNow()).enabled).toBe(false);
    await page.goto(`${api.base}/`);
    expect(await page.getByRole('link', { name: 'Sign in with single sign-on' }).count()).toBe(0);
  }, 180_000);

  it('OpenID Connect: the client secret is write-only and kept when left empty', async () => {
    await signIn(page, api.base, 'owner', PASSWORD);
    await page.goto(`${api.base}/settings/sso`);
    await page.getByLabel('Provider', { exact: true }).selectOption('generic');
    await page.getByLabel('Client ID').fill('pgdir-console');
    await page.getByLabel('Client secret', { exact: true }).fill('s3cret-value-never-shown');
    expect(await submit(page, 'Save OpenID Connect')).toBe(400); // a generic provider needs its issuer
    expect(await page.getByLabel(/Issuer URL/).getAttribute('aria-invalid')).toBe('true');
    expect(await page.content()).not.toContain('s3cret-value-never-shown');
    await page.getByLabel(/Issuer URL/).fill('https://login.example.test/realms/staff');
    await page.getByLabel('Client secret', { exact: true }).fill('s3cret-value-never-shown');
    await page.getByLabel(/Groups claim/).fill('roles');
    expect(await submit(page, 'Save OpenID Connect')).toBe(200);
    expect(await page.content()).not.toContain('s3cret-value-never-shown');
    expect(await page.getByLabel(/Client secret \(never shown; leave empty to keep/).inputValue()).toBe('');
    await expectAccessible(page, 'sso (OIDC set)');
    await shot('sso-oidc');
    await page.getByLabel('Turn OpenID Connect sign-in on').check();
    expect(await submit(page, 'Save OpenID Connect')).toBe(200);
    const oidc = (await api.call('GET', '/api/v1/settings/sso/oidc', { token: api.ownerToken })).body;
    expect(oidc).toMatchObject({ enabled: true, preset: 'generic', issuer: 'https://login.example.test/realms/staff', clientId: 'pgdir-console', groupsClaim: 'roles', hasClientSecret: true });
    expect((await api.directory.oidc.active())?.clientSecret).toBe('s3cret-value-never-shown'); // kept, not emptied
    // Signed out, the sign-in page now offers the OpenID Connect button.
    const visitor = await ui.open();
    await visitor.page.goto(`${api.base}/`);
    expect(await visitor.page.locator('p.sso a[href^="/oidc/login"]').count()).toBe(1);
  }, 120_000);

  it('allowed domains: every bad line numbered and nothing saved; IDN in both forms; an organisation admin reaches the pages', async () => {
    await signIn(page, api.base, 'carol', PASSWORD);
    expect(await page.getByRole('link', { name: 'Single sign-on', exact: true }).count()).toBe(0); // the nav knows roles only
    await page.goto(`${api.base}/profile`);
    await page.getByRole('link', { name: 'Single sign-on and allowed domains' }).click();
    await page.waitForURL(/\/settings\/sso$/);
    await page.getByRole('link', { name: 'Allowed domains' }).click();
    await page.waitForURL(/\/settings\/allowed-domains$/);
    await expectAccessible(page, 'allowed domains (empty)');
    await shot('allowed-domains-empty');
    const field = page.getByLabel('Allowed domains, one per line');
    await field.fill('example.com\n\nnot a domain\nbücher.example\nlocalhost');
    expect(await submit(page, 'Save the allowed domains')).toBe(400);
    const errors = await page.getByRole('alert').innerText();
    expect(errors).toContain('line 3:');
    expect(errors).toContain('line 5:');
    expect(errors).not.toContain('line 1:');
    expect(errors).not.toContain('line 4:');
    expect(await field.inputValue()).toContain('not a domain'); // kept for fixing
    await shot('allowed-domains-errors');
    expect(await domainsNow()).toEqual([]);

    await field.fill('Example.com\nbücher.example');
    expect(await submit(page, 'Save the allowed domains')).toBe(200);
    expect(await domainsNow()).toEqual(['example.com', 'xn--bcher-kva.example']);
    const table = await page.getByRole('table', { name: 'Allowed domains' }).innerText();
    expect(table).toMatch(/bücher\.example\s+xn--bcher-kva\.example/);
    expect(await field.inputValue()).toBe('example.com\nbücher.example');
    await expectAccessible(page, 'allowed domains');
    await shot('allowed-domains');
  }, 120_000);

  it('a plain user gets 403 on the pages and on forged posts; nothing changes', async () => {
    await signIn(page, api.base, 'plain', PASSWORD);
    expect(await page.getByRole('link', { name: 'Single sign-on', exact: true }).count()).toBe(0);
    for (const path of ['/settings/sso', '/settings/allowed-domains']) expect((await page.goto(`${api.base}${path}`))?.status(), path).toBe(403);
    await page.goto(`${api.base}/profile`);
    const _csrf = await csrfOf(page);
    const before = { saml: await samlNow(), domains: await domainsNow() };
    const forged: [string, Record<string, string>][] = [
      ['/settings/sso/saml', { _csrf, enabled: '1', metadataXml: idpMetadata(IDP, SSO_URL, [key.certBase64]), clockSkewSeconds: '60', groupAttribute: 'group', audience: 'pgdir' }],
      ['/settings/sso/saml/off', { _csrf }],
      ['/settings/sso/oidc', { _csrf, oidcEnabled: '1', preset: 'google', clientId: 'x', clientSecret: 'y' }],
      ['/settings/allowed-domains', { _csrf, domains: 'evil.example' }],
    ];
    for (const [path, fields] of forged) expect((await postForm(page, `${api.base}${path}`, fields)).status, path).toBe(403);
    expect(await samlNow()).toEqual(before.saml);
    expect(await domainsNow()).toEqual(before.domains);
  }, 90_000);
});
