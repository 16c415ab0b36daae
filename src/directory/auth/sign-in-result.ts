import type { User } from '../../domain/model.js';
import type { SignedIn } from './account.js';

/**
 * Why a sign-in failed: kept for the audit log and the metrics, never shown to the client (every
 * failure answers the same 49 or 401, DESIGN §4).
 */
export type FailureReason =
  | 'throttled' // over auth_throttle.max_failures for this (source, account): the credential was not checked
  | 'unknown' // no such account (the same hashing work was done)
  | 'password' // the secret proved nothing
  | 'inactive' // the right password of a disabled user
  | 'source' // a service account's right secret from outside its allowed CIDRs
  | 'second_factor' // a wrong or replayed TOTP code
  | 'second_factor_missing'; // no code from an enrolled user where one is required

export type SignInResult =
  | { readonly ok: true; readonly signedIn: SignedIn; readonly credential: string }
  | { readonly ok: false; readonly reason: FailureReason; readonly user: User | undefined };
