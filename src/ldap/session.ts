import { ANONYMOUS, type Identity } from '../directory/auth/identity.js';
import type { LdapConnection } from './server/ldap-handler.js';

/** The bound identity lives in the connection's handler state (RFC 4511 §4.2.1: per connection). */
export function identityOf(conn: LdapConnection): Identity {
  return (conn.session['identity'] as Identity | undefined) ?? ANONYMOUS;
}

export function setIdentity(conn: LdapConnection, identity: Identity): void {
  conn.session['identity'] = identity;
}
