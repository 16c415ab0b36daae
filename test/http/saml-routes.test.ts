import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_WITH_SSO } from '../../src/directory/sso/sso-only.js';
import { storeModes } from '../helpers/databases.js';
import { idpMetadata } from '../helpers/saml-responses.js';
import { PASSWORD, startApi, type Api } from './http-fixture.js';

const CERT = 'MIIC/TCCAeWgAwIBAgIUAIqx3JdAXTe5UPR33kpSzDf8D7cwDQYJKoZIhvcNAQELBQAwDjEMMAoGA1UEAwwDaWRwMB4XDTI2MTIwNzE4MzAwMloXDTI2MTIwOTE4MzAwMlowDjEMMAoGA1UEAwwDaWRwMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAycgCBkEw1ivqwglzddqbR1gVugWzBSisAO+PX6QKCoS36mtWk2eLngaHK9ewINteOy+iElHtjnbh6C+152Z7j7FIdxNV+3dlGUIOKB3h6B7Vtw86tggWeAgJJ72FDmcQ6HYyUc2cyhCVLrzdlM0TACiFcEfphaR2ie+J/ve0x6kPZdsA6zro6JoxKif2Eac6bsBoNjYfAFU8j1Titbjnw86jxrv5TfyLiusJ36OdihZNB3gfmZfc9rlM7Ne3Q8EswooxM60mWw25MVlIxhEU4m3afqcyj9XPnDSWFZ0ERgsdKVNVaj4M32LwEviLoyTtiH68WyR6x1K/w/TbiJypnQIDAQABo1MwUTAdBgNVHQ4EFgQUfHPPTlaVuRGajEQSZ2wlLrKOKswwHwYDVR0jBBgwFoAUfHPPTlaVuRGajEQSZ2wlLrKOKswwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAKDtgpK1+ClqGU+0TOxwZCNGZ7XOefhFibGGlHnORgB+/JDggwxeWznrZWwR/IKanQrHSW51YV5mACRjcsCKUMWUMkiGRb3N19OknTfim4XWcZoXdWU+HnKqQ7iau3RDgbpsjPXUHZ7K/ezaicckTeUqGLpp7gFO+1o502S7qPw7l7iDgeIhLML/GyslVPpUAhZaYaJGRQNGigb6jISWB/6e6FnYo2gXZ95hVWZ07y2EHD5ANR2bqnNUvjZSdeG7UYPwd5vEKSll34VwF1zLNavhx9Z5XqNzhM6n7XLMTHSzRMneNxXPbptg7pFpYq01F/yJ6GgvfwJe13tcghCli4g==';
const METADATA = idpMetadata('https://idp.example/meta', 'https://idp.example/sso', [CERT]);

describe.each(storeModes)('SAML and registration settings over HTTP on $mode', (mode) => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi(mode);
  });
  afterAll(async () => {
    await api?.close();
  });
  const put = (path: string, body: unknown, token = api.ownerToken) => api.call('PUT', path, { token, body });

  it('refuses bad metadata with a 400 naming the problem, and changes nothing', async () => {
    const audits = (await api.store.listAudit()).length;
    const res = await put('/api/v1/settings/sso/saml', { metadataXml: idpMetadata('e', 'https://idp.example/sso', []) });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: 'metadataXml', message: expect.stringMatching(/no signing certificate/) });
    expect((await put('/api/v1/settings/sso/saml', { enabled: true })).body.error).toMatchObject({ field: 'metadataXml', message: expect.stringMatching(/only with the identity provider metadata/) });
    expect((await put('/api/v1/settings/sso/saml', { baseUrl: 'ftp://x' })).status).toBe(400);
    expect((await put('/api/v1/settings/sso/saml', { clockSkewSeconds: 1.5 })).status).toBe(400);
    expect((await api.store.listAudit()).length).toBe(audits);
  });

  it('shows what it understood, audits the change, and serves SP metadata', async () => {
    const res = await put('/api/v1/settings/sso/saml', { metadataXml: METADATA, baseUrl: 'https://pgdir.example.com/' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ enabled: false, audience: 'pgdir', groupAttribute: 'group', clockSkewSeconds: 60, metadataPinned: false, idp: { entityId: 'https://idp.example/meta', ssoBinding: 'redirect', certificates: [{ subject: 'CN=idp' }] } });
    expect(res.body.serviceProvider).toEqual({ entityId: 'pgdir', acsUrl: 'https://pgdir.example.com/omniauth/saml/callback', metadataUrl: 'https://pgdir.example.com/saml/metadata', loginUrl: 'https://pgdir.example.com/saml/login' });
    expect(res.text).not.toContain(CERT.slice(0, 40)); // no PEMs, no XML echoed
    const [audit] = await api.store.listAudit({ limit: 1 });
    expect(audit).toMatchObject({ action: 'settings.sso.saml', actor: api.owner.id, details: { after: { metadata: { idpEntityId: 'https://idp.example/meta' }, baseUrl: 'https://pgdir.example.com/' } } });
    const sp = await api.call('GET', '/saml/metadata');
    expect(sp.status).toBe(200);
    expect(sp.text).toMatch(/entityID="pgdir"/);
    expect(sp.text).toContain('Location="https://pgdir.example.com/omniauth/saml/callback"');
  });

  it('login: 404 page while disabled, 400 for an absolute returnTo, a redirect to the IdP once on', async () => {
    expect((await api.call('GET', '/saml/login')).status).toBe(404);
    expect((await put('/api/v1/settings/sso/saml', { enabled: true })).status).toBe(200);
    const bad = await api.call('GET', '/saml/login?returnTo=https%3A%2F%2Fevil.example%2F');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('returnTo must be a path on this server');
    const res = await fetch(`${api.base}/saml/login?returnTo=%2Fprofile`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://idp.example/sso');
    expect(location.searchParams.get('RelayState')).toBe('/profile');
  });

  it("the console's sign-in page offers single sign-on only while SAML is on", async () => {
    const on = await api.call('GET', '/?next=%2Fgroups');
    expect(on.text).toContain('<a class="button" href="/saml/login?returnTo=%2Fgroups">Sign in with single sign-on</a>');
    expect((await put('/api/v1/settings/sso/saml', { enabled: false })).status).toBe(200);
    expect((await api.call('GET', '/')).text).not.toContain('/saml/login');
    expect((await put('/api/v1/settings/sso/saml', { enabled: true })).status).toBe(200);
  });

  it('refuses password login with the single sign-on message once SAML is on; API tokens keep working', async () => {
    const res = await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'owner', password: PASSWORD } });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(SIGN_IN_WITH_SSO);
    const [audit] = await api.store.listAudit({ limit: 1, action: 'http.login' });
    expect(audit).toMatchObject({ result: 'failed', details: { reason: 'sso_only' } });
    expect((await api.call('GET', '/api/v1/settings/sso/saml', { token: api.ownerToken })).status).toBe(200);
    expect((await put('/api/v1/settings/sso/saml', { enabled: false })).status).toBe(200);
    expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'owner', password: PASSWORD } })).status).toBe(200);
  });

  it('the ACS answers a refusal page for garbage and audits it', async () => {
    await put('/api/v1/settings/sso/saml', { enabled: true });
    const res = await api.call('POST', '/omniauth/saml/callback', { raw: 'SAMLResponse=bm90IHhtbA%3D%3D&RelayState=%2F', contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Single sign-on did not succeed');
    expect(res.headers.get('set-cookie')).toBeNull();
    const [audit] = await api.store.listAudit({ limit: 1, action: 'http.login' });
    expect(audit).toMatchObject({ result: 'denied', details: { source: 'saml', reason: 'malformed' } });
    await put('/api/v1/settings/sso/saml', { enabled: false });
  });

  it('registration: admins replace the allowed domains (IDN normalised, 400 naming a bad one); users may not', async () => {
    const res = await put('/api/v1/settings/registration', { allowedDomains: ['Example.com', 'bücher.example'] });
    expect(res.body).toEqual({ allowedDomains: ['example.com', 'xn--bcher-kva.example'] });
    const bad = await put('/api/v1/settings/registration', { allowedDomains: ['ok.example', 'not a domain'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: 'allowedDomains.1' });
    const { token } = await api.userWithToken('plain', 'user');
    expect((await put('/api/v1/settings/registration', { allowedDomains: [] }, token)).status).toBe(403);
    expect((await api.call('GET', '/api/v1/settings/sso/saml', { token })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/settings/registration', { token: api.ownerToken })).body).toEqual({ allowedDomains: ['example.com', 'xn--bcher-kva.example'] });
    const [audit] = await api.store.listAudit({ limit: 1, action: 'settings.registration' });
    expect(audit?.details).toEqual({ before: { allowedDomains: [] }, after: { allowedDomains: ['example.com', 'xn--bcher-kva.example'] } });
  });
});

describe('SAML metadata pinned by the YAML', () => {
  it('is used, reported as pinned, and a different one is a 409', async () => {
    const api = await startApi(storeModes[1] ?? storeModes[0]!, { pinned: { samlMetadata: METADATA } });
    try {
      const res = await api.call('GET', '/api/v1/settings/sso/saml', { token: api.ownerToken });
      expect(res.body).toMatchObject({ metadataPinned: true, idp: { entityId: 'https://idp.example/meta' } });
      const other = await api.call('PUT', '/api/v1/settings/sso/saml', { token: api.ownerToken, body: { metadataXml: idpMetadata('https://other.example', 'https://idp.example/sso', [CERT]) } });
      expect(other.status).toBe(409);
      expect((await api.call('PUT', '/api/v1/settings/sso/saml', { token: api.ownerToken, body: { enabled: true } })).body).toMatchObject({ enabled: true });
    } finally {
      await api.close();
    }
  });
});
