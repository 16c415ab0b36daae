import type { User } from '../../domain/model.js';
import { nameUuid } from './name-uuid.js';
import type { Dit } from './dit.js';

/**
 * The built-in groups (DESIGN §3), computed from users' state and never stored. Their gidNumbers
 * are fixed below the allocated range (stored groups get 10000 and up, store.ts) and above the
 * usual system range (< 1000) that SSSD and nslcd filter out: `users` is 9000, `admins` 9001.
 * Every user's gidNumber is the `users` group's, so these numbers must never change.
 */
export const USERS_GROUP_GID = 9000;
export const ADMINS_GROUP_GID = 9001;

export interface BuiltinGroup {
  readonly id: string; // name-based uuid, also the entryUUID
  /** `users` or `admins` unless `ldap.builtin_groups` names them otherwise. */
  readonly name: string;
  readonly description: string;
  readonly gidNumber: number;
  readonly includes: (user: User) => boolean;
}

export function builtinGroups(dit: Dit): readonly [BuiltinGroup, BuiltinGroup] {
  return [
    {
      // The id (entryUUID) stays tied to the role, so renaming the group keeps it.
      id: nameUuid(`group:users,${dit.suffixNorm}`),
      name: dit.builtinNames.users,
      description: 'All active users',
      gidNumber: USERS_GROUP_GID,
      includes: () => true,
    },
    {
      id: nameUuid(`group:admins,${dit.suffixNorm}`),
      name: dit.builtinNames.admins,
      description: 'Users with the admin or owner role',
      gidNumber: ADMINS_GROUP_GID,
      includes: (user) => user.role === 'admin' || user.role === 'owner',
    },
  ];
}
