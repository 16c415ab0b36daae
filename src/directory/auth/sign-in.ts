import type { AuthThrottle, Attempt } from './auth-throttle.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { Account, ResolvedAccount } from './account.js';
import type { CredentialContext, CredentialKind, Verdict } from './credential.js';
import { checkSecondFactor, secretCandidates, type SecondFactorPolicy, type TotpVerifier } from './second-factor.js';
import type { FailureReason, SignInResult } from './sign-in-result.js';

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
  resolve(): Promise<ResolvedAccount>;
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
 * are not counted.
 */
export function createSignIn(deps: SignInDeps): (request: SignInRequest) => Promise<SignInResult> {
  return async (request) => {
    const { throttle } = deps;
    const attempt = throttle.begin(request.ip, { urgent: request.urgent === true });
    try {
      const resolved = await request.resolve();
      const blocked = await attempt.check(resolved.throttleKey);
      const result = blocked ? await refused(attempt, resolved) : await checked(deps, request, resolved, attempt);
      if (result.ok) await throttle.succeeded(attempt);
      else if (result.reason === 'second_factor_missing' && !request.secondFactor.missingCounts) await throttle.abandoned(attempt);
      else if (result.reason !== 'throttled') await throttle.failed(attempt);
      return result;
    } catch (err) {
      await throttle.abandoned(attempt);
      throw err;
    } finally {
      attempt.end();
    }
  };
}

/** A throttled attempt answers after about the time a check takes, without hashing (issue 20, defect 5). */
async function refused(attempt: Attempt, { account }: ResolvedAccount): Promise<SignInResult> {
  await attempt.stall();
  return { ok: false, reason: 'throttled', user: account.kind === 'user' ? account.user : undefined };
}

async function checked(deps: SignInDeps, request: SignInRequest, resolved: ResolvedAccount, attempt: Attempt): Promise<SignInResult> {
  const { account } = resolved;
  const user = account.kind === 'user' ? account.user : undefined;
  const context: CredentialContext = {
    via: request.via,
    ip: request.ip,
    hasher: { verify: (password, encoded) => attempt.hash(() => deps.hasher.verify(password, encoded)) },
  };
  for (const candidate of secretCandidates(user, request.secret, request.secondFactor)) {
    const verdict = await firstVerdict(deps.credentials, account, candidate.secret, context);
    if (verdict === undefined) continue;
    if ('refused' in verdict) return { ok: false, reason: verdict.refused, user };
    const { signedIn } = verdict;
    const signedUser = signedIn.kind === 'user' ? signedIn.user : undefined;
    if (signedUser !== undefined && !signedUser.active) return { ok: false, reason: 'inactive', user: signedUser };
    const second = await checkSecondFactor(signedIn, verdict.bypassSecondFactor, candidate.code, request.secondFactor, deps.totp);
    return second === undefined ? { ok: true, signedIn, credential: verdict.credential } : { ok: false, reason: second, user: signedUser };
  }
  return { ok: false, reason: account.kind === 'unknown' ? 'unknown' : 'password', user };
}

async function firstVerdict(
  kinds: readonly CredentialKind[],
  account: Account,
  secret: string,
  context: CredentialContext,
): Promise<Verdict | { readonly refused: FailureReason } | undefined> {
  for (const kind of kinds) {
    const verdict = await kind.check(account, secret, context);
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}
