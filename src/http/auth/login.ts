import { auditSignIn } from '../../directory/auth/api-tokens.js';
import type { AuthThrottle } from '../../directory/auth/auth-throttle.js';
import type { AutoCreator } from '../../directory/auth/auto-create-credential.js';
import { credentialKinds } from '../../directory/auth/credentials.js';
import type { ExternalPasswordVerifier } from '../../directory/auth/pass-through-credential.js';
import { resolveLoginAccount } from '../../directory/auth/resolve-login-account.js';
import type { TotpVerifier } from '../../directory/auth/second-factor.js';
import { createSignIn } from '../../directory/auth/sign-in.js';
import { temporaryCredential, type TemporaryCheck } from '../../directory/auth/temporary-credential.js';
import { passwordSignInDisabled, SIGN_IN_WITH_SSO } from '../../directory/sso/sso-only.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import { DirectoryError } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import type { ApiToken } from '../../store/api-token-store.js';
import type { Store } from '../../store/store.js';
import { hashBearerToken, newBearerToken } from './bearer-token.js';

export type { TotpVerifier } from '../../directory/auth/second-factor.js';

export interface LoginDeps {
  readonly store: Store;
  readonly hasher: PasswordHasher;
  readonly throttle: AuthThrottle;
  readonly sessionTtlMs: number;
  readonly external?: ExternalPasswordVerifier | undefined;
  /** The connector: an unknown identifier the external directory accepts is created (DESIGN §9). */
  readonly autoCreate?: AutoCreator | undefined;
  readonly totp?: TotpVerifier | undefined;
  /** Impersonation and owner-login passwords (they bypass 2FA; DESIGN §7). */
  readonly temporary?: { check(user: User, password: string, via: 'http', ip: string): Promise<string | undefined> } | undefined;
}

export interface LoginInput {
  readonly identifier: string;
  readonly password: string;
  readonly totpToken?: string | undefined;
}

export interface Session {
  readonly token: string;
  readonly expiresAt: Date;
  readonly user: User;
}

/** One message for every failure, so a response never tells whether an account exists. */
export const LOGIN_FAILED = 'invalid username, email or password';

const failed = (): DirectoryError => new DirectoryError('unauthenticated', LOGIN_FAILED);

/** Issues a login session for `user` (also after a password change, for the new session). */
export async function issueSession(store: Store, user: User, ttlMs: number): Promise<Session & { record: ApiToken }> {
  const token = newBearerToken();
  const expiresAt = new Date(Date.now() + ttlMs);
  const record = await store.apiTokens.insert({ userId: user.id, kind: 'session', scope: 'readwrite', tokenHash: hashBearerToken(token), expiresAt });
  return { token, expiresAt, user, record };
}

/**
 * `POST /api/v1/auth/login` (DESIGN §8): the HTTP door to the credentials pipeline
 * (directory/auth/sign-in.ts). Failures are counted in the same throttle as LDAP binds, under the
 * same account key; every failure answers the same 401 and is audited with its reason. The
 * password was right when a code is asked for, so the two-factor messages reveal nothing new.
 */
export async function login(deps: LoginDeps, input: LoginInput, ip: string): Promise<Session> {
  const { store } = deps;
  const ssoOnly = await passwordSignInDisabled(store);
  const signIn = createSignIn({
    throttle: deps.throttle,
    hasher: deps.hasher,
    credentials: ssoOnly ? ownerRecoveryOnly(deps.temporary) : credentialKinds({ external: deps.external, autoCreate: deps.autoCreate, temporary: deps.temporary }),
    totp: deps.totp,
  });
  const result = await signIn({
    via: 'http',
    ip,
    resolve: () => resolveLoginAccount(store, input.identifier),
    secret: input.password,
    secondFactor: { code: input.totpToken, suffix: false, required: async () => true, missingCounts: false },
  });
  if (!result.ok) {
    if (result.reason === 'second_factor_missing') {
      throw new DirectoryError('unauthenticated', 'this account needs a two-factor code: send totpToken', { field: 'totpToken' });
    }
    if (result.reason === 'second_factor') {
      throw new DirectoryError('unauthenticated', 'the two-factor code is wrong or was already used', { field: 'totpToken' });
    }
    const user = result.user?.id ?? null;
    await auditSignIn(store, { actor: user, target: user, result: 'failed', ip, details: { reason: ssoOnly ? 'sso_only' : result.reason, ...(ssoOnly ? { checked: result.reason } : {}) } });
    // The same answer for every identifier, so it tells nothing about accounts (issue 14).
    if (ssoOnly) throw new DirectoryError('forbidden', SIGN_IN_WITH_SSO);
    throw failed();
  }
  if (result.signedIn.kind !== 'user') throw failed(); // only users have logins
  const { user } = result.signedIn;
  const session = await issueSession(store, user, deps.sessionTtlMs);
  await auditSignIn(store, { actor: user.id, target: user.id, result: 'ok', ip, details: {} });
  return session;
}

/**
 * While SAML is on (issue 14) people's passwords do not sign in; only the owner's one-time recovery
 * password from `pgdir owner-login` does (how an admin repairs a broken IdP set-up). Impersonation
 * passwords stand in for a person's password, so they are off too.
 */
function ownerRecoveryOnly(temporary: TemporaryCheck | undefined) {
  if (temporary === undefined) return [];
  const ownerLogin: TemporaryCheck = {
    check: async (user, password, via, ip) => (user.role === 'owner' && (await temporary.check(user, password, via, ip)) === 'owner_login' ? 'owner_login' : undefined),
  };
  return [temporaryCredential(ownerLogin)];
}
