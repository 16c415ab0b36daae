import { passwordThrottled } from '../auth/password-throttle.js';
import { z } from 'zod';
import { systemActor } from '../../domain/actor.js';
import { DirectoryError } from '../../domain/errors.js';
import { may } from '../../domain/permissions.js';
import type { User } from '../../domain/model.js';
import type { ApiContext } from '../api-context.js';
import { issueSession } from '../auth/login.js';
import { USER_FIELDS, withFieldNames } from '../field-names.js';
import { defineRoute, type AnyRoute, type Caller } from '../route.js';
import { readSettings, userDirectorySection } from '../../directory/settings/directory-settings.js';
import { groupRefView, toGroupRef, toUserView, userView } from '../views.js';
import { sessionView } from './auth-routes.js';

export const profilePatch = z.strictObject({
  email: z.string().optional(),
  fallbackEmail: z.string().nullable().optional(),
  fullName: z.string().nullable().optional(),
});
const passwordChange = z.strictObject({ password: z.string().describe('the current password'), newPassword: z.string() });

/**
 * A plain user must not learn that an address belongs to someone else (issue 20): every refusal of
 * the new email — taken, malformed, too long — is the same 400. Managers, who may list every user
 * anyway, keep the precise answer (409 when taken).
 */
function unusableEmail(error: unknown): unknown {
  if (!(error instanceof DirectoryError) || error.field !== 'email' || (error.kind !== 'conflict' && error.kind !== 'invalid')) return error;
  return new DirectoryError('invalid', 'this email address cannot be used; check it or choose another', { field: 'email' });
}

/** Whether the profile lock applies to the caller (managers keep the power to edit names and emails, their own included). */
export async function profileLocked(api: ApiContext, caller: Caller): Promise<boolean> {
  const { values } = await readSettings(api.directory.store, userDirectorySection(api.pinned));
  return values.lockProfiles && !may(caller.actor, 'user.update', { id: caller.user.id, role: caller.user.role }).allowed;
}

/** The caller changes their own name or emails (PATCH /profile and the console's profile page). */
export async function updateOwnProfile(api: ApiContext, caller: Caller, body: z.infer<typeof profilePatch>): Promise<User> {
  const { fullName, ...rest } = body;
  const lockedField = fullName !== undefined ? 'fullName' : rest.email !== undefined ? 'email' : undefined;
  if (lockedField !== undefined && (await profileLocked(api, caller))) {
    throw new DirectoryError('forbidden', 'profiles are locked: ask a user manager to change your name or email', { field: lockedField });
  }
  const changes = fullName === undefined ? rest : { ...rest, name: fullName };
  // Editing oneself is not a manager's power: the permission was decided above, the use case
  // validates, checks uniqueness and audits (under the user's own id).
  const self = may(caller.actor, 'user.update', { id: caller.user.id, role: caller.user.role }).allowed ? caller.actor : systemActor(caller.user.id);
  return withFieldNames(USER_FIELDS, () => api.directory.users.updateUser(caller.user.id, changes, self)).catch((error: unknown) => {
    throw self === caller.actor ? error : unusableEmail(error);
  });
}

/** The caller's own record (DESIGN §7): name and emails, subject to the profile lock, and password. */
export function profileRoutes(api: ApiContext): AnyRoute[] {
  const { users, groups, store } = api.directory;
  const locked = (caller: Caller): Promise<boolean> => profileLocked(api, caller);
  const view = async (caller: Caller, user = caller.user) => ({
    ...toUserView(user),
    groups: (await groups.groupsOfUser(user.id, caller.actor)).map(toGroupRef),
    profileLocked: await locked(caller),
  });
  const profileView = userView.extend({ groups: z.array(groupRefView), profileLocked: z.boolean() });

  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/profile',
      summary: 'The signed-in user',
      tag: 'profile',
      auth: 'user',
      response: profileView,
      handle: async ({ caller }) => ({ body: await view(caller) }),
    }),
    defineRoute({
      method: 'PATCH',
      path: '/api/v1/profile',
      summary: 'Change your full name, email or fallback email (name and email: 403 while profiles are locked)',
      tag: 'profile',
      auth: 'user',
      body: profilePatch,
      response: profileView,
      handle: async ({ body, caller }) => ({ body: await view(caller, await updateOwnProfile(api, caller, body)) }),
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/profile/password',
      summary: 'Change your password; every session ends and a new one is returned',
      tag: 'profile',
      auth: 'user',
      body: passwordChange,
      response: sessionView,
      handle: async ({ body, caller, ip }) => {
        const user = await passwordThrottled(api, caller, ip, 'the current password is wrong', () =>
          withFieldNames({ oldPassword: 'password' }, () =>
            users.changePassword(caller.user.id, { oldPassword: body.password, newPassword: body.newPassword }, caller.actor),
          ),
        );
        const session = await issueSession(store, user, api.sessionTtlMs);
        return { body: { token: session.token, expiresAt: session.expiresAt.toISOString(), user: toUserView(user) } };
      },
    }),
  ];
}
