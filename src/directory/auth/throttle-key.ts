/**
 * The account half of an auth-throttle key (DESIGN §4). Every door to one account — an LDAP bind
 * under any DN spelling, an API login by username or email, the password checks of the profile
 * (password change, 2FA disable) — uses the same key, so `auth_throttle.max_failures` counts their
 * failures together and an attacker cannot double the budget by switching protocols.
 */

/** A known user: by id, which no rename changes. */
export const userThrottleKey = (id: string): string => `uid-${id.toLowerCase()}`;

/**
 * A login name that designates no known user (an LDAP RDN value or an API identifier): the name
 * itself, case and spaces ignored as in DESIGN §4's bind rule; `uid-<id>` is already an id.
 */
export function loginThrottleKey(login: string): string {
  const name = login.replace(/\s+/g, '').toLowerCase();
  return name.startsWith('uid-') ? name : `login:${name}`;
}
