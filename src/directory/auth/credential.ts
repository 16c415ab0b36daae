import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { MaybeAsync } from '../../domain/maybe-async.js';
import type { Account, SignedIn } from './account.js';
import type { FailureReason } from './sign-in-result.js';

/** What a credential check may use besides the account and the secret. */
export interface CredentialContext {
  readonly via: 'ldap' | 'http';
  readonly ip: string;
  /** bcrypt for this attempt, in its fair turn (auth/hash-gate.ts): use it for every hash of a sign-in. */
  readonly hasher: Pick<PasswordHasher, 'verify'>;
}

/** A credential that proved the account. */
export interface Verdict {
  readonly signedIn: SignedIn;
  /** The credential kind's name (audit, metrics). */
  readonly credential: string;
  /** Server-made passwords (impersonation, owner one-time) stand in for the second factor too (DESIGN §7). */
  readonly bypassSecondFactor: boolean;
}

/**
 * One kind of credential (step 3 of the pipeline): the account's password, a temporary password,
 * the external directory's password, … Answers a Verdict when the secret proves the account,
 * `{ refused }` to stop the chain with that reason, or undefined when it does not apply or does not
 * match (the next kind is tried). Adding a kind of credential is one new file implementing this,
 * added to the list the door builds (credentials.ts). A kind that can answer without waiting may
 * return its answer directly (the pipeline then stays synchronous, sign-in.ts).
 */
export interface CredentialKind {
  readonly name: string;
  check(account: Account, secret: string, context: CredentialContext): MaybeAsync<Verdict | { readonly refused: FailureReason } | undefined>;
}
