import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeModes } from '../helpers/databases.js';
import { startApi, type Api } from './http-fixture.js';

/**
 * A request with several wrong inputs gets every problem in one answer, while `message` and
 * `field` keep describing the first one, as older clients read them.
 */

const pglite = storeModes.find((m) => m.mode === 'pglite') ?? storeModes[0]!;

describe('validation problems over HTTP', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi(pglite);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('a body with three bad fields lists all three, the first also as message and field', async () => {
    const res = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { email: 42, role: 'emperor', active: 'yes' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'invalid',
      message: 'email: Invalid input: expected string, received number',
      field: 'email',
      problems: [
        { field: 'email', message: 'Invalid input: expected string, received number' },
        { field: 'role', message: expect.stringMatching(/^Invalid option: expected one of/) },
        { field: 'active', message: 'Invalid input: expected boolean, received string' },
      ],
    });
    // Nothing was created.
    expect((await api.call('GET', '/api/v1/users?search=emperor', { token: api.ownerToken })).body.total).toBe(0);
  });

  it('unknown fields are one problem each, nested fields are named by path', async () => {
    const res = await api.call('PUT', '/api/v1/groups/admins/members', { token: api.ownerToken, body: { userIds: ['ok', 7, null], extra: 1, more: 2 } });
    expect(res.status).toBe(400);
    expect(res.body.error.problems).toEqual([
      { field: 'userIds.1', message: expect.stringMatching(/expected string/) },
      { field: 'userIds.2', message: expect.stringMatching(/expected string/) },
      { field: 'extra', message: 'unknown field "extra"' },
      { field: 'more', message: 'unknown field "more"' },
    ]);
    expect(res.body.error).toMatchObject({ field: 'userIds.1', message: expect.stringMatching(/^userIds\.1: /) });
  });

  it('a query with three bad parameters lists all three', async () => {
    const res = await api.call('GET', '/api/v1/users?page=0&perPage=many&active=maybe', { token: api.ownerToken });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'invalid',
      message: 'page: must be from 1 to 9007199254740991',
      field: 'page',
      problems: [
        { field: 'page', message: 'must be from 1 to 9007199254740991' },
        { field: 'perPage', message: 'must be a whole number' },
        { field: 'active', message: 'must be true or false' },
      ],
    });
  });

  it('one problem keeps the old shape plus a one-item list; a missing body has no field', async () => {
    const one = await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'owner', password: 'x', admin: true } });
    expect(one.body).toEqual({ error: { code: 'invalid', message: 'unknown field "admin"', field: 'admin', problems: [{ field: 'admin', message: 'unknown field "admin"' }] } });
    const none = await api.call('POST', '/api/v1/auth/login');
    expect(none.body).toEqual({ error: { code: 'invalid', message: 'a JSON body is required', problems: [{ message: 'a JSON body is required' }] } });
  });

  it('errors that are not about the input shape keep the old shape, without problems', async () => {
    const taken = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { username: 'owner', email: 'other@example.com', password: 'long enough password' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.problems).toBeUndefined();
    expect((await api.call('GET', '/api/v1/users')).body.error).toEqual({ code: 'unauthenticated', message: expect.any(String) });
  });
});
