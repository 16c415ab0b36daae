import type { Application } from '../../domain/application.js';
import type { User } from '../../domain/model.js';
import { isAtLeast } from '../../domain/roles.js';
import type { StateRecords } from './state-records.js';

/** Why a user may use an application (GET /api/v1/apps/:id/users answers with it). */
export type AccessReason = 'admin' | 'everyone' | 'group' | 'team';

/**
 * Whether `user` may use `app` (issue 16), from the records in memory: no copy per app, so 50
 * apps over 100,000 users cost nothing until a search asks. pgdir admins and owners always may;
 * then `everyone`, then membership of any listed group (a set lookup per listed group), then
 * team levels.
 */
export function appAccessReason(records: StateRecords, app: Application, user: User): AccessReason | undefined {
  if (isAtLeast(user.role, 'admin')) return 'admin';
  const { access } = app;
  if (access.everyone) return 'everyone';
  const groups = records.userGroups.get(user.id);
  if (groups !== undefined && groups.size > 0) {
    for (const id of access.groups) if (groups.has(id)) return 'group';
  }
  // TODO(teams, issue 13): team rules are stored and validated but grant nothing until the
  // teams view lands (branch `teams`, "teams: view ready"); then evaluate them here.
  return undefined;
}

export const hasAppAccess = (records: StateRecords, app: Application, user: User): boolean =>
  appAccessReason(records, app, user) !== undefined;
