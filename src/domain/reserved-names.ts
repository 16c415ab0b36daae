/**
 * Names pgdir keeps for itself (DESIGN §7, §3). The built-in groups are computed from users' state
 * and never stored, so nobody may create a user or group that would shadow them.
 */
export const BUILTIN_GROUP_NAMES: readonly string[] = Object.freeze(['users', 'admins']);

export const RESERVED_USERNAMES: readonly string[] = Object.freeze([
  'admin',
  'root',
  'no-reply',
  'postmaster',
  'mailer-daemon',
  ...BUILTIN_GROUP_NAMES,
]);

export const isBuiltinGroupName = (name: string): boolean =>
  BUILTIN_GROUP_NAMES.includes(name.trim().toLowerCase());
