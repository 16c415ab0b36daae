import { isIP } from 'node:net';
import { ANONYMOUS, type Identity } from '../../directory/auth/identity.js';
import type { BindService } from '../../directory/auth/bind-service.js';
import { normalizeIp } from '../../domain/ip-allowlist.js';
import type { MaybeAsync } from '../../domain/maybe-async.js';
import { hasNul } from '../../domain/storable-text.js';
import { ResultCode } from '../../domain/result-code.js';
import type { BindRequest, LdapResult } from '../protocol.js';
import type { LdapConnection } from '../server/ldap-handler.js';
import { setIdentity } from '../session.js';

const ok: LdapResult = { resultCode: ResultCode.success };
const SIGNED_IN = 'signedInOnce';

/**
 * Simple bind (RFC 4511 §4.2, RFC 4513 §5.1). The connection is anonymous from the moment a bind
 * starts, so a failed bind never leaves an earlier identity in place (§4.2.1). Answers at once
 * when the bind service does (bind-service.ts `check`), else a promise; a failed sign-in throws
 * (or rejects with) its result code.
 */
export function bind(req: BindRequest, conn: LdapConnection, binds: BindService): MaybeAsync<LdapResult> {
  setIdentity(conn, ANONYMOUS);
  if (req.version !== 3) {
    return { resultCode: ResultCode.protocolError, diagnosticMessage: 'only LDAPv3 is supported' };
  }
  if (req.auth.kind === 'sasl') {
    return { resultCode: ResultCode.authMethodNotSupported, diagnosticMessage: 'SASL is not supported; use a simple bind' };
  }
  const { password } = req.auth;
  if (req.name === '') {
    // Anonymous bind (RFC 4513 §5.1.1) grants rootDSE and subschema only (DESIGN §4).
    return password.length === 0 ? ok : { resultCode: ResultCode.invalidCredentials };
  }
  if (hasNul(req.name)) {
    // No DN can hold a NUL (domain/storable-text.ts); refused before the name reaches any lookup.
    return { resultCode: ResultCode.invalidDNSyntax, diagnosticMessage: 'the DN contains a NUL character' };
  }
  if (password.length === 0) {
    // Unauthenticated bind (RFC 4513 §5.1.2) is never a login.
    return { resultCode: ResultCode.unwillingToPerform, diagnosticMessage: 'unauthenticated bind (DN with no password) disallowed' };
  }
  if (!conn.secure && !isLoopback(conn.remoteAddress)) {
    return { resultCode: ResultCode.confidentialityRequired, diagnosticMessage: 'use LDAPS or StartTLS before a simple bind' };
  }
  // A connection that signed in before (an application re-binding as its users) is not starved
  // by a storm of attempts from elsewhere (auth/hash-gate.ts).
  const identity = binds.check(req.name, password, conn.remoteAddress, { urgent: conn.session[SIGNED_IN] === true });
  return identity instanceof Promise ? identity.then((signed) => signedIn(conn, signed)) : signedIn(conn, identity);
}

function signedIn(conn: LdapConnection, identity: Identity): LdapResult {
  setIdentity(conn, identity);
  conn.session[SIGNED_IN] = true;
  return ok;
}

/** 127.0.0.0/8 and ::1, also as a dual-stack listener reports IPv4 (`::ffff:127.0.0.1`). */
export function isLoopback(address: string): boolean {
  const ip = normalizeIp(address);
  if (ip === '::1') return true;
  return isIP(ip) === 4 && ip.startsWith('127.');
}
