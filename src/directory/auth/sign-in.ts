import type { AuthThrottle, Attempt } from './auth-throttle.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { Account, ResolvedAccount } from './account.js';
import type { CredentialContext, CredentialKind, Verdict } from './credential.js';
import { checkSecondFactor, secretCandidates, type SecondFactorPolicy, type TotpVerifier } from './second-factor.js';
import type { FailureReason, SignInResult } from './sign-in-result.js';
import { andThen, type MaybeAsync } from '../../domain/maybe-async.js';
import type { User } from '../../domain/model.js';

export interface SignInDeps {
  /** The process's one throttle (created in the composition root, shared by every door). */
  readonly throttle: AuthThrottle;
  readonly hasher: PasswordHasher;
  /** credentials.ts builds the list. */
  readonly credentials: readonly CredentialKind[];
  readonly totp?: TotpVerifier | undefined;
}

export interface SignInRequest {
  readonly via: 'ldap' | 'http';
  readonly ip: string;
  /** Step 2, the door's: resolve-bind-account.ts or resolve-login-account.ts (run after step 1 admitted the attempt). */
  resolve(): MaybeAsync<ResolvedAccount>;
  readonly secret: string;
  readonly secondFactor: SecondFactorPolicy;
  /** A bind on an LDAP connection that signed in before: never refused busy, hashed first. */
  readonly urgent?: boolean;
}

/**
 * The one credentials pipeline every sign-in runs (issue 11): LDAP simple binds (bind-service.ts),
 * API logins (http/auth/login.ts) and later pages, SAML, OIDC and app passwords.
 *
 * 1. throttle: a place in the bounded hashing queues (`busy` when full, before any other work);
 * 2. the account, resolved by the door, then the brute-force check for it (equal work for
 *    unknown names: the password kind hashes against a dummy);
 * 3. the credential kinds in order (credentials.ts), the first that proves the account wins;
 * 4. the second factor (second-factor.ts);
 * 5. the result, with the reason of a failure for the audit log and the metrics only.
 *
 * Throws only `busy` and what a source that cannot answer throws (`unavailable`): those attempts
 * are not counted. The steps run synchronously for as long as each answers at once (issue 18: an
 * admin bind from a trusted source is the hot path of most applications, and a promise and a
 * microtask per step were a fifth of its directory work); the result is then a value, else a
 * promise. `busy` is thrown synchronously; any later error comes as a rejected promise.
 */
export function createSignIn(deps: SignInDeps): (request: SignInRequest) => MaybeAsync<SignInResult> {
  return (request) => {
    const { throttle } = deps;
    const attempt = throttle.begin(request.ip, { urgent: request.urgent === true });
    let result: MaybeAsync<SignInResult>;
    try {
      result = andThen(request.resolve(), (resolved) =>
        andThen(attempt.check(resolved.throttleKey), (blocked) => (blocked ? refused(attempt, resolved) : checked(deps, request, resolved, attempt))),
      );
      result = andThen(result, (done) => andThen(counted(throttle, attempt, request, done), () => done));
    } catch (err) {
      return abandoned(throttle, attempt, err);
    }
    if (!(result instanceof Promise)) {
      attempt.end();
      return result;
    }
    return result.then(
      (done) => {
        attempt.end();
        return done;
      },
      (err: unknown) => abandoned(throttle, attempt, err),
    );
  };
}

/** Step 5 for the throttle: a success forgets the failures, a failure counts, a missing code over the API does not. */
function counted(throttle: AuthThrottle, attempt: Attempt, request: SignInRequest, result: SignInResult): MaybeAsync<void> {
  if (result.ok) return throttle.succeeded(attempt);
  if (result.reason === 'second_factor_missing' && !request.secondFactor.missingCounts) return throttle.abandoned(attempt);
  if (result.reason !== 'throttled') return throttle.failed(attempt);
  return undefined;
}

/** A step threw (busy, a source that cannot answer): the attempt is not counted and the error goes on. */
async function abandoned(throttle: AuthThrottle, attempt: Attempt, err: unknown): Promise<never> {
  try {
    await throttle.abandoned(attempt);
    throw err;
  } finally {
    attempt.end();
  }
}

/** A throttled attempt answers after about the time a check takes, without hashing (issue 20, defect 5). */
async function refused(attempt: Attempt, { account }: ResolvedAccount): Promise<SignInResult> {
  await attempt.stall();
  return { ok: false, reason: 'throttled', user: account.kind === 'user' ? account.user : undefined };
}

type Refusal = { readonly refused: FailureReason };

function checked(deps: SignInDeps, request: SignInRequest, resolved: ResolvedAccount, attempt: Attempt): MaybeAsync<SignInResult> {
  const { account } = resolved;
  const user = account.kind === 'user' ? account.user : undefined;
  const context: CredentialContext = {
    via: request.via,
    ip: request.ip,
    hasher: { verify: (password, encoded) => attempt.hash(() => deps.hasher.verify(password, encoded)) },
  };
  const candidates = secretCandidates(user, request.secret, request.secondFactor);
  const from = (index: number): MaybeAsync<SignInResult> => {
    const candidate = candidates[index];
    if (candidate === undefined) return { ok: false, reason: account.kind === 'unknown' ? 'unknown' : 'password', user };
    return andThen(firstVerdict(deps.credentials, 0, account, candidate.secret, context), (verdict) =>
      verdict === undefined ? from(index + 1) : concluded(deps, request, verdict, candidate.code, user),
    );
  };
  return from(0);
}

/** Step 3's verdict, then step 4: the second factor. */
function concluded(deps: SignInDeps, request: SignInRequest, verdict: Verdict | Refusal, code: string | undefined, user: User | undefined): MaybeAsync<SignInResult> {
  if ('refused' in verdict) return { ok: false, reason: verdict.refused, user };
  const { signedIn } = verdict;
  const signedUser = signedIn.kind === 'user' ? signedIn.user : undefined;
  if (signedUser !== undefined && !signedUser.active) return { ok: false, reason: 'inactive', user: signedUser };
  return andThen(checkSecondFactor(signedIn, verdict.bypassSecondFactor, code, request.secondFactor, deps.totp), (second): SignInResult =>
    second === undefined ? { ok: true, signedIn, credential: verdict.credential } : { ok: false, reason: second, user: signedUser },
  );
}

/** The first kind from `from` on that gives a verdict (or a refusal); undefined when none does. */
function firstVerdict(
  kinds: readonly CredentialKind[],
  from: number,
  account: Account,
  secret: string,
  context: CredentialContext,
): MaybeAsync<Verdict | Refusal | undefined> {
  for (let i = from; i < kinds.length; i++) {
    const verdict = (kinds[i] as CredentialKind).check(account, secret, context);
    if (verdict instanceof Promise) return verdict.then((v) => (v !== undefined ? v : firstVerdict(kinds, i + 1, account, secret, context)));
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}
