import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import { DirectoryError } from '../../src/domain/errors.js';
import { ROLES, type Role } from '../../src/domain/model.js';
import { ACTIONS, assertMay, may, type Action, type Target } from '../../src/domain/permissions.js';
import { ResultCode } from '../../src/domain/result-code.js';

/**
 * The permission matrix of DESIGN §7, written out by hand (not derived from the implementation).
 * Each row: actor role; columns: target role user, usermanager, mailmanager, admin, owner, then the
 * actor acting on themselves. Cells: `ok`, `403` or `409`.
 */
type Cell = 'ok' | '403' | '409';
const parse = (table: string): Record<Role, Cell[]> => {
  const rows = table.trim().split('\n').map((l) => l.trim().split(/\s+/));
  const out = {} as Record<Role, Cell[]>;
  for (const [role, ...cells] of rows) out[role as Role] = cells as Cell[];
  expect(Object.keys(out)).toEqual([...ROLES]);
  return out;
};

const SELF_REFUSED = parse(`
  user         403 403 403 403 403  403
  usermanager  ok  ok  403 403 403  409
  mailmanager  ok  ok  ok  403 403  409
  admin        ok  ok  ok  ok  403  409
  owner        ok  ok  ok  ok  ok   409`);
const RANKED = parse(`
  user         403 403 403 403 403  403
  usermanager  ok  ok  403 403 403  ok
  mailmanager  ok  ok  ok  403 403  ok
  admin        ok  ok  ok  ok  403  ok
  owner        ok  ok  ok  ok  ok   ok`);
const SELF_FREE_RANKED = parse(`
  user         403 403 403 403 403  ok
  usermanager  ok  ok  403 403 403  ok
  mailmanager  ok  ok  ok  403 403  ok
  admin        ok  ok  ok  ok  403  ok
  owner        ok  ok  ok  ok  ok   ok`);
// App passwords (issue 14): one's own freely; others' from admin up, never a higher role's.
const ADMIN_SELF_FREE = parse(`
  user         403 403 403 403 403  ok
  usermanager  403 403 403 403 403  ok
  mailmanager  403 403 403 403 403  ok
  admin        ok  ok  ok  ok  403  ok
  owner        ok  ok  ok  ok  ok   ok`);
const READ = parse(`
  user         403 403 403 403 403  ok
  usermanager  ok  ok  ok  ok  ok   ok
  mailmanager  ok  ok  ok  ok  ok   ok
  admin        ok  ok  ok  ok  ok   ok
  owner        ok  ok  ok  ok  ok   ok`);

const USER_TARGETED: Partial<Record<Action, Record<Role, Cell[]>>> = {
  'user.read': READ,
  'user.update': RANKED,
  'user.sendLink': RANKED,
  'user.delete': SELF_REFUSED,
  'user.setActive': SELF_REFUSED,
  'user.impersonate': SELF_REFUSED,
  'user.setPassword': SELF_FREE_RANKED,
  'user.disableTotp': SELF_FREE_RANKED,
  'user.appPasswords.read': ADMIN_SELF_FREE,
  'user.appPasswords.revoke': ADMIN_SELF_FREE,
};

/** Lowest role allowed, for actions without a target user. */
const UNTARGETED: Partial<Record<Action, Role>> = {
  'user.list': 'usermanager',
  'mail.manage': 'mailmanager',
  'group.read': 'usermanager',
  'group.create': 'usermanager',
  'group.update': 'usermanager',
  'group.delete': 'usermanager',
  'group.setMembers': 'usermanager',
  'settings.read': 'admin',
  'settings.write': 'admin',
  'settings.owner': 'owner',
  'serviceAccount.manage': 'admin',
  'app.read': 'admin',
  'app.manage': 'admin',
  'audit.read': 'admin',
  'sync.run': 'admin',
  'users.import': 'usermanager',
  'users.export': 'usermanager',
  'team.read': 'admin',
  'team.create': 'admin',
  'team.update': 'admin',
  'team.delete': 'admin',
  'team.grant': 'admin',
  'team.grantEveryone': 'admin',
  'org.read': 'admin',
  'org.grant': 'admin',
  'permissions.read': 'admin',
  'sso.read': 'admin',
  'sso.write': 'admin',
};
const READ_ACTIONS: Action[] = ['user.read', 'user.list', 'group.read', 'settings.read', 'audit.read', 'users.export', 'user.appPasswords.read', 'team.read', 'org.read', 'permissions.read', 'app.read', 'sso.read'];

// user.create: columns = requested role (none given, user, usermanager, mailmanager, admin, owner).
const CREATE = parse(`
  user         403 403 403 403 403 403
  usermanager  ok  ok  403 403 403 403
  mailmanager  ok  ok  403 403 403 403
  admin        ok  ok  ok  ok  ok  403
  owner        ok  ok  ok  ok  ok  ok`);

// user.setRole: for each actor, rows = target's current role, columns = new role; then self.
const SET_ROLE: Record<Role, string> = {
  user: `403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 || 403`,
  usermanager: `403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 || 403`,
  mailmanager: `403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 || 403`,
  admin: `ok ok ok ok 403 | ok ok ok ok 403 | ok ok ok ok 403 | ok ok ok ok 403 | 403 403 403 403 403 || 409`,
  owner: `ok ok ok ok ok | ok ok ok ok ok | ok ok ok ok ok | ok ok ok ok ok | ok ok ok ok ok || 409`,
};

const ME = 'me-0000';
const OTHER = 'other-0000';
const userActor = (role: Role, readOnly = false): Actor => ({ kind: 'user', id: ME, role, readOnly });
const outcome = (actor: Actor, action: Action, target?: Target): Cell => {
  const d = may(actor, action, target);
  return d.allowed ? 'ok' : (String(d.status) as Cell);
};

describe('may: the DESIGN §7 matrix', () => {
  it('covers every action in exactly one table', () => {
    const covered = [...Object.keys(USER_TARGETED), ...Object.keys(UNTARGETED), 'user.create', 'user.setRole'];
    expect(covered.sort()).toEqual([...ACTIONS].sort());
  });

  const targeted = Object.entries(USER_TARGETED).flatMap(([action, table]) =>
    ROLES.flatMap((actorRole) =>
      [...ROLES.map((r) => [r, false] as const), [actorRole, true] as const].map(([targetRole, self], i) => ({
        action: action as Action,
        actorRole,
        targetRole,
        self,
        expected: table[actorRole][i],
      })),
    ),
  );
  it.each(targeted)('$actorRole $action on $targetRole (self: $self) → $expected', (c) => {
    const target: Target = { id: c.self ? ME : OTHER, role: c.targetRole };
    expect(outcome(userActor(c.actorRole), c.action, target)).toBe(c.expected);
  });

  const untargeted = Object.entries(UNTARGETED).flatMap(([action, min]) =>
    ROLES.map((actorRole) => ({
      action: action as Action,
      actorRole,
      expected: ROLES.indexOf(actorRole) >= ROLES.indexOf(min) ? 'ok' : '403',
    })),
  );
  it.each(untargeted)('$actorRole $action → $expected', (c) => {
    expect(outcome(userActor(c.actorRole), c.action)).toBe(c.expected);
  });

  const creates = ROLES.flatMap((actorRole) =>
    [undefined, ...ROLES].map((newRole, i) => ({ actorRole, newRole, expected: CREATE[actorRole][i] })),
  );
  it.each(creates)('$actorRole user.create with role $newRole → $expected', (c) => {
    const target: Target = c.newRole === undefined ? {} : { newRole: c.newRole };
    expect(outcome(userActor(c.actorRole), 'user.create', target)).toBe(c.expected);
  });

  const setRoles = ROLES.flatMap((actorRole) => {
    const [grid = '', self = ''] = SET_ROLE[actorRole].split('||');
    const rows = grid.split('|').map((r) => r.trim().split(/\s+/));
    const cells = ROLES.flatMap((targetRole, t) =>
      ROLES.map((newRole, n) => ({ actorRole, targetRole, newRole, self: false, expected: rows[t]?.[n] })),
    );
    return [...cells, ...ROLES.map((newRole) => ({ actorRole, targetRole: actorRole, newRole, self: true, expected: self.trim() }))];
  });
  it.each(setRoles)('$actorRole user.setRole $targetRole → $newRole (self: $self) → $expected', (c) => {
    const target: Target = { id: c.self ? ME : OTHER, role: c.targetRole, newRole: c.newRole };
    expect(outcome(userActor(c.actorRole), 'user.setRole', target)).toBe(c.expected);
  });
});

/**
 * Issue 13: levels that stand in for a role. Columns: no level, team admin (level admin on the
 * team concerned), team editor, organisation admin; for a plain user.
 */
const BY_LEVEL: Record<string, string> = {
  'team.read': '403 ok 403 ok',
  'team.update': '403 ok 403 ok',
  'team.grant': '403 ok 403 ok',
  'team.grantEveryone': '403 403 403 ok',
  'team.create': '403 403 403 ok',
  'team.delete': '403 403 403 ok',
  'org.read': '403 403 403 ok',
  'org.grant': '403 403 403 ok',
  'permissions.read': '403 403 403 ok',
  // Allowed domains and SSO settings: organisation admins, not team admins; other settings stay pgdir admin's.
  'sso.read': '403 403 403 ok',
  'sso.write': '403 403 403 ok',
  'settings.read': '403 403 403 403',
  'settings.write': '403 403 403 403',
  'user.update': '403 403 403 403',
  'group.create': '403 403 403 403',
};
describe('may: permission levels (issue 13)', () => {
  const targets: Target[] = [{}, { teamLevel: 'admin' }, { teamLevel: 'editor' }, { orgLevel: 'admin', teamLevel: 'admin' }];
  const cases = Object.entries(BY_LEVEL).flatMap(([action, row]) =>
    row.split(' ').map((expected, i) => ({ action: action as Action, column: i, expected })),
  );
  it.each(cases)('user with level column $column: $action → $expected', (c) => {
    expect(outcome(userActor('user'), c.action, { id: OTHER, ...targets[c.column] })).toBe(c.expected);
  });
  it('lets anyone read their own permissions, and a read-only token of a team admin only read', () => {
    expect(outcome(userActor('user'), 'permissions.read', { id: ME })).toBe('ok');
    expect(outcome(userActor('user', true), 'team.read', { teamLevel: 'admin' })).toBe('ok');
    expect(outcome(userActor('user', true), 'team.update', { teamLevel: 'admin' })).toBe('403');
    expect(may(userActor('usermanager'), 'team.grant', {})).toMatchObject({ reason: 'team.grant needs role admin or higher, or admin of the team' });
  });
  it('gives SSO settings to organisation admins only: not an organisation editor, not a usermanager, read-only tokens only read', () => {
    expect(outcome(userActor('user'), 'sso.write', { orgLevel: 'publisher', teamLevel: 'admin' })).toBe('403');
    expect(outcome(userActor('usermanager'), 'sso.write', { orgLevel: null })).toBe('403');
    expect(outcome(userActor('usermanager'), 'sso.read', { orgLevel: 'admin' })).toBe('ok');
    expect(outcome(userActor('user', true), 'sso.read', { orgLevel: 'admin' })).toBe('ok');
    expect(outcome(userActor('user', true), 'sso.write', { orgLevel: 'admin' })).toBe('403');
    expect(may(userActor('user'), 'sso.write', {})).toMatchObject({ reason: 'sso.write needs role admin or higher, or organisation admin' });
  });
});

describe('may: system actor and read-only tokens', () => {
  const everything = ACTIONS.flatMap((action) =>
    ROLES.flatMap((role) => ROLES.map((newRole) => ({ action, role, newRole }))),
  );
  it.each(everything)('system may $action on $role (new role $newRole)', (c) => {
    expect(may({ kind: 'system', name: 'cli' }, c.action, { id: OTHER, role: c.role, newRole: c.newRole })).toEqual({
      allowed: true,
    });
  });

  const readOnly = ACTIONS.flatMap((action) => ROLES.map((role) => ({ action, role })));
  it.each(readOnly)('read-only $role token: $action', ({ action, role }) => {
    const full = outcome(userActor(role), action, { id: OTHER, role: 'user' });
    const limited = may(userActor(role, true), action, { id: OTHER, role: 'user' });
    if (READ_ACTIONS.includes(action)) expect(limited.allowed ? 'ok' : String(limited.status)).toBe(full);
    else expect(limited).toEqual({ allowed: false, status: 403, reason: 'a read-only token cannot make changes' });
  });

  it('a read-only token cannot change even its own password', () => {
    expect(may(userActor('user', true), 'user.setPassword', { id: ME, role: 'user' }).allowed).toBe(false);
    expect(may(userActor('user', true), 'user.read', { id: ME, role: 'user' }).allowed).toBe(true);
  });
});

describe('may: reasons and assertMay', () => {
  it('explains each refusal', () => {
    const um = userActor('usermanager');
    expect(may(userActor('user'), 'user.delete', { id: OTHER, role: 'user' })).toEqual({
      allowed: false, status: 403, reason: 'user.delete needs role usermanager or higher',
    });
    expect(may(um, 'user.delete', { id: ME, role: 'usermanager' })).toEqual({
      allowed: false, status: 409, reason: 'you cannot delete yourself',
    });
    expect(may(um, 'user.update', { id: OTHER, role: 'admin' })).toEqual({
      allowed: false, status: 403, reason: 'cannot act on a user with the higher role admin',
    });
    expect(may(um, 'user.create', { newRole: 'usermanager' })).toMatchObject({
      reason: 'only admins and owners can create users with a role other than user',
    });
    expect(may(userActor('admin'), 'user.setRole', { id: OTHER, role: 'user', newRole: 'owner' })).toMatchObject({
      reason: 'cannot give the role owner, which is higher than your own',
    });
    expect(may(userActor('admin'), 'user.setRole', { id: ME, role: 'admin', newRole: 'user' })).toMatchObject({
      status: 409, reason: 'you cannot change your own role',
    });
    expect(may(userActor('admin'), 'user.setActive', { id: ME, role: 'admin' })).toMatchObject({
      status: 409, reason: 'you cannot change your own active flag',
    });
  });

  it('assertMay throws forbidden (403/50) and conflict (409/53) errors', () => {
    const deny = () => assertMay(userActor('user'), 'group.create');
    expect(deny).toThrow(DirectoryError);
    expect(deny).toThrow(expect.objectContaining({ kind: 'forbidden', status: 403, resultCode: ResultCode.insufficientAccessRights }));
    const self = () => assertMay(userActor('owner'), 'user.delete', { id: ME, role: 'owner' });
    expect(self).toThrow(expect.objectContaining({ kind: 'conflict', status: 409, resultCode: ResultCode.unwillingToPerform }));
    expect(() => assertMay(userActor('owner'), 'user.delete', { id: OTHER, role: 'owner' })).not.toThrow();
  });
});
