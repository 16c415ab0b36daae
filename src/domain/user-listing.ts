import type { User } from './model.js';

/**
 * Which users the LDAP view lists, as a domain rule: the view builds entries by it, and the store
 * needs it to know when a user change alters the member values of the user's groups (whose
 * modifyTimestamp must then move, RFC 4512 §3.4).
 *
 * Only active users with a username appear (DESIGN §3). A local user who has never had a
 * password is an open invite (created without one, by the API, the CLI or an import): issue 7 keeps
 * it out of LDAP until the invite is accepted, even when the admin already chose its username, so
 * applications do not provision accounts nobody can log in to. Mirrored users (source ldap) have
 * their password checked at the source and are listed.
 */
/** The fields listing depends on (the store reads just these before an update). */
export type ListingFields = Pick<User, 'active' | 'username' | 'source' | 'passwordHash'>;

export function isListed(user: ListingFields): boolean {
  if (!user.active || user.username === null || user.username === '') return false;
  return !(user.source === 'local' && user.passwordHash === null);
}

/**
 * Whether a user change alters the values a group shows for the user: its member DN appears or
 * disappears (listing), or its memberUid changes. uid values are the lower-cased username
 * (user-entry.ts), so a change of case alone shows nothing new.
 */
export function memberValuesChanged(old: ListingFields | undefined, next: ListingFields | undefined): boolean {
  const was = old !== undefined && isListed(old);
  const is = next !== undefined && isListed(next);
  if (was !== is) return true;
  return is && old?.username?.toLowerCase() !== next?.username?.toLowerCase();
}
