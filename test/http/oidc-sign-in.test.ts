import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeModes } from '../helpers/databases.js';
import { follow, hop, startTestProvider, type CookieJar, type TestProvider } from '../helpers/oidc-test-provider.js';
import { startApi, type Api } from './http-fixture.js';

const REFUSED = 'Signing in with your identity provider did not work';

/**
 * OpenID Connect sign-in (issue 14) against a real provider (oidc-provider) standing in for
 * Google: settings, the code flow with PKCE/state/nonce followed with fetch, provisioning, groups,
 * and every refusal with its audited reason.
 */
describe.each(storeModes)('OIDC sign-in on $mode', (mode) => {
  let api: Api;
  let idp: TestProvider;
  const callback = () => `${api.base}/oidc/callback`;

  /** The whole flow; returns the last answer and the session cookie pgdir set, if any. */
  async function signIn(returnTo = '/profile', tamper?: (callbackUrl: string, jar: CookieJar) => string) {
    const jar: CookieJar = new Map();
    const start = `${api.base}/oidc/login?returnTo=${encodeURIComponent(returnTo)}`;
    const atCallback = await follow(jar, start, (next) => next.startsWith(callback()));
    expect(atCallback.location, atCallback.text).toBeDefined();
    const last = await hop(jar, tamper === undefined ? atCallback.location! : tamper(atCallback.location!, jar));
    return { last, session: jar.get(new URL(api.base).host)?.get('pgdir_session') };
  }
  const lastLoginAudit = async () => (await api.store.listAudit({ action: 'http.login', limit: 1 }))[0];

  beforeAll(async () => {
    api = await startApi(mode);
    idp = await startTestProvider(`${api.base}/oidc/callback`);
    const res = await api.call('PUT', '/api/v1/settings/sso/oidc', { token: api.ownerToken, body: { enabled: true, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret } });
    expect(res.status, res.text).toBe(200);
    const domains = await api.call('PUT', '/api/v1/settings/registration', { token: api.ownerToken, body: { allowedDomains: ['example.com'] } });
    expect(domains.status, domains.text).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await idp?.close();
    await api?.close();
  });

  it('settings: the secret is sealed and never shown; bad input is 400 with the field; plain users 403; audited', async () => {
    const got = await api.call('GET', '/api/v1/settings/sso/oidc', { token: api.ownerToken });
    expect(got.body).toEqual({
      enabled: true, preset: 'generic', issuer: idp.issuer, clientId: idp.clientId, hasClientSecret: true, buttonLabel: 'Sign in with single sign-on',
      groupsClaim: 'groups', scopes: 'openid email profile', pinned: false, redirectUri: callback(),
    });
    expect(JSON.stringify(await api.store.getSetting('sso.oidc'))).not.toContain(idp.clientSecret);
    const cases: [Record<string, unknown>, string][] = [
      [{ enabled: true, issuer: 'http://idp.example.com', clientId: 'x' }, 'issuer'],
      [{ enabled: true, issuer: 'not a url', clientId: 'x' }, 'issuer'],
      [{ enabled: true, preset: 'google', issuer: 'https://evil.example.com', clientId: 'x' }, 'issuer'],
      [{ enabled: true, issuer: idp.issuer, clientId: '' }, 'clientId'],
      [{ enabled: true, issuer: idp.issuer, clientId: 'x', scopes: 'profile' }, 'scopes'],
      [{ enabled: true, issuer: idp.issuer, clientId: 'x', groupsClaim: 'a b' }, 'groupsClaim'],
    ];
    for (const [body, field] of cases) {
      const res = await api.call('PUT', '/api/v1/settings/sso/oidc', { token: api.ownerToken, body });
      expect({ body, status: res.status, field: res.body?.error?.field }).toEqual({ body, status: 400, field });
    }
    const { token } = await api.userWithToken('plain-oidc', 'user');
    expect((await api.call('GET', '/api/v1/settings/sso/oidc', { token })).status).toBe(403);
    expect((await api.call('PUT', '/api/v1/settings/sso/oidc', { token, body: { enabled: false, clientId: 'x' } })).status).toBe(403);
    const audit = await api.store.listAudit({ action: 'settings.sso_oidc' });
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(idp.clientSecret);
  });

  it('a first sign-in on an allowed domain creates the user with the oidc groups; the cookie is a session; returnTo is kept', async () => {
    idp.person = { sub: 'olga-1', email: 'Olga@Example.com', email_verified: true, name: 'Olga Ivanova', groups: ['idp-eng', 'idp-ops'] };
    const { last, session } = await signIn('/profile?tab=1');
    expect(last.status, last.text).toBe(200);
    expect(last.text).toContain('<meta http-equiv="refresh" content="0;url=/profile?tab=1">');
    expect(session).toBeDefined();
    const profile = await api.call('GET', '/api/v1/profile', { token: session });
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ email: 'olga@example.com', fullName: 'Olga Ivanova' });
    expect(profile.body.groups.map((g: { name: string }) => g.name).sort()).toEqual(['idp-eng', 'idp-ops']);
    const groups = await Promise.all(['idp-eng', 'idp-ops'].map((n) => api.store.findGroupByName(n)));
    expect(groups.map((g) => g?.source)).toEqual(['oidc', 'oidc']);
    expect(await lastLoginAudit()).toMatchObject({ result: 'ok', details: { source: 'oidc', created: true } });

    // The next sign-in replaces the memberships in oidc groups with the asserted list.
    idp.person = { ...idp.person, groups: ['idp-ops', 'idp-sec'] };
    const again = await signIn();
    const groupsNow = (await api.call('GET', '/api/v1/profile', { token: again.session })).body.groups.map((g: { name: string }) => g.name).sort();
    expect(groupsNow).toEqual(['idp-ops', 'idp-sec']);
    expect(await lastLoginAudit()).toMatchObject({ details: { source: 'oidc', created: false, groupsRemoved: ['idp-eng'], groupsAdded: ['idp-sec'] } });
  });

  it('refusals answer one page, create nothing and are audited with the reason: unverified email, wrong hd, unknown domain', async () => {
    const before = (await api.store.listUsers({})).total;
    const cases: [Partial<typeof idp.person>, string][] = [
      [{ email: 'mallory@example.com', email_verified: false }, 'email_unverified'],
      [{ email: 'mallory@example.com', email_verified: 'false' }, 'email_unverified'],
      [{ email: 'mallory@example.com' }, 'email_unverified'],
      [{ email: 'mallory@example.com', email_verified: true, hd: 'evil.example' }, 'hd_not_allowed'],
      [{ email: 'mallory@elsewhere.org', email_verified: true }, 'not_registered'],
      [{ email_verified: true }, 'email_missing'],
    ];
    for (const [claims, reason] of cases) {
      idp.person = { sub: `m-${reason}`, ...claims };
      const { last, session } = await signIn();
      expect({ reason, status: last.status, session }).toEqual({ reason, status: 403, session: undefined });
      expect(last.text).toContain(REFUSED);
      expect(last.text).not.toContain(reason);
      expect(await lastLoginAudit(), reason).toMatchObject({ result: 'denied', details: { source: 'oidc', reason } });
    }
    expect((await api.store.listUsers({})).total).toBe(before);
  });

  it('a Google Workspace hd on an allowed domain signs in', async () => {
    idp.person = { sub: 'wanda', email: 'wanda@example.com', email_verified: true, hd: 'Example.com' };
    const { last, session } = await signIn();
    expect(last.status, last.text).toBe(200);
    expect(session).toBeDefined();
  });

  it('a tampered state, a tampered nonce, a missing state cookie and a provider error are refused', async () => {
    idp.person = { sub: 'tess', email: 'tess@example.com', email_verified: true };
    const changeState = (url: string) => {
      const u = new URL(url);
      u.searchParams.set('state', 'forged-state');
      return u.href;
    };
    const changeNonce = (url: string, jar: CookieJar) => {
      const cookies = jar.get(new URL(api.base).host)!;
      const login = JSON.parse(Buffer.from(cookies.get('pgdir_oidc')!, 'base64url').toString()) as Record<string, string>;
      cookies.set('pgdir_oidc', Buffer.from(JSON.stringify({ ...login, nonce: 'forged-nonce' })).toString('base64url'));
      return url;
    };
    const dropCookie = (url: string, jar: CookieJar) => (jar.get(new URL(api.base).host)!.delete('pgdir_oidc'), url);
    for (const [tamper, reason] of [[changeState, 'state_mismatch'], [changeNonce, 'nonce_mismatch'], [dropCookie, 'state_missing']] as const) {
      const { last, session } = await signIn('/', tamper);
      expect({ reason, status: last.status, session }).toEqual({ reason, status: 403, session: undefined });
      expect(await lastLoginAudit(), reason).toMatchObject({ result: 'denied', details: { source: 'oidc', reason } });
    }
    const jar: CookieJar = new Map();
    await follow(jar, `${api.base}/oidc/login`, (next) => next.startsWith(idp.issuer));
    const state = JSON.parse(Buffer.from(jar.get(new URL(api.base).host)!.get('pgdir_oidc')!, 'base64url').toString()) as { state: string };
    const denied = await hop(jar, `${callback()}?error=access_denied&state=${state.state}&iss=${encodeURIComponent(idp.issuer)}`);
    expect(denied.status).toBe(403);
    expect(await lastLoginAudit()).toMatchObject({ details: { reason: 'provider_error:access_denied' } });
  });

  it('returnTo must be a path here; nothing is set up: 404; the provider down: 502', async () => {
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'profile', '/a\nb']) {
      const res = await hop(new Map(), `${api.base}/oidc/login?returnTo=${encodeURIComponent(bad)}`);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
    const off = await api.call('PUT', '/api/v1/settings/sso/oidc', { token: api.ownerToken, body: { enabled: false, issuer: idp.issuer, clientId: idp.clientId } });
    expect(off.body.hasClientSecret).toBe(true);
    expect((await hop(new Map(), `${api.base}/oidc/login`)).status).toBe(404);
    expect((await hop(new Map(), `${callback()}?code=x&state=y`)).status).toBe(404);
    const down = 'http://127.0.0.1:9'; // discard port: nothing answers
    await api.call('PUT', '/api/v1/settings/sso/oidc', { token: api.ownerToken, body: { enabled: true, issuer: down, clientId: idp.clientId } });
    expect((await hop(new Map(), `${api.base}/oidc/login`)).status).toBe(502);
    expect(await lastLoginAudit()).toMatchObject({ details: { source: 'oidc', reason: 'discovery_failed' } });
    await api.call('PUT', '/api/v1/settings/sso/oidc', { token: api.ownerToken, body: { enabled: true, issuer: idp.issuer, clientId: idp.clientId } });
  });
});
