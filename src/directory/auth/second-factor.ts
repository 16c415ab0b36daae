import type { User } from '../../domain/model.js';
import type { MaybeAsync } from '../../domain/maybe-async.js';
import type { SignedIn } from './account.js';
import type { FailureReason } from './sign-in-result.js';

/** Verifies a TOTP code of a user with 2FA (RFC 6238; lifecycle/two-factor-service.ts), once per code. */
export interface TotpVerifier {
  verify(user: User, code: string): Promise<boolean>;
}

/** How a door asks for the second factor (DESIGN §4). */
export interface SecondFactorPolicy {
  /** The code sent beside the password: LDAP's `+totpToken=` RDN value, the API's `totpToken`. */
  readonly code: string | undefined;
  /** `ldap.totp_suffix`: an enrolled user may append the 6-digit code to the password. */
  readonly suffix: boolean;
  /** Whether an enrolled user without a code fails: the `ldap_totp` setting over LDAP; always over the API. */
  required(): Promise<boolean>;
  /**
   * Whether a missing code counts as a failed attempt. LDAP: yes, the client sees the same 49. API:
   * no, the password was right and the client is asked for the code.
   */
  readonly missingCounts: boolean;
}

const SUFFIXED = /^(.+)(\d{6})$/s;

/**
 * The secrets to try, in order, each with its code: with `suffix`, an enrolled user's password may
 * carry the code in its last six digits (tried first), else the password as given.
 */
export function secretCandidates(user: User | undefined, secret: string, policy: SecondFactorPolicy): { secret: string; code: string | undefined }[] {
  const split = user?.totpEnabled === true && policy.code === undefined && policy.suffix ? SUFFIXED.exec(secret) : null;
  const whole = { secret, code: policy.code };
  return split === null ? [whole] : [{ secret: split[1] ?? '', code: split[2] ?? '' }, whole];
}

/**
 * Step 4: the second factor of an enrolled user, unless the credential stands in for it. A code
 * that is given must be right even where none is required. Undefined: passed (synchronously when
 * there is nothing to check: the admin, service accounts, users without 2FA).
 */
export function checkSecondFactor(
  signedIn: SignedIn,
  bypass: boolean,
  code: string | undefined,
  policy: SecondFactorPolicy,
  totp: TotpVerifier | undefined,
): MaybeAsync<FailureReason | undefined> {
  if (signedIn.kind !== 'user' || bypass || !signedIn.user.totpEnabled) return undefined;
  return enrolledSecondFactor(signedIn.user, code, policy, totp);
}

async function enrolledSecondFactor(user: User, code: string | undefined, policy: SecondFactorPolicy, totp: TotpVerifier | undefined): Promise<FailureReason | undefined> {
  if (code === undefined || code === '') return (await policy.required()) ? 'second_factor_missing' : undefined;
  return totp !== undefined && (await totp.verify(user, code)) ? undefined : 'second_factor';
}
