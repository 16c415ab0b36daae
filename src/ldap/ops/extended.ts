import { randomBytes } from 'node:crypto';
import { maySetOthersPassword } from '../../directory/access-policy.js';
import { systemActor, userActor } from '../../domain/actor.js';
import type { Identity } from '../../directory/auth/identity.js';
import type { UserService } from '../../directory/users/user-service.js';
import type { DirectoryView } from '../../directory/view/index.js';
import { LdapError } from '../../domain/errors.js';
import { ResultCode } from '../../domain/result-code.js';
import type { Store } from '../../store/store.js';
import { decodePasswordModifyRequest, encodePasswordModifyResponse } from '../codec/index.js';
import { Oid, type ExtendedRequest, type LdapResult } from '../protocol.js';
import type { LdapConnection } from '../server/ldap-handler.js';
import { identityOf } from '../session.js';

export interface ExtendedOutcome {
  readonly result: LdapResult;
  readonly name?: string;
  readonly value?: Buffer;
}

export interface ExtendedDeps {
  readonly view: DirectoryView;
  readonly users: UserService;
  readonly store: Store;
}

const unwilling = (message: string): LdapError => new LdapError(ResultCode.unwillingToPerform, message);

export async function extended(req: ExtendedRequest, conn: LdapConnection, deps: ExtendedDeps): Promise<ExtendedOutcome> {
  if (req.name === Oid.whoAmI) {
    // RFC 4532 §2: `dn:<authzId>`, or an empty value for anonymous.
    const identity = identityOf(conn);
    // A user signed in through an application's view is told that view's DN (issue 16).
    const value = identity.kind === 'anonymous' ? '' : `dn:${identity.kind === 'user' && identity.app !== undefined ? identity.app.dn : identity.dn}`;
    return { result: { resultCode: ResultCode.success }, value: Buffer.from(value, 'utf8') };
  }
  if (req.name === Oid.passwordModify) return passwordModify(req, identityOf(conn), deps);
  // RFC 4511 §4.12: an unknown requestName is a protocolError.
  return { result: { resultCode: ResultCode.protocolError, diagnosticMessage: `unsupported extended operation ${req.name}` } };
}

/**
 * Password Modify (RFC 3062, DESIGN §5): users change their own password with the old one; the
 * directory admin and privileged service accounts set anyone's, and get a generated one back when
 * they give none.
 */
async function passwordModify(req: ExtendedRequest, identity: Identity, deps: ExtendedDeps): Promise<ExtendedOutcome> {
  if (identity.kind === 'anonymous') throw unwilling('only authenticated users may change passwords');
  const fields = decodePasswordModifyRequest(req.value);
  const targetId = resolveTarget(fields.userIdentity, identity, deps.view);
  const generated = fields.newPassword === undefined ? randomBytes(12).toString('base64url') : undefined;
  const newPassword = generated ?? (fields.newPassword as Buffer).toString('utf8');
  const self = identity.kind === 'user' && identity.id === targetId;
  if (self && fields.oldPassword === undefined) throw unwilling('the old password is required to change your own password');
  if (self && fields.oldPassword !== undefined) {
    const user = await deps.users.getUser(targetId);
    await deps.users.changePassword(targetId, { oldPassword: fields.oldPassword.toString('utf8'), newPassword }, userActor(user));
  } else if (maySetOthersPassword(identity)) {
    const name = identity.kind === 'service' ? `ldap:${identity.name}` : 'ldap:admin';
    await deps.users.setPassword(targetId, newPassword, systemActor(name));
  } else {
    throw new LdapError(ResultCode.insufficientAccessRights, 'you may change only your own password');
  }
  // Read-your-writes: a bind with the new password right after this reply must succeed.
  await deps.view.waitForRevision(await deps.store.revision(), 2000);
  const value = encodePasswordModifyResponse(generated === undefined ? undefined : Buffer.from(generated, 'utf8'));
  return { result: { resultCode: ResultCode.success }, value };
}

function resolveTarget(userIdentity: string | undefined, identity: Identity, view: DirectoryView): string {
  if (userIdentity === undefined || userIdentity === '') {
    if (identity.kind !== 'user') throw unwilling('name the user whose password to set (userIdentity)');
    return identity.id;
  }
  // RFC 3062 §2.1: userIdentity may be a DN or a plain user name.
  const dn = userIdentity.includes('=') ? userIdentity : `uid=${userIdentity},${view.dit.usersDn}`;
  const target = view.resolveBind(dn);
  if (target?.kind !== 'user') throw new LdapError(ResultCode.noSuchObject, `no user "${userIdentity}"`);
  return target.user.id;
}
