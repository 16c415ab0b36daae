import type { Actor } from './actor.js';
import { DirectoryError } from './errors.js';
import type { Level } from './levels.js';
import type { Role } from './model.js';
import { ResultCode } from './result-code.js';
import { isAtLeast, isHigherRole } from './roles.js';

/** Everything `may` decides (DESIGN §7, §8). */
export const ACTIONS = [
  'user.read',
  'user.list',
  'user.create',
  'user.update',
  'user.delete',
  'user.setActive',
  'user.setRole',
  'user.setPassword',
  'user.impersonate',
  'user.disableTotp',
  'user.sendLink',
  'user.appPasswords.read',
  'user.appPasswords.revoke',
  'mail.manage',
  'group.read',
  'group.create',
  'group.update',
  'group.delete',
  'group.setMembers',
  'settings.read',
  'settings.write',
  'settings.owner',
  'serviceAccount.manage',
  'app.read',
  'app.manage',
  'audit.read',
  'sync.run',
  'users.import',
  'users.export',
  // Teams and permission levels (issue 13).
  'team.read',
  'team.create',
  'team.update',
  'team.delete',
  'team.grant',
  'team.grantEveryone',
  'org.read',
  'org.grant',
  'permissions.read',
  // Allowed domains and single sign-on settings (issues 13, 14).
  'sso.read',
  'sso.write',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The user an action is about. `id`/`role` describe an existing user; `newRole` is the role being
 * given (user.create, user.setRole; defaults to `user` for user.create).
 */
export interface Target {
  readonly id?: string;
  readonly role?: Role;
  readonly newRole?: Role;
  /** Team actions: the actor's effective level on the team concerned (null: none). */
  readonly teamLevel?: Level | null;
  /** Team and organisation actions: the actor's organisation level (null: none). */
  readonly orgLevel?: Level | null;
}

export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string; readonly status: 403 | 409 };

interface Rule {
  /** Lowest role that holds the power at all. */
  readonly minRole: Role;
  /** Whether read-only API tokens may do it. */
  readonly read?: boolean;
  /** Self: 'free' — allowed to anyone on themselves; 'refused' — 409 even with the power. */
  readonly self?: 'free' | 'refused';
  /** Whether the target user's role must not be higher than the actor's. */
  readonly ranked?: boolean;
  /**
   * Issue 13: who holds the power through a permission level instead of a role. 'org' — an
   * organisation admin; 'team' — an admin of the team concerned (an organisation admin is one of
   * every team, since effective levels include organisation grants).
   */
  readonly level?: 'org' | 'team';
}

const RULES: Record<Action, Rule> = {
  'user.read': { minRole: 'usermanager', read: true, self: 'free', ranked: false },
  'user.list': { minRole: 'usermanager', read: true },
  'user.create': { minRole: 'usermanager' },
  'user.update': { minRole: 'usermanager', ranked: true },
  'user.delete': { minRole: 'usermanager', self: 'refused', ranked: true },
  'user.setActive': { minRole: 'usermanager', self: 'refused', ranked: true },
  'user.setRole': { minRole: 'admin', self: 'refused', ranked: true },
  'user.setPassword': { minRole: 'usermanager', self: 'free', ranked: true },
  'user.impersonate': { minRole: 'usermanager', self: 'refused', ranked: true },
  'user.disableTotp': { minRole: 'usermanager', self: 'free', ranked: true },
  'user.sendLink': { minRole: 'usermanager', ranked: true },
  // Issue 14: everyone manages their own app passwords; an admin may list and revoke anyone's.
  'user.appPasswords.read': { minRole: 'admin', read: true, self: 'free', ranked: true },
  'user.appPasswords.revoke': { minRole: 'admin', self: 'free', ranked: true },
  'mail.manage': { minRole: 'mailmanager' },
  'group.read': { minRole: 'usermanager', read: true },
  'group.create': { minRole: 'usermanager' },
  'group.update': { minRole: 'usermanager' },
  'group.delete': { minRole: 'usermanager' },
  'group.setMembers': { minRole: 'usermanager' },
  'settings.read': { minRole: 'admin', read: true },
  'settings.write': { minRole: 'admin' },
  'settings.owner': { minRole: 'owner' },
  'serviceAccount.manage': { minRole: 'admin' },
  // Applications (issue 16) decide who may sign in where: admins and owners, like service accounts.
  'app.read': { minRole: 'admin', read: true },
  'app.manage': { minRole: 'admin' },
  'audit.read': { minRole: 'admin', read: true },
  'sync.run': { minRole: 'admin' },
  'users.import': { minRole: 'usermanager' },
  'users.export': { minRole: 'usermanager', read: true },
  // pgdir admin/owner and organisation admins do everything with teams; a team admin renames
  // and describes their team and manages its user and group grants (up to admin). Grants to
  // everyone are default permissions: organisation admins only. Anyone reads their own levels.
  'team.read': { minRole: 'admin', read: true, level: 'team' },
  'team.create': { minRole: 'admin', level: 'org' },
  'team.update': { minRole: 'admin', level: 'team' },
  'team.delete': { minRole: 'admin', level: 'org' },
  'team.grant': { minRole: 'admin', level: 'team' },
  'team.grantEveryone': { minRole: 'admin', level: 'org' },
  'org.read': { minRole: 'admin', read: true, level: 'org' },
  'org.grant': { minRole: 'admin', level: 'org' },
  'permissions.read': { minRole: 'admin', read: true, self: 'free', level: 'org' },
  // Issue 13: the permission console includes allowed domains and SSO (SAML, OpenID Connect), so
  // organisation admins read and change them like pgdir admins and owners.
  'sso.read': { minRole: 'admin', read: true, level: 'org' },
  'sso.write': { minRole: 'admin', level: 'org' },
};

const ALLOWED: Decision = Object.freeze({ allowed: true });
const deny = (reason: string, status: 403 | 409 = 403): Decision => ({ allowed: false, reason, status });

/**
 * The permission matrix of DESIGN §7 as one pure function. Checks run in a fixed order so that
 * the answer names the most basic obstacle: read-only token → missing power (403) → acting on
 * oneself (409, "conflicts and self-actions") → target ranked higher (403) → role being given
 * higher than one's own or, on create, not `user` without admin (403).
 */
export function may(actor: Actor, action: Action, target: Target = {}): Decision {
  const rule = RULES[action];
  if (actor.kind === 'system') return ALLOWED;
  const self = target.id !== undefined && target.id === actor.id;
  if (actor.readOnly === true && rule.read !== true) return deny('a read-only token cannot make changes');
  if (self && rule.self === 'free') return ALLOWED;
  if (!isAtLeast(actor.role, rule.minRole)) {
    if (holdsByLevel(rule, target)) return ALLOWED;
    return deny(`${action} needs role ${rule.minRole} or higher${levelHint(rule)}`);
  }
  if (self && rule.self === 'refused') return deny(selfReason(action), 409);
  if (rule.ranked === true && target.role !== undefined && isHigherRole(target.role, actor.role)) {
    return deny(`cannot act on a user with the higher role ${target.role}`);
  }
  return checkNewRole(actor.role, action, target.newRole);
}

/** Issue 13: an organisation admin, or for team rules an admin of the team, holds the power. */
function holdsByLevel(rule: Rule, target: Target): boolean {
  if (rule.level === undefined) return false;
  if (target.orgLevel === 'admin') return true;
  return rule.level === 'team' && target.teamLevel === 'admin';
}

function levelHint(rule: Rule): string {
  if (rule.level === 'org') return ', or organisation admin';
  if (rule.level === 'team') return ', or admin of the team';
  return '';
}

function checkNewRole(actorRole: Role, action: Action, newRole: Role | undefined): Decision {
  if (action !== 'user.create' && action !== 'user.setRole') return ALLOWED;
  const role = newRole ?? 'user';
  if (action === 'user.create' && role !== 'user' && !isAtLeast(actorRole, 'admin')) {
    return deny('only admins and owners can create users with a role other than user');
  }
  if (isHigherRole(role, actorRole)) return deny(`cannot give the role ${role}, which is higher than your own`);
  return ALLOWED;
}

function selfReason(action: Action): string {
  switch (action) {
    case 'user.delete':
      return 'you cannot delete yourself';
    case 'user.setActive':
      return 'you cannot change your own active flag';
    case 'user.setRole':
      return 'you cannot change your own role';
    default:
      return `you cannot ${action.slice('user.'.length)} yourself`;
  }
}

/** `may`, throwing DirectoryError('forbidden' | 'conflict') with the reason when refused. */
export function assertMay(actor: Actor, action: Action, target?: Target): void {
  const decision = may(actor, action, target);
  if (decision.allowed) return;
  if (decision.status === 409) {
    // Over LDAP a self-action is a refusal, not an existing entry (RFC 4511 §4.1.9, code 53).
    throw new DirectoryError('conflict', decision.reason, { resultCode: ResultCode.unwillingToPerform });
  }
  throw new DirectoryError('forbidden', decision.reason);
}
