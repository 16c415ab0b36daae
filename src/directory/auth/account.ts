import type { ServiceAccount, User } from '../../domain/model.js';

/**
 * Who a sign-in names (step 2 of the pipeline, sign-in.ts): resolved by the door it came through
 * (resolve-bind-account.ts for LDAP DNs, resolve-login-account.ts for API identifiers).
 */
export type Account =
  | { readonly kind: 'admin'; readonly dn: string }
  | { readonly kind: 'service'; readonly dn: string; readonly account: ServiceAccount }
  /** `dn`: the user's entry in the in-memory view (LDAP); absent over HTTP. */
  | { readonly kind: 'user'; readonly user: User; readonly dn?: string | undefined }
  /** Nobody pgdir knows; `login` is the name auto-create may look up in the external source. */
  | { readonly kind: 'unknown'; readonly login: string | undefined };

/** Who a successful sign-in authenticates. */
export type SignedIn = Exclude<Account, { readonly kind: 'unknown' }>;

/** An account and the throttle's account key for it (throttle-key.ts: one key per account, whatever the door). */
export interface ResolvedAccount {
  readonly account: Account;
  readonly throttleKey: string;
}
