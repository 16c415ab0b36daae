import { formatDn, normalizeRdns, parseDn, type Rdn } from '../../domain/dn.js';
import type { Dit } from '../view/dit.js';

/**
 * The login name a bind DN under `ou=users` carries (DESIGN §4: the first RDN's value whatever its
 * type, `totpToken` aside; case and spaces ignored), for a DN the view resolves to nobody. The
 * throttle keys the attempt by it and auto-create on login (DESIGN §9) looks it up in the source.
 * Undefined for malformed DNs and DNs outside `ou=users`.
 */
export function loginOfUserDn(dit: Dit, dn: string): string | undefined {
  let rdns: Rdn[];
  try {
    rdns = parseDn(dn);
  } catch {
    return undefined;
  }
  const first = rdns[0];
  if (first === undefined || rdns.length < 2 || formatDn(normalizeRdns(rdns.slice(1))) !== dit.usersNorm) return undefined;
  const value = first.find((a) => a.type !== 'totptoken')?.value.replace(/\s+/g, '').toLowerCase();
  return value === '' ? undefined : value;
}
