import { DirectoryError } from '../domain/errors.js';
import { ResultCode } from '../domain/result-code.js';
import type { User } from '../domain/model.js';
import type { AdminSecret } from './admin-secret.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { Identity } from './identity.js';
import type { PasswordHasher } from './password-hasher.js';
import type { DirectoryView } from './view/index.js';
import type { LifecycleService } from './lifecycle/lifecycle-service.js';
import { userPasswordCheck } from './lifecycle/bind-second-factor.js';
import { loginOfUserDn } from './bind-login.js';
import { serviceAccountAllows } from './service-account-source.js';
import { loginThrottleKey, userThrottleKey } from './throttle-key.js';
import { userDn } from './view/dit.js';
import type { BindTarget } from './view/index.js';

/**
 * Checks the password of a user mirrored from an external directory against that directory
 * (DESIGN §9). Resolves false for wrong credentials; throws DirectoryError('unavailable') when the
 * source cannot be reached, which binds answer with 52 — never a false success.
 */
export interface ExternalPasswordVerifier {
  verify(user: User, password: string): Promise<boolean>;
}

/**
 * Auto-create on login (DESIGN §9; the connector implements it): a login name pgdir does not know,
 * whose password the external directory accepts, becomes a mirrored user. `{ refused }` for every
 * "no"; throws DirectoryError('unavailable') when the source cannot answer (LDAP 52, HTTP 503).
 */
export interface AutoCreator {
  autoCreate(login: string, password: string): Promise<{ readonly created: User } | { readonly refused: string }>;
}

export interface BindServiceDeps {
  readonly view: DirectoryView;
  /** Set when the connector is configured; users with source `ldap` are checked through it. */
  readonly external?: ExternalPasswordVerifier | undefined;
  /** Set when the daemon runs the connector; it refuses unless `connector.auto_create` is on. */
  readonly autoCreate?: AutoCreator | undefined;
  readonly hasher: PasswordHasher;
  readonly adminSecret: AdminSecret;
  readonly throttle: AuthThrottle;
  /** Two-factor codes and temporary passwords of users (DESIGN §4, §7). */
  readonly lifecycle?: Pick<LifecycleService, 'twoFactor' | 'temporary'>;
  /** `ldap.totp_suffix`: an enrolled user may append the 6-digit code to the password. */
  readonly totpSuffix?: boolean;
}

export interface BindLogger {
  info(obj: object, msg?: string): void;
}

export interface BindService {
  /**
   * Checks a simple bind's DN and password (DESIGN §4) and returns who it authenticates. Every
   * failure (unknown DN, wrong secret, inactive user, throttled source, a service account outside
   * its allowed CIDRs, an auto-create the source refuses) throws the same 49 with an empty message
   * after the same hashing work, so nobody learns which accounts exist. An external directory that
   * cannot answer (mirrored users, auto-create; DESIGN §9) throws 52 unavailable instead.
   */
  authenticate(dn: string, password: Buffer, ip: string): Promise<Identity>;
}

const failure = (): DirectoryError =>
  new DirectoryError('unauthenticated', '', { resultCode: ResultCode.invalidCredentials });

/**
 * The answer to a throttled source is the same 49 as any failure; only the metrics (never the
 * client) learn it was the throttle, from this marker.
 */
export class ThrottledBindFailure extends DirectoryError {
  constructor() {
    super('unauthenticated', '', { resultCode: ResultCode.invalidCredentials });
  }
}

/** The throttle's account key: one per account, shared with API logins (throttle-key.ts). */
function throttleAccount(target: BindTarget | undefined, login: string | undefined, dn: string): string {
  if (target?.kind === 'user') return userThrottleKey(target.user.id);
  if (target !== undefined) return target.entry.normDn;
  return login === undefined ? dn.toLowerCase() : loginThrottleKey(login);
}

export function createBindService(deps: BindServiceDeps): BindService {
  const { view, hasher, adminSecret, throttle } = deps;

  async function check(target: BindTarget | undefined, password: Buffer, ip: string): Promise<Identity | undefined> {
    if (target?.kind === 'admin') {
      return (await adminSecret.verify(password)) ? { kind: 'admin', dn: target.entry.dn } : undefined;
    }
    const text = password.toString('utf8');
    if (target?.kind === 'service') {
      const { account } = target;
      const ok = await hasher.verify(text, account.secretHash);
      // The source is checked after the hash, so a bind from outside costs the same work.
      return ok && serviceAccountAllows(account, ip)
        ? { kind: 'service', dn: target.entry.dn, id: account.id, name: account.name, privileged: account.privileged }
        : undefined;
    }
    // Unknown DNs run the same bcrypt verify against a dummy hash (hasher.verify(…, undefined)).
    const user = target?.kind === 'user' ? target.user : undefined;
    const ok = await userPasswordCheck(deps, user, text, target?.kind === 'user' ? target.totpToken : undefined, ip);
    return ok && user !== undefined && target?.kind === 'user' ? { kind: 'user', dn: target.entry.dn, id: user.id } : undefined;
  }

  /** DESIGN §9: an unknown login the source accepts is created, then bound as its new entry. */
  async function autoCreated(login: string | undefined, password: Buffer): Promise<Identity | undefined> {
    if (login === undefined || login.startsWith('uid-') || deps.autoCreate === undefined) return undefined;
    const outcome = await deps.autoCreate.autoCreate(login, password.toString('utf8'));
    if (!('created' in outcome)) return undefined;
    const { id } = outcome.created;
    // Caught up, the new user is listed to this connection's very next search.
    await view.catchUp();
    return { kind: 'user', dn: view.findEntry(userDn(view.dit, id))?.dn ?? userDn(view.dit, id), id };
  }

  return {
    async authenticate(dn, password, ip) {
      const target = view.resolveBind(dn);
      const login = target === undefined ? loginOfUserDn(view.dit, dn) : undefined;
      const account = throttleAccount(target, login, dn);
      const { blocked, failures } = await throttle.check(ip, account);
      if (blocked) {
        await hasher.verify(password.toString('utf8'), undefined);
        throw new ThrottledBindFailure();
      }
      const identity = (await check(target, password, ip)) ?? (target === undefined ? await autoCreated(login, password) : undefined);
      if (identity === undefined) {
        await throttle.failed(ip, account);
        throw failure();
      }
      await throttle.succeeded(ip, account, failures);
      return identity;
    },
  };
}
