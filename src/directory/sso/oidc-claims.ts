import { emailDomain } from './allowed-domains.js';
import type { SsoIdentity } from './sso-sign-in.js';

/** Why the provider's claims were not enough: for the audit log, never shown to the client. */
export type OidcClaimRefusal = 'email_missing' | 'email_unverified' | 'hd_not_allowed';

export type ClaimsOutcome =
  | { readonly ok: true; readonly identity: SsoIdentity }
  | { readonly ok: false; readonly reason: OidcClaimRefusal; readonly email?: string | undefined };

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** The person's groups from the configured claim: a list of names (or one name); anything else is no list. */
function groupsOf(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  return value.filter((g): g is string => typeof g === 'string');
}

/**
 * Turns verified ID token (and userinfo) claims into the identity pgdir provisions (issue 14):
 * - `email` is required and `email_verified` must be true (OpenID Connect Core §5.1): an
 *   unverified address could be anyone's, and the email is what finds the account;
 * - Google's `hd` (the Workspace domain) is checked against the allowed domains when present and
 *   when allowed domains are set: a Workspace account of another organisation is refused;
 * - groups come from the configured claim (default `groups`); absent, memberships stay as they are.
 */
export function identityFromClaims(claims: Readonly<Record<string, unknown>>, options: { groupsClaim: string; allowedDomains: readonly string[]; ip: string }): ClaimsOutcome {
  const email = str(claims['email']);
  if (email === undefined) return { ok: false, reason: 'email_missing' };
  // Some providers send the boolean as a string ("true"); nothing else counts as verified.
  const verified = claims['email_verified'] === true || claims['email_verified'] === 'true';
  if (!verified) return { ok: false, reason: 'email_unverified', email };
  const hd = str(claims['hd']);
  if (hd !== undefined && options.allowedDomains.length > 0 && !options.allowedDomains.includes(emailDomain(`x@${hd}`) ?? '')) {
    return { ok: false, reason: 'hd_not_allowed', email };
  }
  const name = str(claims['name']) ?? ([str(claims['given_name']), str(claims['family_name'])].filter(Boolean).join(' ') || undefined);
  return { ok: true, identity: { source: 'oidc', email, displayName: name, groups: groupsOf(claims[options.groupsClaim]), ip: options.ip } };
}
