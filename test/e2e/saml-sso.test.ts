import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_WITH_SSO } from '../../src/directory/sso/sso-only.js';
import { createTempDir } from '../helpers/databases.js';
import { startSimpleSamlPhp, type SimpleSamlPhp } from '../helpers/simplesamlphp.js';
import { E2E_MODES, groupDn, startDirectory, USERS_DN, type E2eDirectory } from './harness.js';
import { parseLdif } from './ldap-tools.js';

/**
 * Issue 14 end to end: `pgdir serve` as the SAML service provider, Debian's SimpleSAMLphp as the
 * identity provider, Debian's Chromium as the person, ldapsearch as the application reading groups.
 */
const CHROMIUM = process.env['PGDIR_CHROMIUM'] ?? '/usr/bin/chromium';
const OWNER_PASSWORD = 'boss-Secret-1';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000 });
}, 90_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(E2E_MODES)('SAML single sign-on with SimpleSAMLphp on $mode', ({ mode }) => {
  let dir: E2eDirectory;
  let idp: SimpleSamlPhp;
  let state: { path: string; remove(): Promise<void> };
  let ownerToken: string;
  let apiToken: string;
  const users = {
    dana: { password: 'dana-idp-pass', email: 'Dana.Scully@corp.example', groups: ['okta-eng', 'okta-ops'], displayName: 'Dana Scully' },
    carol: { password: 'carol-idp-pass', email: 'carol@corp.example', groups: ['okta-eng'] },
    eve: { password: 'eve-idp-pass', email: 'eve@elsewhere.example', groups: ['okta-eng'] },
  };

  const api = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const response = await fetch(`${dir.httpUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json().catch(() => undefined)) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const login = (identifier: string, password: string) => api('POST', '/api/v1/auth/login', undefined, { identifier, password });

  /** SP-initiated sign-in in a fresh browser context; returns the page after pgdir answered and the session cookie. */
  async function signIn(name: keyof typeof users, returnTo = '/healthz'): Promise<{ page: Page; status: number; token: string | undefined }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${dir.httpUrl}/saml/login?returnTo=${encodeURIComponent(returnTo)}`);
    await page.locator('input[name="username"]').fill(name);
    await page.locator('input[name="password"]').fill(users[name].password);
    const acs = page.waitForResponse((r) => r.url().endsWith('/omniauth/saml/callback') && r.request().method() === 'POST');
    await page.locator('button[type="submit"], input[type="submit"]').first().click();
    const status = (await acs).status();
    if (status === 200) await page.waitForURL(`${dir.httpUrl}${returnTo}`);
    const cookie = (await context.cookies(dir.httpUrl)).find((c) => c.name === 'pgdir_session');
    return { page, status, token: cookie?.value };
  }

  async function memberOf(uid: string): Promise<string[]> {
    const result = await dir.ldap('ldapsearch', ['-D', dir.adminDn, '-w', dir.adminPassword, '-b', `uid=${uid},${USERS_DN}`, '-s', 'base', '-LLL', '(objectClass=*)', 'memberOf']);
    expect(result.code).toBe(0);
    return (parseLdif(result.stdout)[0]?.attrs['memberOf'] ?? []).map((v) => v.toLowerCase()).sort();
  }

  beforeAll(async () => {
    dir = await startDirectory({ mode, seed: false });
    state = await createTempDir('pgdir-ssp-');
    idp = await startSimpleSamlPhp(state.path, { entityId: 'pgdir', acsUrl: `${dir.httpUrl}/omniauth/saml/callback` }, users);
    const add = await dir.cli(['users', 'add', '--username', 'boss', '--email', 'boss@corp.example', '--role', 'owner', '--password-stdin'], `${OWNER_PASSWORD}\n`);
    expect(add.code, add.stderr).toBe(0);
    expect((await dir.cli(['users', 'add', '--username', 'carol', '--email', 'carol@corp.example', '--password-stdin'], 'carol-Secret-1\n')).code).toBe(0);
    const owner = await login('boss', OWNER_PASSWORD);
    expect(owner.status).toBe(200);
    ownerToken = owner.json['token'];
    apiToken = (await api('POST', '/api/v1/tokens', ownerToken, { name: 'script', scope: 'readwrite' })).json['token'];
    expect((await api('PUT', '/api/v1/settings/registration', ownerToken, { allowedDomains: ['CORP.example'] })).json).toEqual({ allowedDomains: ['corp.example'] });
    const saml = await api('PUT', '/api/v1/settings/sso/saml', ownerToken, { enabled: true, metadataXml: await idp.metadata() });
    expect(saml.status, JSON.stringify(saml.json)).toBe(200);
    expect(saml.json['idp']).toMatchObject({ entityId: idp.metadataUrl, ssoBinding: 'redirect', certificates: [{ subject: 'CN=simplesamlphp-test-idp' }] });
    expect(saml.json['serviceProvider']).toMatchObject({ acsUrl: `${dir.httpUrl}/omniauth/saml/callback`, entityId: 'pgdir' });
  }, 120_000);
  afterAll(async () => {
    await idp?.stop();
    await state?.remove();
    await dir?.stop();
  });

  it('self-registers a person on an allowed domain; IdP groups become pgdir groups visible over LDAP', async () => {
    const { token, status } = await signIn('dana', '/healthz');
    expect(status).toBe(200);
    expect(token).toMatch(/\S{20,}/);
    const me = await api('GET', '/api/v1/profile', token);
    expect(me.json).toMatchObject({ username: 'dana.scully', email: 'dana.scully@corp.example', source: 'self-registered', role: 'user', fullName: 'Dana Scully' });
    expect(await memberOf('dana.scully')).toEqual([groupDn('okta-eng'), groupDn('okta-ops'), groupDn('users')].map((d) => d.toLowerCase()).sort());
    const groups = (await api('GET', '/api/v1/groups', apiToken)).json['items'] as { name: string; source: string }[];
    expect(groups.filter((g) => g.source === 'saml').map((g) => g.name).sort()).toEqual(['okta-eng', 'okta-ops']);
  }, 90_000);

  it('replaces the memberships on the next sign-in with the changed IdP groups', async () => {
    await idp.setUsers({ ...users, dana: { ...users.dana, groups: ['okta-eng', 'okta-sales'] } });
    expect((await signIn('dana')).status).toBe(200);
    expect(await memberOf('dana.scully')).toEqual([groupDn('okta-eng'), groupDn('okta-sales'), groupDn('users')].map((d) => d.toLowerCase()).sort());
    await idp.setUsers(users);
  }, 90_000);

  it('signs an existing user in by email without creating anyone', async () => {
    const before = (await api('GET', '/api/v1/users', apiToken)).json['total'];
    const { token } = await signIn('carol');
    expect((await api('GET', '/api/v1/profile', token)).json).toMatchObject({ username: 'carol', source: 'local' });
    expect((await api('GET', '/api/v1/users', apiToken)).json['total']).toBe(before);
  }, 90_000);

  it('refuses an email outside the allowed domains with a "not registered" page, creates nothing, audits it', async () => {
    const before = (await api('GET', '/api/v1/users', apiToken)).json['total'];
    const { page, status, token } = await signIn('eve');
    expect(status).toBe(403);
    expect(token).toBeUndefined();
    expect(await page.getByRole('heading').textContent()).toBe('Not registered');
    expect(await page.getByRole('alert').textContent()).toContain('not registered in this directory');
    expect((await api('GET', '/api/v1/users', apiToken)).json['total']).toBe(before);
    const audit = (await api('GET', '/api/v1/audit?action=http.login&perPage=1', apiToken)).json['items'][0];
    expect(audit).toMatchObject({ result: 'denied', details: { source: 'saml', reason: 'not_registered', email: 'eve@elsewhere.example' } });
  }, 90_000);

  it('refuses password sign-in while SAML is on; owner-login and API tokens keep working', async () => {
    const refused = await login('boss', OWNER_PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.json['error']).toMatchObject({ message: SIGN_IN_WITH_SSO });
    expect((await login('nobody', 'whatever-password')).json['error']).toMatchObject({ message: SIGN_IN_WITH_SSO });
    expect((await api('GET', '/api/v1/settings/sso/saml', apiToken)).status).toBe(200);
    const once = await dir.cli(['owner-login']);
    expect(once.code, once.stderr).toBe(0);
    const password = /([A-Za-z0-9_-]{43})\s*$/.exec(once.stdout)?.[1] ?? '';
    const recovered = await login('boss', password);
    expect(recovered.status).toBe(200);
    expect((await login('boss', password)).status).toBe(403); // one time only
  }, 90_000);
});
