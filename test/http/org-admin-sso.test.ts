import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeModes } from '../helpers/databases.js';
import { idpMetadata } from '../helpers/saml-responses.js';
import { startApi, type Api } from './http-fixture.js';

const CERT = 'MIIC/TCCAeWgAwIBAgIUAIqx3JdAXTe5UPR33kpSzDf8D7cwDQYJKoZIhvcNAQELBQAwDjEMMAoGA1UEAwwDaWRwMB4XDTI2MTIwNzE4MzAwMloXDTI2MTIwOTE4MzAwMlowDjEMMAoGA1UEAwwDaWRwMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAycgCBkEw1ivqwglzddqbR1gVugWzBSisAO+PX6QKCoS36mtWk2eLngaHK9ewINteOy+iElHtjnbh6C+152Z7j7FIdxNV+3dlGUIOKB3h6B7Vtw86tggWeAgJJ72FDmcQ6HYyUc2cyhCVLrzdlM0TACiFcEfphaR2ie+J/ve0x6kPZdsA6zro6JoxKif2Eac6bsBoNjYfAFU8j1Titbjnw86jxrv5TfyLiusJ36OdihZNB3gfmZfc9rlM7Ne3Q8EswooxM60mWw25MVlIxhEU4m3afqcyj9XPnDSWFZ0ERgsdKVNVaj4M32LwEviLoyTtiH68WyR6x1K/w/TbiJypnQIDAQABo1MwUTAdBgNVHQ4EFgQUfHPPTlaVuRGajEQSZ2wlLrKOKswwHwYDVR0jBBgwFoAUfHPPTlaVuRGajEQSZ2wlLrKOKswwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAKDtgpK1+ClqGU+0TOxwZCNGZ7XOefhFibGGlHnORgB+/JDggwxeWznrZWwR/IKanQrHSW51YV5mACRjcsCKUMWUMkiGRb3N19OknTfim4XWcZoXdWU+HnKqQ7iau3RDgbpsjPXUHZ7K/ezaicckTeUqGLpp7gFO+1o502S7qPw7l7iDgeIhLML/GyslVPpUAhZaYaJGRQNGigb6jISWB/6e6FnYo2gXZ95hVWZ07y2EHD5ANR2bqnNUvjZSdeG7UYPwd5vEKSll34VwF1zLNavhx9Z5XqNzhM6n7XLMTHSzRMneNxXPbptg7pFpYq01F/yJ6GgvfwJe13tcghCli4g==';
const METADATA = idpMetadata('https://idp.example/meta', 'https://idp.example/sso', [CERT]);
const REGISTRATION = '/api/v1/settings/registration';
const SAML = '/api/v1/settings/sso/saml';
const OIDC = '/api/v1/settings/sso/oidc';
const OIDC_BODY = { enabled: false, preset: 'google', clientId: 'pgdir.apps.example', clientSecret: 's3cret-value' };

/**
 * Issue 13: an organisation admin (level admin through an organisation grant) manages allowed
 * domains and single sign-on like a pgdir admin; team admins, usermanagers and plain users do not.
 */
describe.each(storeModes)('allowed domains and SSO settings for organisation admins on $mode', (mode) => {
  let api: Api;
  const owner = () => ({ token: api.ownerToken });
  const grantOrg = (id: string, level: string) => api.call('PUT', '/api/v1/organization/grants', { ...owner(), body: { principal: { type: 'user', id }, level } });
  /** Status of every read and change of the three settings for `token`. */
  const statuses = async (token: string) => [
    (await api.call('GET', REGISTRATION, { token })).status,
    (await api.call('PUT', REGISTRATION, { token, body: { allowedDomains: ['refused.example'] } })).status,
    (await api.call('GET', SAML, { token })).status,
    (await api.call('PUT', SAML, { token, body: { clockSkewSeconds: 30 } })).status,
    (await api.call('GET', OIDC, { token })).status,
    (await api.call('PUT', OIDC, { token, body: OIDC_BODY })).status,
  ];

  beforeAll(async () => {
    api = await startApi(mode);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('a plain user granted organisation admin changes allowed domains, SAML and OIDC, audited under their id; revoked: 403 at once', async () => {
    const { user: orga, token } = await api.userWithToken('orga', 'user');
    expect(await statuses(token)).toEqual([403, 403, 403, 403, 403, 403]);
    expect((await grantOrg('orga', 'admin')).status).toBe(200);

    const domains = await api.call('PUT', REGISTRATION, { token, body: { allowedDomains: ['Example.org'] } });
    expect(domains).toMatchObject({ status: 200, body: { allowedDomains: ['example.org'] } });
    expect((await api.call('GET', REGISTRATION, { token })).body).toEqual({ allowedDomains: ['example.org'] });
    const saml = await api.call('PUT', SAML, { token, body: { metadataXml: METADATA, audience: 'pgdir-org' } });
    expect(saml.status).toBe(200);
    expect(saml.body).toMatchObject({ audience: 'pgdir-org', idp: { entityId: 'https://idp.example/meta' } });
    expect((await api.call('GET', SAML, { token })).body).toMatchObject({ audience: 'pgdir-org' });
    const oidc = await api.call('PUT', OIDC, { token, body: OIDC_BODY });
    expect(oidc).toMatchObject({ status: 200, body: { clientId: 'pgdir.apps.example', hasClientSecret: true } });
    expect((await api.call('GET', OIDC, { token })).body).toMatchObject({ clientId: 'pgdir.apps.example' });
    // Bad input is still a 400 for them, not a 403.
    expect((await api.call('PUT', REGISTRATION, { token, body: { allowedDomains: ['not a domain'] } })).status).toBe(400);
    // The same audit as an admin's change, with the organisation admin as the actor.
    const [reg] = await api.store.listAudit({ limit: 1, action: 'settings.registration' });
    expect(reg).toMatchObject({ actor: orga.id, details: { before: { allowedDomains: [] }, after: { allowedDomains: ['example.org'] } } });
    const [samlAudit] = await api.store.listAudit({ limit: 1, action: 'settings.sso.saml' });
    expect(samlAudit).toMatchObject({ actor: orga.id, details: { after: { audience: 'pgdir-org', metadata: { idpEntityId: 'https://idp.example/meta' } } } });
    const [oidcAudit] = await api.store.listAudit({ limit: 1, action: 'settings.sso_oidc' });
    expect(oidcAudit).toMatchObject({ actor: orga.id });
    expect(JSON.stringify(oidcAudit)).not.toContain('s3cret-value');
    // Other settings stay the pgdir admin's.
    expect((await api.call('GET', '/api/v1/settings/user-directory', { token })).status).toBe(403);

    // An organisation level below admin is not enough; revoking refuses the very next request.
    expect((await grantOrg('orga', 'publisher')).status).toBe(200);
    expect(await statuses(token)).toEqual([403, 403, 403, 403, 403, 403]);
    expect((await grantOrg('orga', 'admin')).status).toBe(200);
    expect((await api.call('GET', REGISTRATION, { token })).status).toBe(200);
    expect((await api.call('DELETE', '/api/v1/organization/grants?type=user&id=orga', owner())).status).toBe(204);
    expect(await statuses(token)).toEqual([403, 403, 403, 403, 403, 403]);
    // Nothing the refused calls sent was stored.
    expect((await api.call('GET', REGISTRATION, owner())).body).toEqual({ allowedDomains: ['example.org'] });
    expect((await api.call('GET', SAML, owner())).body).toMatchObject({ clockSkewSeconds: 60 });
  });

  it('organisation admin through a group grant works too', async () => {
    const { token } = await api.userWithToken('grouped', 'user');
    await api.call('POST', '/api/v1/groups', { ...owner(), body: { name: 'org-admins' } });
    await api.call('PUT', '/api/v1/groups/org-admins/members', { ...owner(), body: { userIds: ['grouped'] } });
    expect((await api.call('GET', REGISTRATION, { token })).status).toBe(403);
    await api.call('PUT', '/api/v1/organization/grants', { ...owner(), body: { principal: { type: 'group', id: 'org-admins' }, level: 'admin' } });
    expect((await api.call('GET', REGISTRATION, { token })).status).toBe(200);
    await api.call('PUT', '/api/v1/groups/org-admins/members', { ...owner(), body: { userIds: [] } });
    expect((await api.call('GET', REGISTRATION, { token })).status).toBe(403);
  });

  it('refuses a team admin (not organisation) and a usermanager with 403', async () => {
    const { token: lead } = await api.userWithToken('lead', 'user');
    expect((await api.call('POST', '/api/v1/teams', { ...owner(), body: { name: 'web' } })).status).toBe(201);
    expect((await api.call('PUT', '/api/v1/teams/web/grants', { ...owner(), body: { principal: { type: 'user', id: 'lead' }, level: 'admin' } })).status).toBe(200);
    expect((await api.call('PATCH', '/api/v1/teams/web', { token: lead, body: { description: 'Web' } })).status).toBe(200); // a real team admin
    expect(await statuses(lead)).toEqual([403, 403, 403, 403, 403, 403]);
    const { token: manager } = await api.userWithToken('manager', 'usermanager');
    expect(await statuses(manager)).toEqual([403, 403, 403, 403, 403, 403]);
    const refused = await api.call('PUT', REGISTRATION, { token: manager, body: { allowedDomains: [] } });
    expect(refused.body.error.message).toBe('sso.write needs role admin or higher, or organisation admin');
    expect((await api.call('GET', REGISTRATION, owner())).body).toEqual({ allowedDomains: ['example.org'] });
  });
});
