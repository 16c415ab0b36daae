import type { User } from '../../domain/model.js';
import type { BindServiceDeps } from '../bind-service.js';

const SUFFIXED = /^(.+)(\d{6})$/s;

async function ownPassword(deps: BindServiceDeps, user: User | undefined, password: string): Promise<boolean> {
  return user?.source === 'ldap' && deps.external !== undefined
    ? deps.external.verify(user, password)
    : deps.hasher.verify(password, user?.passwordHash);
}

/**
 * A user's simple bind (DESIGN §4): the password — or a temporary one, which bypasses 2FA — and,
 * for an enrolled user, the TOTP code from the `+totpToken=` RDN value or, with `ldap.totp_suffix`,
 * the last six digits of the password. A code that is given must be right even when not
 * required; whether a missing code fails is the `ldap_totp` setting. Every failure is the same 49.
 */
export async function userPasswordCheck(deps: BindServiceDeps, user: User | undefined, password: string, rdnCode: string | undefined, ip: string): Promise<boolean> {
  const twoFactor = deps.lifecycle?.twoFactor;
  if (user === undefined || !user.totpEnabled || twoFactor === undefined) {
    return (await ownPassword(deps, user, password)) || (await temporary(deps, user, password, ip));
  }
  const required = await twoFactor.ldapRequired();
  const split = rdnCode === undefined && deps.totpSuffix === true ? SUFFIXED.exec(password) : null;
  if (split !== null && (await ownPassword(deps, user, split[1] ?? ''))) return twoFactor.verify(user, split[2] ?? '');
  if (!(await ownPassword(deps, user, password))) return temporary(deps, user, password, ip);
  if (rdnCode !== undefined) return twoFactor.verify(user, rdnCode);
  return !required;
}

async function temporary(deps: BindServiceDeps, user: User | undefined, password: string, ip: string): Promise<boolean> {
  if (user === undefined || deps.lifecycle === undefined) return false;
  return (await deps.lifecycle.temporary.check(user, password, 'ldap', ip)) !== undefined;
}
