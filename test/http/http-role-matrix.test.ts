import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/actor.js';
import { ROLES, type Role } from '../../src/domain/model.js';
import { storeModes } from '../helpers/databases.js';
import { bodyOf, type JsonSchema } from '../helpers/openapi-sample.js';
import { startApi, type Api } from './http-fixture.js';

/**
 * DESIGN §7's role matrix over HTTP, restated here independently of src/domain/permissions.ts:
 * for every acting role, every target role (and oneself) and every user action, the status.
 */
const rank = (r: Role): number => ROLES.indexOf(r);
const atLeast = (a: Role, b: Role): boolean => rank(a) >= rank(b);

type Action = 'read' | 'update' | 'password' | 'active' | 'delete' | 'role';
const OK: Record<Action, number> = { read: 200, update: 200, password: 200, active: 200, delete: 204, role: 200 };

function expected(actor: Role, target: Role | 'self', action: Action): number {
  if (target === 'self') {
    if (action === 'read' || action === 'password') return OK[action];
    if (action === 'update') return atLeast(actor, 'usermanager') ? 200 : 403;
    const power: Role = action === 'role' ? 'admin' : 'usermanager';
    return atLeast(actor, power) ? 409 : 403; // the power, but not on oneself
  }
  // Issue 20: whoever may not read other users gets 404 for them, as for an id that does not exist.
  if (!atLeast(actor, 'usermanager')) return 404;
  const power: Role = action === 'role' ? 'admin' : 'usermanager';
  if (!atLeast(actor, power)) return 403;
  if (action !== 'read' && rank(target) > rank(actor)) return 403;
  return OK[action];
}

function request(action: Action, id: string): [string, string, unknown] {
  switch (action) {
    case 'read':
      return ['GET', `/api/v1/users/${id}`, undefined];
    case 'update':
      return ['PATCH', `/api/v1/users/${id}`, { fullName: 'Changed Name' }];
    case 'password':
      return ['PUT', `/api/v1/users/${id}/password`, { password: 'a new password' }];
    case 'active':
      return ['PUT', `/api/v1/users/${id}/active`, { active: false }];
    case 'delete':
      return ['DELETE', `/api/v1/users/${id}`, undefined];
    case 'role':
      return ['PUT', `/api/v1/users/${id}/role`, { role: 'user' }];
  }
}

/** Actions in an order where no earlier one changes what a later one is judged on. */
const SEQUENCE: Action[] = ['read', 'update', 'password', 'active', 'delete'];

describe.each(storeModes)('role matrix over HTTP on $mode', (mode) => {
  let api: Api;
  const actors = new Map<Role, { id: string; token: string }>();
  let n = 0;
  const target = async (role: Role): Promise<string> => {
    n++;
    const user = await api.directory.users.addUser({ username: `t${n}`, email: `t${n}@matrix.test`, role }, systemActor());
    return user.id;
  };

  beforeAll(async () => {
    api = await startApi(mode);
    for (const role of ROLES) {
      const { user, token } = await api.userWithToken(`actor-${role}`, role);
      actors.set(role, { id: user.id, token });
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it('every actor role × target role × action gives the expected status', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const actorRole of ROLES) {
      const actor = actors.get(actorRole);
      if (actor === undefined) throw new Error('no actor');
      for (const targetRole of ROLES) {
        const id = await target(targetRole);
        const runs: [Action, string][] = [...SEQUENCE.map((a): [Action, string] => [a, id]), ['role', await target(targetRole)]];
        for (const [action, targetId] of runs) {
          const [method, path, body] = request(action, targetId);
          const res = await api.call(method, path, { token: actor.token, body });
          got.push(`${actorRole} ${action} ${targetRole}: ${res.status}`);
          want.push(`${actorRole} ${action} ${targetRole}: ${expected(actorRole, targetRole, action)}`);
        }
      }
    }
    expect(got).toEqual(want);
    expect(got).toHaveLength(ROLES.length * ROLES.length * 6);
  });

  it('every actor on themselves', async () => {
    const got: string[] = [];
    const want: string[] = [];
    // Changing actions last: a successful password change ends the actor's session.
    const order: Action[] = ['read', 'update', 'active', 'role', 'delete', 'password'];
    for (const actorRole of ROLES) {
      const actor = actors.get(actorRole);
      if (actor === undefined) throw new Error('no actor');
      for (const action of order) {
        const [method, path, body] = request(action, actor.id);
        const res = await api.call(method, path, { token: actor.token, body });
        got.push(`${actorRole} ${action} self: ${res.status}`);
        want.push(`${actorRole} ${action} self: ${expected(actorRole, 'self', action)}`);
      }
    }
    expect(got).toEqual(want);
  });

  it('creating a user with each role, by each role', async () => {
    const got: string[] = [];
    const want: string[] = [];
    const fresh = await api.userWithToken('creator-owner', 'owner');
    for (const actorRole of ROLES) {
      const token = actorRole === 'owner' ? fresh.token : (await api.userWithToken(`creator-${actorRole}`, actorRole)).token;
      for (const role of ROLES) {
        n++;
        const res = await api.call('POST', '/api/v1/users', { token, body: { username: `c${n}`, email: `c${n}@matrix.test`, role } });
        const allowed = atLeast(actorRole, 'usermanager') && (role === 'user' || atLeast(actorRole, 'admin')) && atLeast(actorRole, role);
        got.push(`${actorRole} creates ${role}: ${res.status}`);
        want.push(`${actorRole} creates ${role}: ${allowed ? 201 : 403}`);
      }
    }
    expect(got).toEqual(want);
  });

  it('every role on the other resources: groups, settings, service accounts, audit, import/export', async () => {
    // [method, path, body, the lowest role DESIGN §7 lets do it, success status]; sync routes need
    // a running connector and are checked in test/http/http-sync.test.ts.
    let k = 0;
    const routes: (() => [string, string, unknown, Role, number])[] = [
      () => ['GET', '/api/v1/users', undefined, 'usermanager', 200],
      () => ['GET', '/api/v1/groups', undefined, 'usermanager', 200],
      () => ['POST', '/api/v1/groups', { name: `matrix-group-${++k}` }, 'usermanager', 201],
      () => ['GET', '/api/v1/users/export?format=json', undefined, 'usermanager', 200],
      () => ['POST', '/api/v1/users/import?mode=atomic', [], 'usermanager', 200],
      () => ['GET', '/api/v1/settings/directory-server', undefined, 'admin', 200],
      () => ['GET', '/api/v1/settings/user-directory', undefined, 'admin', 200],
      () => ['PUT', '/api/v1/settings/user-directory', { lockProfiles: false }, 'admin', 200],
      () => ['GET', '/api/v1/service-accounts', undefined, 'admin', 200],
      () => ['GET', '/api/v1/audit', undefined, 'admin', 200],
    ];
    const got: string[] = [];
    const want: string[] = [];
    for (const actorRole of ROLES) {
      const { token } = await api.userWithToken(`res-${actorRole}`, actorRole);
      for (const route of routes) {
        const [method, path, body, minRole, ok] = route();
        const res = await api.call(method, path, { token, body });
        got.push(`${actorRole} ${method} ${path}: ${res.status}`);
        want.push(`${actorRole} ${method} ${path}: ${atLeast(actorRole, minRole) ? ok : 403}`);
      }
    }
    expect(got).toEqual(want);
  });

  it('sending reset and invite mails: authorisation before the SMTP check (issue 20), for every actor × target', async () => {
    // No SMTP is configured: an allowed caller learns it (409); nobody else does.
    const got: string[] = [];
    const want: string[] = [];
    for (const actorRole of ROLES) {
      // Fresh sessions: 'every actor on themselves' ended the shared actors' ones.
      const fresh = await api.userWithToken(`mailer-${actorRole}`, actorRole);
      const actor = { id: fresh.user.id, token: fresh.token };
      for (const targetRole of [...ROLES, 'self' as const]) {
        const id = targetRole === 'self' ? actor.id : await target(targetRole);
        for (const what of ['send_password_reset_email', 'send_invite_email']) {
          const res = await api.call('POST', `/api/v1/users/${id}/${what}`, { token: actor.token });
          const allowed = atLeast(actorRole, 'usermanager') && (targetRole === 'self' || rank(targetRole) <= rank(actorRole));
          // The targets are invited (no password); an actor on themselves has accepted long ago.
          const invitePending = targetRole !== 'self';
          const status = !atLeast(actorRole, 'usermanager') && targetRole !== 'self' ? 404 : !allowed ? 403 : 409;
          got.push(`${actorRole} ${what} ${targetRole}: ${res.status}${res.status === 409 ? ` ${res.body?.error?.field}` : ''}`);
          want.push(`${actorRole} ${what} ${targetRole}: ${status}${status === 409 ? ` ${what === 'send_invite_email' && !invitePending ? 'password' : 'smtp'}` : ''}`);
        }
      }
      // An unknown id answers as an unreadable one.
      const unknown = await api.call('POST', '/api/v1/users/00000000-0000-4000-8000-000000000000/send_password_reset_email', { token: actor.token });
      got.push(`${actorRole} unknown: ${unknown.status}`);
      want.push(`${actorRole} unknown: 404`);
    }
    expect(got).toEqual(want);
  });

  it('a plain user gets the same 404 for another user as for nobody, on every per-user route (issue 20)', async () => {
    const plain = await api.userWithToken('plain-prober', 'user');
    const other = await target('user');
    const missing = '00000000-0000-4000-8000-000000000000';
    const routes: [string, string, unknown][] = [
      ['GET', '', undefined],
      ['PATCH', '', { fullName: 'X' }],
      ['DELETE', '', undefined],
      ['PUT', '/active', { active: false }],
      ['PUT', '/role', { role: 'user' }],
      ['PUT', '/password', { password: 'a new password' }],
      ['GET', '/password_reset_link', undefined],
      ['GET', '/invite_link', undefined],
      ['POST', '/impersonate', undefined],
      ['POST', '/2fa/disable', undefined],
      ['POST', '/send_password_reset_email', undefined],
      ['POST', '/send_invite_email', undefined],
    ];
    for (const [method, suffix, body] of routes) {
      const there = await api.call(method, `/api/v1/users/${other}${suffix}`, { token: plain.token, body });
      const absent = await api.call(method, `/api/v1/users/${missing}${suffix}`, { token: plain.token, body });
      const message = (r: { body: { error?: { message?: string } } }, id: string) => r.body?.error?.message?.replace(id, '<id>');
      expect(`${method} ${suffix}: ${there.status} ${message(there, other)}`).toBe(`${method} ${suffix}: 404 ${message(absent, missing)}`);
      expect(absent.status).toBe(404);
    }
    expect((await api.store.getUser(other))?.active).toBe(true);
  });

  it('every route, as a plain user: nothing about the configuration before authorisation (issue 20)', async () => {
    // No SMTP and no connector are configured here. A plain user acting on another user, a group or
    // a service account must be refused (403/404) or answered on input grounds (400) — never be told
    // what is not configured (409 smtp, 503 connector) by a route they may not use.
    const plain = await api.userWithToken('plain-sweeper', 'user');
    const other = await target('user');
    const doc = (await api.call('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>> };
    const leaks: string[] = [];
    let swept = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      // Your own session, tokens and profile are yours to use, configuration included.
      if (/^\/api\/v1\/(auth|tokens|profile)(\/|$)/.test(path)) continue;
      // The console's own pages for the signed-in person (profile, 2FA set-up, sign-out) likewise.
      if (/^\/(profile|two-factor|sign-out)(\/|$)/.test(path)) continue;
      for (const [method, op] of Object.entries(methods)) {
        // Public routes (security: [] in the document) are for everyone.
        if (!Array.isArray(op.security) || op.security.length === 0) continue;
        const schema = op.requestBody?.content?.['application/json']?.schema;
        const body = schema === undefined ? undefined : bodyOf(schema, [], '');
        const res = await api.call(method.toUpperCase(), path.replace(/\{[^}]+\}/g, other), { token: plain.token, body });
        swept++;
        // 415: a console form sent as JSON is refused on input grounds, before anything else.
        if (![400, 403, 404, 415].includes(res.status)) leaks.push(`${method.toUpperCase()} ${path}: ${res.status} ${res.text}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(swept).toBeGreaterThan(40);
  });

  it('a read-only token of an owner reads everything and changes nothing (403)', async () => {
    const owner = await api.userWithToken('ro-owner', 'owner');
    const ro = await api.call('POST', '/api/v1/tokens', { token: owner.token, body: { name: 'ro', scope: 'read' } });
    const id = await target('user');
    for (const action of ['read', ...SEQUENCE.slice(1), 'role'] as Action[]) {
      const [method, path, body] = request(action, id);
      const res = await api.call(method, path, { token: ro.body.token, body });
      expect(`${action}: ${res.status}`).toBe(`${action}: ${action === 'read' ? 200 : 403}`);
    }
    for (const path of ['/api/v1/settings/directory-server', '/api/v1/audit', '/api/v1/users/export', '/api/v1/groups']) {
      expect(`${path}: ${(await api.call('GET', path, { token: ro.body.token })).status}`).toBe(`${path}: 200`);
    }
    expect((await api.store.getUser(id))?.active).toBe(true);
  });
});
