import type { Application } from '../../domain/application.js';
import { atLeast } from '../../domain/levels.js';
import type { User } from '../../domain/model.js';
import { isAtLeast } from '../../domain/roles.js';
import type { AccessState } from './app-access-index.js';

/** Why a user may use an application (GET /api/v1/apps/:id/users answers with it). */
export type AccessReason = 'admin' | 'everyone' | 'group' | 'team';

/**
 * Whether `user` may use `app` (issue 16), from the state in memory. pgdir admins and owners
 * always may; then `everyone`; then the rule (ruleReason below): membership of any listed group,
 * or at least the level on any listed team (the teams view's levelOnTeam, issue 13; a deleted
 * team gives no level, so its rule admits nobody).
 */
export function appAccessReason(state: AccessState, app: Application, user: User): AccessReason | undefined {
  if (isAtLeast(user.role, 'admin')) return 'admin';
  if (app.access.everyone) return 'everyone';
  return ruleReason(state, app, user);
}

/** The rule's own part, the one definition the precomputed bits follow (app-access-index.ts). */
function ruleReason(state: AccessState, app: Application, user: User): 'group' | 'team' | undefined {
  const { access } = app;
  const groups = state.records.userGroups.get(user.id);
  if (groups !== undefined && groups.size > 0) {
    for (const id of access.groups) if (groups.has(id)) return 'group';
  }
  for (const rule of access.teams) if (atLeast(state.teams.levelOnTeam(user.id, rule.team), rule.level)) return 'team';
  return undefined;
}

export const ruleAdmits = (state: AccessState, app: Application, user: User): boolean => ruleReason(state, app, user) !== undefined;

/** appAccessReason(...) !== undefined, with the rule read from its precomputed bits: one array read per user. */
export function hasAppAccess(state: AccessState, app: Application, user: User): boolean {
  const { access } = app;
  if (access.everyone) return true;
  // The bit first: it says yes for nearly every user a search through the view meets, and the
  // role (a list lookup) is then read only for users the rule leaves out.
  if ((access.groups.length > 0 || access.teams.length > 0) && state.records.apps.access.admits(state, app, user)) return true;
  return isAtLeast(user.role, 'admin');
}
