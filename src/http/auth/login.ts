import type { AuthThrottle } from '../../directory/auth-throttle.js';
import type { AutoCreator, ExternalPasswordVerifier } from '../../directory/bind-service.js';
import type { PasswordHasher } from '../../directory/password-hasher.js';
import { loginThrottleKey, userThrottleKey } from '../../directory/throttle-key.js';
import { DirectoryError } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import type { ApiToken } from '../../store/api-token-store.js';
import type { Store } from '../../store/store.js';
import { hashBearerToken, newBearerToken } from './bearer-token.js';

/** Verifies a TOTP code of a user with 2FA (RFC 6238); the enrolment issue plugs it in. */
export interface TotpVerifier {
  verify(user: User, code: string): Promise<boolean>;
}

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

async function findUser(store: Store, identifier: string): Promise<User | undefined> {
  const key = identifier.trim().toLowerCase();
  if (key === '') return undefined;
  return key.includes('@') ? store.findUserByEmail(key) : store.findUserByUsername(key);
}

/** Issues a login session for `user` (also after a password change, for the new session). */
export async function issueSession(store: Store, user: User, ttlMs: number): Promise<Session & { record: ApiToken }> {
  const token = newBearerToken();
  const expiresAt = new Date(Date.now() + ttlMs);
  const record = await store.apiTokens.insert({ userId: user.id, kind: 'session', scope: 'readwrite', tokenHash: hashBearerToken(token), expiresAt });
  return { token, expiresAt, user, record };
}

/**
 * `POST /api/v1/auth/login` (DESIGN §8). Failures are counted in the same throttle as LDAP binds,
 * under the same account key (throttle-key.ts, DESIGN §4); an unknown or throttled account still
 * costs one bcrypt verify, and an inactive user fails only after the password check, like a wrong
 * password. An unknown identifier may be auto-created from the external directory (DESIGN §9).
 */
export async function login(deps: LoginDeps, input: LoginInput, ip: string): Promise<Session> {
  const { store, hasher, throttle } = deps;
  const found = await findUser(store, input.identifier);
  const account = found === undefined ? loginThrottleKey(input.identifier) : userThrottleKey(found.id);
  let user = found;
  const audit = (result: 'ok' | 'failed', reason?: string) =>
    store.write((tx) =>
      tx.appendAudit({ actor: user?.id ?? null, action: 'http.login', target: user?.id ?? null, result, ip, details: reason === undefined ? {} : { reason } }),
    );
  const { blocked, failures } = await throttle.check(ip, account);
  if (blocked) {
    await hasher.verify(input.password, undefined);
    await audit('failed', 'throttled');
    throw failed();
  }
  const own =
    user?.source === 'ldap' && deps.external !== undefined
      ? await deps.external.verify(user, input.password)
      : await hasher.verify(input.password, user?.passwordHash);
  const temporary = own || user === undefined || !user.active ? undefined : await deps.temporary?.check(user, input.password, 'http', ip);
  if (user === undefined) user = await autoCreated(deps, input);
  const ok = own || temporary !== undefined || (found === undefined && user !== undefined);
  if (!ok || user === undefined || !user.active) {
    await throttle.failed(ip, account);
    await audit('failed', user === undefined ? 'unknown' : ok ? 'inactive' : 'password');
    throw failed();
  }
  if (temporary === undefined) await checkTotp(deps, user, input.totpToken, ip, account);
  await throttle.succeeded(ip, account, failures);
  const session = await issueSession(store, user, deps.sessionTtlMs);
  await audit('ok');
  return session;
}

/** The user auto-create made for an unknown identifier, or undefined for any refusal. */
async function autoCreated(deps: LoginDeps, input: LoginInput): Promise<User | undefined> {
  if (deps.autoCreate === undefined || input.identifier.trim() === '') return undefined;
  const outcome = await deps.autoCreate.autoCreate(input.identifier, input.password);
  return 'created' in outcome ? outcome.created : undefined;
}

async function checkTotp(deps: LoginDeps, user: User, code: string | undefined, ip: string, account: string): Promise<void> {
  if (!user.totpEnabled) return;
  // The password was right, so saying that a code is needed reveals nothing new.
  if (code === undefined || code === '') {
    throw new DirectoryError('unauthenticated', 'this account needs a two-factor code: send totpToken', { field: 'totpToken' });
  }
  if (deps.totp === undefined || !(await deps.totp.verify(user, code))) {
    await deps.throttle.failed(ip, account);
    throw new DirectoryError('unauthenticated', 'the two-factor code is wrong or was already used', { field: 'totpToken' });
  }
}
