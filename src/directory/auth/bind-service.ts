import { DirectoryError } from '../../domain/errors.js';
import { ResultCode } from '../../domain/result-code.js';
import type { AdminSecret } from './admin-secret.js';
import type { SignedIn } from './account.js';
import type { AppPasswordCheck } from './app-password-credential.js';
import type { AutoCreator } from './auto-create-credential.js';
import { credentialKinds } from './credentials.js';
import type { ExternalPasswordVerifier } from './pass-through-credential.js';
import { resolveBindAccount } from './resolve-bind-account.js';
import { createSignIn } from './sign-in.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { Identity } from './identity.js';
import type { LifecycleService } from '../lifecycle/lifecycle-service.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { AppBindTarget, DirectoryView } from '../view/index.js';
import { andThen, type MaybeAsync } from '../../domain/maybe-async.js';
import type { SignInResult } from './sign-in-result.js';
import { userDn } from '../view/dit.js';
import { appBindOutcome, appIdentity, resolveAppBindAccount, type AppBindRecorder } from '../apps/app-bind.js';

export type { AutoCreator } from './auto-create-credential.js';
export type { ExternalPasswordVerifier } from './pass-through-credential.js';

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
  /** Audit and metrics of binds under ou=apps (issue 16); none when absent. */
  readonly appBinds?: AppBindRecorder | undefined;
  /** App passwords (issue 14): looked up in the store on each bind, so a revocation counts at once everywhere. */
  readonly appPasswords?: AppPasswordCheck | undefined;
}

export interface BindService {
  /**
   * Checks a simple bind's DN and password (DESIGN §4) and returns who it authenticates. Every
   * failure (unknown DN, wrong secret, inactive user, throttled source, a service account outside
   * its allowed CIDRs, an auto-create the source refuses) throws the same 49 with an empty message
   * after the same hashing work, so nobody learns which accounts exist. An external directory that
   * cannot answer (mirrored users, auto-create; DESIGN §9) throws 52 unavailable instead; too many
   * attempts in progress from this source (or overall) throw 51 busy. `urgent`: the connection
   * signed in before — its binds are never refused busy and are hashed first.
   */
  authenticate(dn: string, password: Buffer, ip: string, options?: { readonly urgent?: boolean }): Promise<Identity>;
  /**
   * `authenticate` for the LDAP bind operation: the identity itself when no step had to wait (an
   * admin bind from a source that signed in before), else a promise. Its errors are thrown or
   * rejected: the caller handles both.
   */
  check(dn: string, password: Buffer, ip: string, options?: { readonly urgent?: boolean }): MaybeAsync<Identity>;
}

const failure = (): DirectoryError => new DirectoryError('unauthenticated', '', { resultCode: ResultCode.invalidCredentials });

/**
 * The answer to a throttled source is the same 49 as any failure; only the metrics (never the
 * client) learn it was the throttle, from this marker.
 */
export class ThrottledBindFailure extends DirectoryError {
  constructor() {
    super('unauthenticated', '', { resultCode: ResultCode.invalidCredentials });
  }
}

/** Printable ASCII without `\` or `#`: no escaped or hex-encoded value, so what is written is what is compared. */
const PLAIN_ASCII = /^[ -"$-[\]-~]*$/;

/**
 * Whether a bind DN can name something under `ou=apps` (its resolution parses and normalises the
 * DN, a cost the admin's binds should not pay): a plain-ASCII DN can only if it spells `apps`.
 */
function mayBeAppDn(dn: string): boolean {
  return /apps/i.test(dn) || !PLAIN_ASCII.test(dn);
}

/** The LDAP door to the credentials pipeline (auth/sign-in.ts). */
export function createBindService(deps: BindServiceDeps): BindService {
  const { view, lifecycle } = deps;
  const signIn = createSignIn({
    throttle: deps.throttle,
    hasher: deps.hasher,
    credentials: credentialKinds({ adminSecret: deps.adminSecret, external: deps.external, temporary: lifecycle?.temporary, autoCreate: deps.autoCreate, appPasswords: deps.appPasswords }),
    totp: lifecycle?.twoFactor,
  });

  const twoFactor = lifecycle?.twoFactor;
  // Without the lifecycle services nobody is treated as enrolled (codes are ignored).
  const suffix = twoFactor !== undefined && deps.totpSuffix === true;
  const required = async (): Promise<boolean> => twoFactor !== undefined && (await twoFactor.ldapRequired());

  const check: BindService['check'] = (dn, password, ip, options = {}) => {
    // DNs under ou=apps (issue 16): the app itself, or a user through the app's view.
    const appTarget = mayBeAppDn(dn) ? view.resolveAppBind(dn) : undefined;
    const resolved = appTarget === undefined ? resolveBindAccount(view, dn) : resolveAppBindAccount(appTarget, dn);
    const result = signIn({
      via: 'ldap',
      ip,
      resolve: () => resolved, // the in-memory view: no database work to protect
      secret: password.toString('utf8'),
      secondFactor: { code: twoFactor === undefined ? undefined : resolved.rdnCode, suffix, required, missingCounts: true },
      urgent: options.urgent === true,
    });
    return andThen(result, (done) => answer(deps, done, appTarget, ip));
  };

  return {
    check,
    async authenticate(dn, password, ip, options) {
      return check(dn, password, ip, options);
    },
  };
}

/** The identity a sign-in's result gives, or the uniform failure (an app bind is recorded first). */
function answer(deps: BindServiceDeps, result: SignInResult, appTarget: AppBindTarget | undefined, ip: string): MaybeAsync<Identity> {
  if (appTarget !== undefined) {
    const identity = result.ok ? appIdentity(appTarget, result.signedIn) : undefined;
    const outcome = result.ok && identity === undefined ? 'invalid_credentials' : appBindOutcome(appTarget, result);
    const userId = appTarget.kind === 'user' ? appTarget.user?.id : undefined;
    deps.appBinds?.record({ app: appTarget.app, as: appTarget.kind === 'app' ? 'app' : 'user', userId, outcome, ip });
    if (identity !== undefined) return identity;
    if (result.ok) throw failure();
  }
  if (result.ok) return identityOf(deps.view, result.signedIn);
  throw result.reason === 'throttled' ? new ThrottledBindFailure() : failure();
}

/** DESIGN §9: an auto-created user is caught up first, so this connection's next search lists it. */
function identityOf(view: DirectoryView, signedIn: SignedIn): MaybeAsync<Identity> {
  if (signedIn.kind === 'admin') return { kind: 'admin', dn: signedIn.dn };
  if (signedIn.kind === 'service') {
    const { account } = signedIn;
    return { kind: 'service', dn: signedIn.dn, id: account.id, name: account.name, privileged: account.privileged };
  }
  const { id } = signedIn.user;
  if (signedIn.dn !== undefined) return { kind: 'user', dn: signedIn.dn, id };
  return view.catchUp().then(() => ({ kind: 'user', dn: view.findEntry(userDn(view.dit, id))?.dn ?? userDn(view.dit, id), id }));
}
