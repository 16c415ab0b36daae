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

/**
 * `extra`: the names `ldap.builtin_groups` gives the built-in groups in LDAP (e.g. `ldap-users`
 * where the operating system already has a local `users` group). `users` and `admins` stay
 * reserved whatever the configuration, so the API's meaning of those names never changes.
 */
export const isBuiltinGroupName = (name: string, extra: readonly string[] = []): boolean => {
  const key = name.trim().toLowerCase();
  return BUILTIN_GROUP_NAMES.includes(key) || extra.includes(key);
};
