import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/actor.js';
import { createRouter } from '../../src/http/router.js';
import { defineRoute } from '../../src/http/route.js';
import { storeModes } from '../helpers/databases.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { PASSWORD, startApi, type Api } from './http-fixture.js';

/**
 * Kebab-case paths and camelCase query names, with the old spellings still answering (one release)
 * through the router's alias table: the same handler, plus Deprecation and Link headers.
 */

const pglite = storeModes.find((m) => m.mode === 'pglite') ?? storeModes[0]!;

describe('API names: current spellings and deprecated aliases over HTTP', () => {
  let api: Api;
  let smtp: SmtpCapture;
  let userId: string;
  let invitedId: string;
  const owner = () => ({ token: api.ownerToken });

  beforeAll(async () => {
    [api, smtp] = await Promise.all([startApi(pglite), startSmtpCapture()]);
    const smtpSet = await api.call('PUT', '/api/v1/settings/smtp', { ...owner(), body: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'pgdir@example.com' } });
    expect(smtpSet.status).toBe(200);
    userId = (await api.directory.users.addUser({ username: 'rosa', email: 'rosa@example.com', password: PASSWORD }, systemActor())).id;
    const invited = await api.call('POST', '/api/v1/users', { ...owner(), body: { email: 'ivan@example.com' } });
    expect(invited.status).toBe(201);
    invitedId = invited.body.id;
    for (const name of ['staff', 'ops']) expect((await api.call('POST', '/api/v1/groups', { ...owner(), body: { name } })).status).toBe(201);
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  it.each([
    ['password-reset-link', 'password_reset_link', () => userId],
    ['invite-link', 'invite_link', () => invitedId],
  ])('GET /users/:id/%s answers, and so does the deprecated %s', async (current, old, id) => {
    const now = await api.call('GET', `/api/v1/users/${id()}/${current}`, owner());
    expect(now).toMatchObject({ status: 200, body: { link: expect.stringMatching(/token=/), expiresAt: expect.any(String) } });
    expect(now.headers.get('deprecation')).toBeNull();
    const before = await api.call('GET', `/api/v1/users/${id()}/${old}`, owner());
    expect(before).toMatchObject({ status: 200, body: { link: expect.stringMatching(/token=/) } });
    // The same handler ran: a new link replaced the previous one.
    expect(before.body.link).not.toBe(now.body.link);
    expect(before.headers.get('deprecation')).toMatch(/^@\d+$/);
    expect(before.headers.get('link')).toBe(`</api/v1/users/${id()}/${current}>; rel="successor-version"`);
  });

  it.each([
    ['send-password-reset-email', 'send_password_reset_email', 'rosa@example.com', () => userId],
    ['send-invite-email', 'send_invite_email', 'ivan@example.com', () => invitedId],
  ])('POST /users/:id/%s mails the user, and so does the deprecated %s', async (current, old, to, id) => {
    const before = smtp.mails.filter((m) => m.to.includes(to)).length;
    expect(await api.call('POST', `/api/v1/users/${id()}/${current}`, owner())).toMatchObject({ status: 202, body: { sentTo: to } });
    const aliased = await api.call('POST', `/api/v1/users/${id()}/${old}`, owner());
    expect(aliased).toMatchObject({ status: 202, body: { sentTo: to } });
    expect(aliased.headers.get('link')).toBe(`</api/v1/users/${id()}/${current}>; rel="successor-version"`);
    await expect.poll(() => smtp.mails.filter((m) => m.to.includes(to)).length, { timeout: 5000 }).toBe(before + 2);
  });

  it('a deprecated path keeps its errors and methods: 401 without a token, 405 with another method', async () => {
    expect((await api.call('GET', `/api/v1/users/${userId}/password_reset_link`)).status).toBe(401);
    const wrong = await api.call('DELETE', `/api/v1/users/${userId}/invite_link`, owner());
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect((await api.call('GET', `/api/v1/users/${userId}/password_reset-link`, owner())).status).toBe(404);
  });

  it('requests on a deprecated path count under the current route in the metrics', async () => {
    await api.call('GET', `/api/v1/users/${userId}/password_reset_link`, owner());
    const metrics = (await api.call('GET', '/metrics')).text;
    expect(metrics).toMatch(/route="\/api\/v1\/users\/:id\/password-reset-link"/);
    expect(metrics).not.toMatch(/password_reset_link/);
  });

  it.each(['/api/v1/users', '/api/v1/groups', '/api/v1/audit'])('%s pages with perPage and with the deprecated per_page', async (path) => {
    const now = await api.call('GET', `${path}?perPage=1&page=2`, owner());
    expect(now).toMatchObject({ status: 200, body: { page: 2, perPage: 1 } });
    expect(now.body.items).toHaveLength(1);
    const old = await api.call('GET', `${path}?per_page=1&page=2`, owner());
    expect(old).toMatchObject({ status: 200, body: { page: 2, perPage: 1 } });
    expect(old.body.items).toEqual(now.body.items.map((item: { id: unknown }) => expect.objectContaining({ id: item.id })));
  });

  it('errors name the parameter as it was sent; both spellings at once is a 400', async () => {
    const old = await api.call('GET', '/api/v1/users?per_page=5000', owner());
    expect(old).toMatchObject({ status: 400, body: { error: { code: 'invalid', field: 'per_page', message: 'per_page: must be from 1 to 1000' } } });
    const now = await api.call('GET', '/api/v1/users?perPage=x', owner());
    expect(now).toMatchObject({ status: 400, body: { error: { field: 'perPage', message: 'perPage: must be a whole number' } } });
    const both = await api.call('GET', '/api/v1/users?perPage=2&per_page=3', owner());
    expect(both).toMatchObject({ status: 400, body: { error: { field: 'per_page', problems: [{ field: 'per_page', message: expect.stringMatching(/deprecated name of perPage/) }] } } });
  });

  it('query flags and numbers are parsed as documented: only true/false and plain digits', async () => {
    expect((await api.call('GET', '/api/v1/users?active=true&perPage=10', owner())).status).toBe(200);
    for (const bad of ['active=1', 'active=TRUE', 'page=1e2', 'page=0x10', 'page=', 'page=-1', 'page=1.5']) {
      expect((await api.call('GET', `/api/v1/users?${bad}`, owner())).status, bad).toBe(400);
    }
  });

  it('an alias to a path no route has is refused when the router is built', () => {
    const route = defineRoute({ method: 'GET', path: '/a-b', summary: 's', tag: 't', auth: 'none', handle: async () => ({}) });
    expect(() => createRouter([route], { '/a_b': '/a-c' })).toThrow(/names no route/);
    expect(createRouter([route], { '/a_b': '/a-b' })('GET', '/a_b')).toMatchObject({ route, successor: '/a-b' });
  });
});
