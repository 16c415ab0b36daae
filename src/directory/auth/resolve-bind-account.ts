import { loginOfUserDn } from './bind-login.js';
import { loginThrottleKey, userThrottleKey } from './throttle-key.js';
import type { DirectoryView } from '../view/index.js';
import { systemNorm, type Dit } from '../view/dit.js';
import { tryNormalizeDn } from '../../domain/dn.js';
import type { ResolvedAccount } from './account.js';

/**
 * Step 2 for an LDAP simple bind (DESIGN §4): the in-memory view resolves the DN — no database
 * query, so binds keep working while PostgreSQL is away (DESIGN §2.3). Also answers the
 * `+totpToken=` value of the RDN. Inactive users are not in the view: they resolve to nobody.
 */
export function resolveBindAccount(view: DirectoryView, dn: string): ResolvedAccount & { readonly rdnCode: string | undefined } {
  const admin = exactAdmin(view, dn);
  if (admin !== undefined) return admin;
  const target = view.resolveBind(dn);
  if (target?.kind === 'user') {
    return { account: { kind: 'user', user: target.user, dn: target.entry.dn }, throttleKey: userThrottleKey(target.user.id), rdnCode: target.totpToken };
  }
  if (target?.kind === 'admin') return { account: { kind: 'admin', dn: target.entry.dn }, throttleKey: target.entry.normDn, rdnCode: undefined };
  if (target?.kind === 'service') {
    return { account: { kind: 'service', dn: target.entry.dn, account: target.account }, throttleKey: target.entry.normDn, rdnCode: undefined };
  }
  const login = loginOfUserDn(view.dit, dn);
  // Auto-create looks names up in the source; `uid-<id>` names an id pgdir would have made.
  const autoLogin = login === undefined || login.startsWith('uid-') ? undefined : login;
  return { account: { kind: 'unknown', login: autoLogin }, throttleKey: login === undefined ? dn.toLowerCase() : loginThrottleKey(login), rdnCode: undefined };
}

/** The admin's normalised DN per DIT, when it normalises to itself (it always does for a sane suffix). */
const ADMIN_NORM = new WeakMap<Dit, string | null>();

function adminNormOf(dit: Dit): string | null {
  let held = ADMIN_NORM.get(dit);
  if (held === undefined) {
    const norm = systemNorm(dit, 'admin');
    held = tryNormalizeDn(norm) === norm ? norm : null;
    ADMIN_NORM.set(dit, held);
  }
  return held;
}

/**
 * The directory admin bound with exactly the DN pgdir publishes for it (what nearly every
 * application sends): the entry is looked up by that string, without parsing and normalising the
 * DN twice as view.resolveBind does. The same answer resolveBind gives; any other spelling takes
 * the general path.
 */
function exactAdmin(view: DirectoryView, dn: string): (ResolvedAccount & { readonly rdnCode: undefined }) | undefined {
  if (dn !== adminNormOf(view.dit)) return undefined;
  const entry = view.findEntry(dn);
  if (entry?.kind !== 'system' || entry.id !== 'admin' || entry.normDn !== dn) return undefined;
  return { account: { kind: 'admin', dn: entry.dn }, throttleKey: entry.normDn, rdnCode: undefined };
}
