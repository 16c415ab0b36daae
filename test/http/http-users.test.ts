import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeModes } from '../helpers/databases.js';
import { PASSWORD, startApi, type Api } from './http-fixture.js';

describe.each(storeModes)('HTTP users and groups on $mode', (mode) => {
  let api: Api;
  let manager: { id: string; token: string };
  beforeAll(async () => {
    api = await startApi(mode);
    const m = await api.userWithToken('manager', 'usermanager');
    manager = { id: m.user.id, token: m.token };
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('users', () => {
    it('creates a user (201, Location) with the create audited, and reads it by id, username or email', async () => {
      const res = await api.call('POST', '/api/v1/users', {
        token: manager.token,
        body: { username: 'Alice', email: 'Alice@Example.com', fullName: '  Alice   Liddell ', password: 'alice password' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ username: 'alice', email: 'alice@example.com', fullName: 'Alice Liddell', role: 'user', active: true, hasPassword: true });
      expect(res.headers.get('location')).toBe(`/api/v1/users/${res.body.id}`);
      for (const ref of [res.body.id, 'alice', 'ALICE@example.com']) {
        const got = await api.call('GET', `/api/v1/users/${encodeURIComponent(ref)}`, { token: manager.token });
        expect(got).toMatchObject({ status: 200, body: { id: res.body.id, groups: [] } });
      }
      const [audit] = await api.store.listAudit({ action: 'user.create', limit: 1 });
      expect(audit).toMatchObject({ actor: manager.id, target: res.body.id, details: { password: true, after: { username: 'alice' } } });
      expect(JSON.stringify(audit)).not.toMatch(/\$2[aby]\$/);
      // The new user can log in.
      expect(await api.login('alice', 'alice password')).toMatch(/^pgdir_/);
    });

    it('400 with the field for bad input; 409 for a taken username or email', async () => {
      const cases: [Record<string, unknown>, number, string][] = [
        [{ username: 'bad name', email: 'b@example.com' }, 400, 'username'],
        [{ username: 'bob', email: 'not-an-email' }, 400, 'email'],
        [{ username: 'bob', email: 'b@example.com', password: 'short' }, 400, 'password'],
        [{ username: 'bob', email: 'b@example.com', fullName: 'x\u0007' }, 400, 'fullName'],
        [{ username: 'bob', email: 'b@example.com', role: 'king' }, 400, 'role'],
        [{ username: 'root', email: 'b@example.com' }, 400, 'username'],
        [{ username: 'ALICE', email: 'b@example.com' }, 409, 'username'],
        [{ username: 'bob', email: 'alice@EXAMPLE.com' }, 409, 'email'],
      ];
      for (const [body, status, field] of cases) {
        const res = await api.call('POST', '/api/v1/users', { token: manager.token, body });
        expect({ body, status: res.status, field: res.body.error.field }).toEqual({ body, status, field });
      }
      const { total } = await api.store.listUsers({ search: 'bob' });
      expect(total).toBe(0);
    });

    it('lists with paging, search, active and role filters', async () => {
      for (const name of ['page-a', 'page-b', 'page-c']) {
        await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { username: name, email: `${name}@list.test`, role: name === 'page-c' ? 'admin' : 'user' } });
      }
      const first = await api.call('GET', '/api/v1/users?search=page-&per_page=2', { token: manager.token });
      expect(first.body).toMatchObject({ total: 3, page: 1, perPage: 2 });
      expect(first.body.items.map((u: { username: string }) => u.username)).toEqual(['page-a', 'page-b']);
      const second = await api.call('GET', '/api/v1/users?search=page-&per_page=2&page=2', { token: manager.token });
      expect(second.body.items.map((u: { username: string }) => u.username)).toEqual(['page-c']);
      const admins = await api.call('GET', '/api/v1/users?search=list.test&role=admin', { token: manager.token });
      expect(admins.body.items.map((u: { username: string }) => u.username)).toEqual(['page-c']);
      await api.call('PUT', '/api/v1/users/page-b/active', { token: manager.token, body: { active: false } });
      const inactive = await api.call('GET', '/api/v1/users?active=false', { token: manager.token });
      expect(inactive.body.items.map((u: { username: string }) => u.username)).toEqual(['page-b']);
      const bad = await api.call('GET', '/api/v1/users?per_page=5000', { token: manager.token });
      expect(bad).toMatchObject({ status: 400, body: { error: { field: 'per_page' } } });
      const unknown = await api.call('GET', '/api/v1/users?sort=name', { token: manager.token });
      expect(unknown).toMatchObject({ status: 400, body: { error: { field: 'sort' } } });
    });

    it('patches profile fields, sets role, password and groups, and deletes', async () => {
      const created = await api.call('POST', '/api/v1/users', { token: api.ownerToken, body: { username: 'carol', email: 'carol@example.com', password: PASSWORD } });
      const id = created.body.id as string;
      const patched = await api.call('PATCH', `/api/v1/users/${id}`, { token: manager.token, body: { fullName: 'Carol C', fallbackEmail: 'c@backup.example' } });
      expect(patched.body).toMatchObject({ fullName: 'Carol C', fallbackEmail: 'c@backup.example' });
      const bad = await api.call('PATCH', `/api/v1/users/${id}`, { token: manager.token, body: { role: 'admin' } });
      expect(bad).toMatchObject({ status: 400, body: { error: { field: 'role' } } });
      // Roles: only admins and owners.
      expect((await api.call('PUT', `/api/v1/users/${id}/role`, { token: manager.token, body: { role: 'usermanager' } })).status).toBe(403);
      expect((await api.call('PUT', `/api/v1/users/${id}/role`, { token: api.ownerToken, body: { role: 'usermanager' } })).body.role).toBe('usermanager');
      const session = await api.login('carol', PASSWORD);
      const pw = await api.call('PUT', `/api/v1/users/${id}/password`, { token: manager.token, body: { password: 'brand new password' } });
      expect(pw.status).toBe(200);
      expect(pw.body.passwordChangedAt).not.toBeNull();
      expect((await api.call('GET', '/api/v1/profile', { token: session })).status).toBe(401);
      await api.login('carol', 'brand new password');

      const g1 = await api.call('POST', '/api/v1/groups', { token: manager.token, body: { name: 'Staff', description: 'everyone paid' } });
      const g2 = await api.call('POST', '/api/v1/groups', { token: manager.token, body: { name: 'ops' } });
      const set = await api.call('PUT', `/api/v1/users/${id}/groups`, { token: manager.token, body: { groupIds: [g1.body.id, 'ops'] } });
      expect(set.body.groups.map((g: { name: string }) => g.name).sort()).toEqual(['ops', 'staff']);
      expect(await api.store.groupMemberIds(g2.body.id)).toEqual([id]);
      const narrowed = await api.call('PUT', `/api/v1/users/${id}/groups`, { token: manager.token, body: { groupIds: ['staff'] } });
      expect(narrowed.body.groups.map((g: { name: string }) => g.name)).toEqual(['staff']);
      expect(await api.store.groupMemberIds(g2.body.id)).toEqual([]);
      const builtin = await api.call('PUT', `/api/v1/users/${id}/groups`, { token: manager.token, body: { groupIds: ['staff', 'admins'] } });
      expect(builtin).toMatchObject({ status: 409, body: { error: { field: 'groupIds.1' } } });
      expect(await api.store.userGroupIds(id)).toEqual([g1.body.id]);

      expect((await api.call('DELETE', `/api/v1/users/${id}`, { token: manager.token })).status).toBe(204);
      expect((await api.call('GET', `/api/v1/users/${id}`, { token: manager.token })).status).toBe(404);
      expect(await api.store.getUser(id)).toBeUndefined();
      const [audit] = await api.store.listAudit({ action: 'user.delete', limit: 1 });
      expect(audit).toMatchObject({ actor: manager.id, target: id });
    });

    it('refuses self-actions with 409 and the last owner with 409', async () => {
      const self = [
        ['DELETE', `/api/v1/users/${manager.id}`, undefined],
        ['PUT', `/api/v1/users/${manager.id}/active`, { active: false }],
      ] as const;
      for (const [method, path, body] of self) {
        const res = await api.call(method, path, { token: manager.token, body });
        expect(res).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
      }
      const role = await api.call('PUT', `/api/v1/users/${api.owner.id}/role`, { token: api.ownerToken, body: { role: 'admin' } });
      expect(role.status).toBe(409);
      expect((await api.store.getUser(api.owner.id))?.role).toBe('owner');
    });

    it('404 for unknown users, 403 for a plain user', async () => {
      expect((await api.call('GET', '/api/v1/users/nobody', { token: manager.token })).status).toBe(404);
      const { token } = await api.userWithToken('plain', 'user');
      const res = await api.call('GET', '/api/v1/users', { token });
      expect(res).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      // ...but may read themselves.
      expect((await api.call('GET', '/api/v1/users/plain', { token })).status).toBe(200);
    });
  });

  describe('groups', () => {
    it('creates, reads, renames, sets members and deletes, with 409 for duplicates and built-ins', async () => {
      const created = await api.call('POST', '/api/v1/groups', { token: manager.token, body: { name: 'devs' } });
      expect(created).toMatchObject({ status: 201, body: { name: 'devs', memberIds: [] } });
      const id = created.body.id as string;
      expect((await api.call('POST', '/api/v1/groups', { token: manager.token, body: { name: 'DEVS' } })).status).toBe(409);
      expect((await api.call('POST', '/api/v1/groups', { token: manager.token, body: { name: 'admins' } })).status).toBe(409);
      const members = await api.call('PUT', `/api/v1/groups/${id}/members`, { token: manager.token, body: { userIds: ['manager', api.owner.id] } });
      expect([...members.body.memberIds].sort()).toEqual([manager.id, api.owner.id].sort());
      const missing = await api.call('PUT', `/api/v1/groups/${id}/members`, { token: manager.token, body: { userIds: ['manager', 'ghost'] } });
      expect(missing.status).toBe(404);
      expect((await api.store.groupMemberIds(id)).length).toBe(2);
      const renamed = await api.call('PATCH', '/api/v1/groups/devs', { token: manager.token, body: { name: 'developers' } });
      expect(renamed.body).toMatchObject({ id, name: 'developers' });
      for (const [method, path, body] of [
        ['PATCH', '/api/v1/groups/users', { name: 'x' }],
        ['DELETE', '/api/v1/groups/admins', undefined],
        ['PUT', '/api/v1/groups/users/members', { userIds: [] }],
      ] as const) {
        expect((await api.call(method, path, { token: manager.token, body })).status).toBe(409);
      }
      const list = await api.call('GET', '/api/v1/groups?search=dev', { token: manager.token });
      expect(list.body.items.map((g: { name: string }) => g.name)).toEqual(['developers']);
      expect((await api.call('DELETE', `/api/v1/groups/${id}`, { token: manager.token })).status).toBe(204);
      expect(await api.store.getGroup(id)).toBeUndefined();
      expect((await api.call('GET', `/api/v1/groups/${id}`, { token: manager.token })).status).toBe(404);
    });
  });
});
