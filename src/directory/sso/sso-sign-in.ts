import { DirectoryError } from '../../domain/errors.js';
import { normalizeEmail } from '../../domain/email.js';
import type { User } from '../../domain/model.js';
import type { Store, StoreTx } from '../../store/store.js';
import { isAllowedEmail } from './allowed-domains.js';
import { readRegistrationSettings } from './registration-settings.js';
import { selfRegister } from './self-register.js';
import { replaceSsoGroups, type SsoGroupChanges, type SsoSource } from './sso-groups.js';

/** What an identity provider vouched for, after the protocol's own checks (SAML, OIDC). */
export interface SsoIdentity {
  readonly source: SsoSource;
  /** The verified email (SAML NameID, OIDC `email` with `email_verified`). */
  readonly email: string;
  readonly displayName?: string | undefined;
  /** The IdP's groups for this person; undefined leaves their SSO-group memberships alone. */
  readonly groups?: readonly string[] | undefined;
  readonly ip: string;
}

/** Why an SSO sign-in was refused: for the audit log only, never shown to the client in detail. */
export type SsoRefusal = 'not_registered' | 'inactive' | 'invalid_email';

export type SsoSignIn =
  | { readonly ok: true; readonly user: User; readonly created: boolean; readonly groups: SsoGroupChanges | undefined }
  | { readonly ok: false; readonly reason: SsoRefusal };

export interface SsoSignInOptions {
  /** `ldap.builtin_groups`: names an SSO group must not take. */
  readonly builtinGroupNames?: readonly string[];
}

/**
 * The provisioning step every SSO sign-in shares (issue 14), in one transaction with its audit:
 * 1. the email finds the user (case-insensitive);
 * 2. unknown: created when its domain is allowed (self-register.ts), else refused `not_registered`;
 * 3. a disabled user is refused `inactive`;
 * 4. the user's memberships in groups of this source are replaced by the asserted list.
 * Every outcome is an `http.login` audit row with `details.source`; a refusal's reason stays there.
 * The caller issues the session (http/auth/login.ts issueSession) only on `ok`.
 */
export async function signInWithSso(store: Store, identity: SsoIdentity, options: SsoSignInOptions = {}): Promise<SsoSignIn> {
  let email: string;
  try {
    email = normalizeEmail(identity.email);
  } catch {
    await auditRefusal(store, identity, 'invalid_email', null);
    return { ok: false, reason: 'invalid_email' };
  }
  try {
    return await store.write((tx) => provision(tx, { ...identity, email }, options));
  } catch (error) {
    // Two first sign-ins of one new person raced: the other created the user; sign in as them.
    if (error instanceof DirectoryError && error.kind === 'conflict') return store.write((tx) => provision(tx, { ...identity, email }, options));
    throw error;
  }
}

async function provision(tx: StoreTx, identity: SsoIdentity, options: SsoSignInOptions): Promise<SsoSignIn> {
  let user = await tx.findUserByEmail(identity.email);
  let created = false;
  if (user === undefined) {
    const { allowedDomains } = await readRegistrationSettings(tx);
    if (!isAllowedEmail(identity.email, allowedDomains)) return refuse(tx, identity, 'not_registered', null);
    user = await selfRegister(tx, identity.email, identity.displayName, identity.source);
    created = true;
  }
  if (!user.active) return refuse(tx, identity, 'inactive', user.id);
  const groups = identity.groups === undefined ? undefined : await replaceSsoGroups(tx, user.id, identity.source, identity.groups, options.builtinGroupNames);
  await tx.appendAudit({
    action: 'http.login',
    actor: user.id,
    target: user.id,
    result: 'ok',
    ip: identity.ip,
    details: { source: identity.source, created, ...(groups === undefined ? {} : groupDetails(groups)) },
  });
  return { ok: true, user, created, groups };
}

const groupDetails = (g: SsoGroupChanges) => ({
  groupsAdded: g.added.map((x) => x.name),
  groupsRemoved: g.removed.map((x) => x.name),
  groupsCreated: g.created.map((x) => x.name),
});

async function refuse(tx: StoreTx, identity: SsoIdentity, reason: SsoRefusal, userId: string | null): Promise<SsoSignIn> {
  await tx.appendAudit({ action: 'http.login', actor: userId, target: userId, result: 'denied', ip: identity.ip, details: { source: identity.source, reason, email: identity.email } });
  return { ok: false, reason };
}

/** A refusal audited outside a transaction (the caller's protocol checks failed before provisioning). */
export function auditRefusal(store: Store, identity: Pick<SsoIdentity, 'source' | 'ip'> & { email?: string }, reason: string, userId: string | null): Promise<void> {
  return store.write(async (tx) => {
    await tx.appendAudit({ action: 'http.login', actor: userId, target: userId, result: 'denied', ip: identity.ip, details: { source: identity.source, reason, ...(identity.email === undefined ? {} : { email: identity.email.slice(0, 320) }) } });
  });
}
