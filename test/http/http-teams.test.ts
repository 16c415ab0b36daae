import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeModes } from '../helpers/databases.js';
import { startApi, type Api } from './http-fixture.js';

/** Issue 13 over HTTP: teams, grants, organisation grants and permissions, bad input, both stores. */
describe.each(storeModes)('teams API over HTTP on $mode', (mode) => {
  let api: Api;
  const owner = () => ({ token: api.ownerToken });

  beforeAll(async () => {
    api = await startApi(mode);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates, reads, renames and deletes teams; answers 400, 404 and 409 as the issue says', async () => {
    const made = await api.call('POST', '/api/v1/teams', { ...owner(), body: { name: 'Web', description: 'Web team' } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'web', description: 'Web team' });
    expect(made.headers.get('location')).toBe(`/api/v1/teams/${made.body.id}`);
    expect((await api.call('POST', '/api/v1/teams', { ...owner(), body: { name: 'WEB' } })).status).toBe(409);
    expect((await api.call('POST', '/api/v1/teams', { ...owner(), body: { name: 'admins' } })).status).toBe(409);
    expect((await api.call('POST', '/api/v1/teams', { ...owner(), body: { name: 'x.editor' } })).status).toBe(400);
    expect((await api.call('POST', '/api/v1/teams', { ...owner(), body: { name: 'a b' } })).body).toMatchObject({ error: { field: 'name' } });
    expect((await api.call('GET', '/api/v1/teams/WEB', owner())).body.id).toBe(made.body.id);
    expect((await api.call('GET', '/api/v1/teams/nope', owner())).status).toBe(404);
    const renamed = await api.call('PATCH', `/api/v1/teams/${made.body.id}`, { ...owner(), body: { name: 'site' } });
    expect(renamed.body).toMatchObject({ id: made.body.id, name: 'site' });
    expect((await api.call('GET', '/api/v1/teams', owner())).body.items.map((t: { name: string }) => t.name)).toEqual(['site']);
    expect((await api.call('DELETE', '/api/v1/teams/site', owner())).status).toBe(204);
    expect((await api.call('GET', '/api/v1/teams/site', owner())).status).toBe(404);
  });

  it('puts and deletes grants, lists them and explains permissions', async () => {
    const { user: zoe, token: zoeToken } = await api.userWithToken('zoe', 'user');
    await api.call('POST', '/api/v1/teams', { ...owner(), body: { name: 'docs' } });
    await api.call('POST', '/api/v1/groups', { ...owner(), body: { name: 'writers' } });
    await api.call('PUT', '/api/v1/groups/writers/members', { ...owner(), body: { userIds: ['zoe'] } });
    const bad = await api.call('PUT', '/api/v1/teams/docs/grants', { ...owner(), body: { principal: { type: 'user', id: 'zoe' }, level: 'boss' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/viewer, user, editor, publisher, admin/);
    expect((await api.call('PUT', '/api/v1/teams/docs/grants', { ...owner(), body: { principal: { type: 'user', id: 'nobody' }, level: 'user' } })).status).toBe(404);
    expect((await api.call('PUT', '/api/v1/teams/none/grants', { ...owner(), body: { principal: { type: 'everyone' }, level: 'user' } })).status).toBe(404);
    const put = await api.call('PUT', '/api/v1/teams/docs/grants', { ...owner(), body: { principal: { type: 'group', id: 'writers' }, level: 'editor' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ level: 'editor', principal: { type: 'group', name: 'writers' }, scope: { type: 'team', name: 'docs' } });
    expect((await api.call('PUT', '/api/v1/organization/grants', { ...owner(), body: { principal: { type: 'everyone' }, level: 'viewer' } })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/organization/grants', owner())).body.items).toHaveLength(1);
    const mine = await api.call('GET', '/api/v1/profile/permissions', { token: zoeToken });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      user: { id: zoe.id, username: 'zoe' },
      organization: 'viewer',
      organizationBecause: [{ principal: { type: 'everyone' }, scope: { type: 'organization' } }],
      teams: [{ team: { name: 'docs' }, level: 'editor', because: [{ principal: { type: 'group', name: 'writers' } }] }],
    });
    expect((await api.call('GET', `/api/v1/users/${zoe.id}/permissions`, owner())).body).toEqual(mine.body);
    // A plain user reads only their own; grants and teams are not theirs to change or list.
    expect((await api.call('GET', `/api/v1/users/${api.owner.id}/permissions`, { token: zoeToken })).status).toBe(404);
    expect((await api.call('GET', '/api/v1/teams/docs/grants', { token: zoeToken })).status).toBe(403);
    expect((await api.call('POST', '/api/v1/teams', { token: zoeToken, body: { name: 'mine' } })).status).toBe(403);
    expect((await api.call('DELETE', '/api/v1/teams/docs/grants?type=group&id=writers', owner())).status).toBe(204);
    expect((await api.call('DELETE', '/api/v1/teams/docs/grants?type=group&id=writers', owner())).status).toBe(404);
    expect((await api.call('DELETE', '/api/v1/organization/grants?type=everyone', owner())).status).toBe(204);
    expect((await api.call('GET', '/api/v1/profile/permissions', { token: zoeToken })).body).toMatchObject({ organization: null, teams: [] });
    const audit = await api.call('GET', '/api/v1/audit?action=grant.put', owner());
    expect(audit.body.items[0]).toMatchObject({ details: { before: null, after: { level: 'viewer', scope: { type: 'organization' } } } });
  });

  it('lets a team admin manage their team over HTTP', async () => {
    const { token } = await api.userWithToken('lead', 'user');
    await api.call('POST', '/api/v1/teams', { ...owner(), body: { name: 'ops' } });
    await api.call('PUT', '/api/v1/teams/ops/grants', { ...owner(), body: { principal: { type: 'user', id: 'lead' }, level: 'admin' } });
    expect((await api.call('PATCH', '/api/v1/teams/ops', { token, body: { description: 'Operations' } })).body.description).toBe('Operations');
    expect((await api.call('PUT', '/api/v1/teams/ops/grants', { token, body: { principal: { type: 'user', id: 'zoe' }, level: 'admin' } })).status).toBe(200);
    expect((await api.call('PUT', '/api/v1/teams/ops/grants', { token, body: { principal: { type: 'everyone' }, level: 'viewer' } })).status).toBe(403);
    expect((await api.call('DELETE', '/api/v1/teams/ops', { token })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/teams', { token })).body.items.map((t: { name: string }) => t.name)).toEqual(['ops']);
  });
});
