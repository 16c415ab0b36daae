import type { Application } from '../../domain/application.js';
import { atLeast } from '../../domain/levels.js';
import type { User } from '../../domain/model.js';
import { isAtLeast } from '../../domain/roles.js';
import type { DirectoryState } from './directory-state.js';

/** Why a user may use an application (GET /api/v1/apps/:id/users answers with it). */
export type AccessReason = 'admin' | 'everyone' | 'group' | 'team';

/**
 * Whether `user` may use `app` (issue 16), from the state in memory: no copy per app, so 50
 * apps over 100,000 users cost nothing until a search asks. pgdir admins and owners always may;
 * then `everyone`, then membership of any listed group (a set lookup per listed group), then at
 * least the level on any listed team (the teams view's levelOnTeam, issue 13; a deleted team
 * gives no level, so its rule admits nobody).
 */
export function appAccessReason(state: DirectoryState, app: Application, user: User): AccessReason | undefined {
  if (isAtLeast(user.role, 'admin')) return 'admin';
  const { access } = app;
  if (access.everyone) return 'everyone';
  const groups = state.records.userGroups.get(user.id);
  if (groups !== undefined && groups.size > 0) {
    for (const id of access.groups) if (groups.has(id)) return 'group';
  }
  for (const rule of access.teams) if (atLeast(state.teams.levelOnTeam(user.id, rule.team), rule.level)) return 'team';
  return undefined;
}

export const hasAppAccess = (state: DirectoryState, app: Application, user: User): boolean =>
  appAccessReason(state, app, user) !== undefined;
