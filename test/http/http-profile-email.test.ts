import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeModes } from '../helpers/databases.js';
import { startApi, type Api } from './http-fixture.js';

/**
 * Issue 20 defect 12: PATCH /profile with someone else's email answered 409 "already in use", so
 * any signed-in user could test which addresses have accounts. A plain user now gets one generic
 * 400 for every unusable address (taken, malformed, too long); managers, who may list all users,
 * keep the precise 409.
 */
const postgres = storeModes.find((m) => m.mode === 'postgres') ?? storeModes[0]!;

describe('PATCH /api/v1/profile email refusals do not reveal other accounts', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi(postgres);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('a plain user gets the same 400 for a taken address as for a malformed one, and nothing changes', async () => {
    const { user, token } = await api.userWithToken('paula', 'user');
    await api.userWithToken('quentin', 'user');
    const taken = await api.call('PATCH', '/api/v1/profile', { token, body: { email: 'Quentin@Example.com' } });
    const malformed = await api.call('PATCH', '/api/v1/profile', { token, body: { email: 'not an address' } });
    const tooLong = await api.call('PATCH', '/api/v1/profile', { token, body: { email: `${'a'.repeat(250)}@example.com` } });
    expect(taken.status).toBe(400);
    expect(taken.body).toEqual({ error: { code: 'invalid', field: 'email', message: 'this email address cannot be used; check it or choose another' } });
    expect(malformed.body).toEqual(taken.body);
    expect(tooLong.body).toEqual(taken.body);
    expect(taken.text).not.toMatch(/quentin|in use|taken/i);
    expect((await api.store.getUser(user.id))?.email).toBe('paula@example.com');
    // A free address still works, and so does keeping one's own.
    const free = await api.call('PATCH', '/api/v1/profile', { token, body: { email: 'paula.new@example.com' } });
    expect(free.status).toBe(200);
    expect(free.body.email).toBe('paula.new@example.com');
  });

  it('a user manager keeps the precise 409 (they may list every user anyway)', async () => {
    const { token } = await api.userWithToken('mira', 'usermanager');
    await api.userWithToken('rolf', 'user');
    const taken = await api.call('PATCH', '/api/v1/profile', { token, body: { email: 'rolf@example.com' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.field).toBe('email');
  });
});
