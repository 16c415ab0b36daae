import type { Entry } from '../../domain/entry.js';
import type { ServiceAccount, User } from '../../domain/model.js';
import { formatDn, normalizeRdns, parseDn, type Rdn } from '../../domain/dn.js';
import { indexKey } from './index-values.js';
import { plainUser } from './user-record.js';
import type { DirectoryState } from './directory-state.js';
import type { ViewEntry } from './view-entry.js';

/** Who a bind DN designates (DESIGN §4); secrets stay on the records, never in entries. */
export type BindTarget =
  | { readonly kind: 'user'; readonly entry: ViewEntry; readonly user: User; readonly totpToken: string | undefined }
  | { readonly kind: 'admin'; readonly entry: ViewEntry }
  | { readonly kind: 'service'; readonly entry: ViewEntry; readonly account: ServiceAccount };

/** Normalised DN string of parsed RDNs (domain/dn.ts normalizeDn without re-parsing). */
const normRdns = (rdns: readonly Rdn[]): string => formatDn(normalizeRdns(rdns));

/** Parses without throwing: a malformed DN designates nothing. */
function tryParse(dn: string): Rdn[] | undefined {
  try {
    return parseDn(dn);
  } catch {
    return undefined;
  }
}

/**
 * Cloudron's rule (DESIGN §4): under ou=users the first RDN selects the user whatever its type:
 * a value with `@` or the type `mail` is the email, `uid-<id>` the id, anything else the username;
 * case and spaces are ignored. A `totpToken` AVA in the same RDN carries a TOTP code.
 */
export function userByRdn(state: DirectoryState, rdn: Rdn): { entry: ViewEntry | undefined; totpToken: string | undefined } {
  const totpToken = rdn.find((a) => a.type === 'totptoken')?.value;
  const ava = rdn.find((a) => a.type !== 'totptoken');
  if (ava === undefined) return { entry: undefined, totpToken };
  const value = ava.value.replace(/\s+/g, '').toLowerCase();
  const { entries } = state;
  let entry: ViewEntry | undefined;
  if (value.includes('@') || ava.type === 'mail') {
    entry = entries.indexes.get('mail')?.get(indexKey('mail', value) ?? value).find((e) => e.kind === 'user');
  } else if (value.startsWith('uid-')) {
    entry = entries.byId.user.get(value.slice(4));
  } else {
    entry = entries.indexes.get('uid')?.get(indexKey('uid', value) ?? value).find((e) => e.kind === 'user');
  }
  return { entry, totpToken };
}

/** The entry a DN designates: its own entry in any case or spacing, or a user by DESIGN §4. */
export function resolveEntry(state: DirectoryState, dn: string): ViewEntry | undefined {
  // Fast path: most clients send back the DNs pgdir emitted, which are already normalised
  // (a string equal to a normalised DN normalises to itself).
  const exact = state.entries.byNorm.get(dn);
  if (exact !== undefined) return exact;
  const rdns = tryParse(dn);
  if (rdns === undefined || rdns.length === 0) return undefined;
  return lookupRdns(state, rdns);
}

function lookupRdns(state: DirectoryState, rdns: readonly Rdn[]): ViewEntry | undefined {
  const exact = state.entries.byNorm.get(normRdns(rdns));
  if (exact !== undefined) return exact;
  const first = rdns[0];
  if (first === undefined || rdns.length < 2 || normRdns(rdns.slice(1)) !== state.dit.usersNorm) return undefined;
  return userByRdn(state, first).entry;
}

/** The account a bind DN selects; undefined for unknown, unlisted or malformed DNs. */
export function resolveBindTarget(state: DirectoryState, dn: string): BindTarget | undefined {
  const rdns = tryParse(dn);
  const first = rdns?.[0];
  if (rdns === undefined || first === undefined || rdns.length < 2) return undefined;
  const parent = normRdns(rdns.slice(1));
  if (parent === state.dit.systemNorm) {
    const entry = state.entries.byNorm.get(normRdns(rdns));
    if (entry?.kind !== 'system') return undefined;
    if (entry.id === 'admin') return { kind: 'admin', entry };
    const account = state.records.accounts.get(entry.id);
    return account === undefined ? undefined : { kind: 'service', entry, account };
  }
  if (parent !== state.dit.usersNorm) return undefined;
  const { entry, totpToken } = userByRdn(state, first);
  const user = entry === undefined ? undefined : state.records.users.get(entry.id);
  // A plain copy: the target may be cloned to the main thread (user-record.ts).
  return entry === undefined || user === undefined ? undefined : { kind: 'user', entry, user: plainUser(user), totpToken };
}

/**
 * AD's LDAP_MATCHING_RULE_IN_CHAIN (1.2.840.113556.1.4.1941). pgdir's groups hold only users, so
 * the transitive closure is the direct membership: memberOf on a user, member or uniqueMember
 * on a group.
 */
export function inChain(state: DirectoryState, entry: Entry, attribute: string, targetNormDn: string): boolean {
  const target = state.entries.byNorm.get(targetNormDn);
  if (target === undefined) return false;
  if (attribute === 'memberof') return target.kind === 'group' && (entry.attributes.get('memberof') ?? []).includes(target.dn);
  if (attribute === 'member' || attribute === 'uniquemember') {
    return target.kind === 'user' && (target.attributes.get('memberof') ?? []).includes(entry.dn);
  }
  return false;
}
