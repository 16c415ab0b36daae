import type { Application } from '../../domain/application.js';
import type { ServiceAccount } from '../../domain/model.js';
import type { ResolvedAccount, SignedIn } from '../auth/account.js';
import type { Identity } from '../auth/identity.js';
import type { SignInResult } from '../auth/sign-in-result.js';
import { userThrottleKey } from '../auth/throttle-key.js';
import type { AppBindTarget } from '../view/index.js';

/** `pgdir_app_binds_total{outcome}` and the audit's reason (never shown to the client: all are 49). */
export type AppBindOutcome =
  | 'success'
  | 'invalid_credentials'
  | 'no_access'
  | 'unknown_app'
  | 'unknown_user'
  | 'source'
  | 'throttled'
  | 'inactive'
  | 'second_factor';

export interface AppBindEvent {
  /** Undefined for an app pgdir does not know (counted, never audited). */
  readonly app: Application | undefined;
  /** The application itself, or a user through its view. */
  readonly as: 'app' | 'user';
  /** User id when known. */
  readonly userId: string | undefined;
  readonly outcome: AppBindOutcome;
  readonly ip: string;
}

export interface AppBindRecorder {
  /** Counts the bind at once; its audit row follows within a second (app-bind-recorder.ts). */
  record(event: AppBindEvent): void;
  /** Writes the rows recorded so far; resolves once they are in the store. */
  flush(): Promise<void>;
  /** On shutdown, after the listeners closed: nothing recorded is lost. */
  close(): Promise<void>;
}

/**
 * An app's own secret is checked by the service-secret credential kind (same hashing, same CIDR
 * rule after the hash, auth/service-secret-credential.ts): the app is handed to it in that shape.
 */
const asServiceAccount = (app: Application): ServiceAccount => ({
  id: app.id,
  name: app.name,
  secretHash: app.secretHash,
  allowedCidrs: app.allowedCidrs,
  privileged: false,
  createdAt: app.createdAt,
});

/**
 * Step 2 of the sign-in pipeline for DNs under ou=apps. A user without access, an unknown user
 * and an unknown app all become the unknown account: the password kind then hashes against the
 * dummy, so the answer (49), its message (none) and its bcrypt work match a wrong password.
 */
export function resolveAppBindAccount(target: AppBindTarget, dn: string): ResolvedAccount & { readonly rdnCode: string | undefined } {
  const unknown = (throttleKey: string): ResolvedAccount & { rdnCode: undefined } => ({ account: { kind: 'unknown', login: undefined }, throttleKey, rdnCode: undefined });
  if (target.kind === 'app') {
    if (target.app === undefined) return unknown(dn.toLowerCase());
    return { account: { kind: 'service', dn: target.dn, account: asServiceAccount(target.app) }, throttleKey: `app:${target.app.id}`, rdnCode: undefined };
  }
  if (target.kind === 'nothing' || target.user === undefined) return unknown(dn.toLowerCase());
  const throttleKey = userThrottleKey(target.user.id);
  if (!target.allowed) return unknown(throttleKey);
  return { account: { kind: 'user', user: target.user, dn: target.globalDn }, throttleKey, rdnCode: target.totpToken };
}

export function appBindOutcome(target: AppBindTarget, result: SignInResult): AppBindOutcome {
  if (result.ok) return 'success';
  if (target.app === undefined) return 'unknown_app';
  if (result.reason === 'throttled') return 'throttled';
  if (target.kind === 'user' && target.user === undefined) return 'unknown_user';
  if (target.kind === 'nothing') return 'unknown_user';
  if (target.kind === 'user' && !target.allowed) return 'no_access';
  switch (result.reason) {
    case 'source':
    case 'inactive':
      return result.reason;
    case 'second_factor':
    case 'second_factor_missing':
      return 'second_factor';
    default:
      return 'invalid_credentials';
  }
}

/** Who a successful bind under ou=apps authenticates. */
export function appIdentity(target: AppBindTarget, signedIn: SignedIn): Identity | undefined {
  const { app } = target;
  if (app === undefined) return undefined;
  if (target.kind === 'app' && signedIn.kind === 'service') return { kind: 'app', dn: target.dn, id: app.id, name: app.name };
  if (target.kind === 'user' && signedIn.kind === 'user' && target.globalDn !== undefined && target.viewDn !== undefined) {
    return { kind: 'user', dn: target.globalDn, id: signedIn.user.id, app: { id: app.id, name: app.name, dn: target.viewDn } };
  }
  return undefined;
}
