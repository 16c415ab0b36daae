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

/**
 * Checks the password of a user mirrored from an external directory against that directory
 * (DESIGN §9). Resolves false for wrong credentials; throws DirectoryError('unavailable') when the
 * source cannot be reached, which binds answer with 52 — never a false success.
 */
export interface ExternalPasswordVerifier {
  verify(user: User, password: string): Promise<boolean>;
}

export interface BindServiceDeps {
  readonly view: DirectoryView;
  /** Set when the connector is configured; users with source `ldap` are checked through it. */
  readonly external?: ExternalPasswordVerifier;
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
   * failure (unknown DN, wrong secret, inactive user, throttled source) throws the same 49 with an
   * empty message after the same hashing work, so nobody learns which accounts exist.
   */
  authenticate(dn: string, password: Buffer, ip: string): Promise<Identity>;
}

const failure = (): DirectoryError =>
  new DirectoryError('unauthenticated', '', { resultCode: ResultCode.invalidCredentials });

export function createBindService(deps: BindServiceDeps): BindService {
  const { view, hasher, adminSecret, throttle } = deps;

  async function check(dn: string, password: Buffer, ip: string): Promise<Identity | undefined> {
    const target = view.resolveBind(dn);
    if (target?.kind === 'admin') {
      return (await adminSecret.verify(password)) ? { kind: 'admin', dn: target.entry.dn } : undefined;
    }
    const text = password.toString('utf8');
    if (target?.kind === 'service') {
      const ok = await hasher.verify(text, target.account.secretHash);
      const { account } = target;
      return ok
        ? { kind: 'service', dn: target.entry.dn, id: account.id, name: account.name, privileged: account.privileged }
        : undefined;
    }
    // Unknown DNs run the same bcrypt verify against a dummy hash (hasher.verify(…, undefined)).
    const user = target?.kind === 'user' ? target.user : undefined;
    const ok = await userPasswordCheck(deps, user, text, target?.kind === 'user' ? target.totpToken : undefined, ip);
    return ok && user !== undefined && target?.kind === 'user' ? { kind: 'user', dn: target.entry.dn, id: user.id } : undefined;
  }

  return {
    async authenticate(dn, password, ip) {
      const account = view.findEntry(dn)?.normDn ?? dn.toLowerCase();
      const { blocked, failures } = await throttle.check(ip, account);
      if (blocked) {
        await hasher.verify(password.toString('utf8'), undefined);
        throw failure();
      }
      const identity = await check(dn, password, ip);
      if (identity === undefined) {
        await throttle.failed(ip, account);
        throw failure();
      }
      await throttle.succeeded(ip, account, failures);
      return identity;
    },
  };
}
