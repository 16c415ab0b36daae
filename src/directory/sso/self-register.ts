import type { User } from '../../domain/model.js';
import type { StoreTx } from '../../store/store.js';
import { auditUser } from '../audit-record.js';
import type { SsoSource } from './sso-groups.js';
import { uniqueUsername } from './sso-username.js';

/** Display names come from the IdP: keep them printable and bounded. */
const MAX_DISPLAY_NAME = 200;

/**
 * Creates the user of a first SSO sign-in on an allowed domain (issue 14), inside the caller's
 * transaction: role `user`, source `self-registered`, no password (they sign in at the IdP; LDAP
 * clients use app passwords), a username from the email's local part made valid and unique.
 * Audited as `user.create` by the `self-registration` actor with the sign-in source.
 */
export async function selfRegister(tx: StoreTx, email: string, displayName: string | undefined, via: SsoSource): Promise<User> {
  const username = await uniqueUsername(tx, email);
  // eslint-disable-next-line no-control-regex
  const name = (displayName ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim().slice(0, MAX_DISPLAY_NAME);
  const user = await tx.insertUser({ username, email, displayName: name, role: 'user', source: 'self-registered', passwordHash: null });
  await tx.appendAudit({ actor: 'self-registration', action: 'user.create', target: user.id, details: { after: auditUser(user), via } });
  return user;
}
