import type { MatchContext } from '../../domain/entry.js';
import type { Visibility } from '../access-policy.js';
import { ViewEntry } from './view-entry.js';

const MEMBER_DNS = ['member', 'uniquemember'] as const;

/**
 * `ldap.user_search: self-only-members`: a bound user sees every group, but in each group's
 * member, uniqueMember and memberUid only themselves, so they learn nobody else's memberships.
 * Returns undefined for every other visibility (entries are shown as they are).
 *
 * The mask is applied before the filter runs (search-cursor.ts), so `(member=<someone else>)` or
 * `(memberUid=bob)` match nothing rather than revealing through which groups come back.
 */
export function memberMask(visibility: Visibility): ((entry: ViewEntry) => ViewEntry) | undefined {
  if (visibility.kind !== 'self' || visibility.ownMembersOnly !== true) return undefined;
  const self = visibility.normDn;
  return (entry) => (entry.kind === 'group' ? maskGroup(entry, self) : entry);
}

function maskGroup(entry: ViewEntry, selfNorm: string): ViewEntry {
  const dns = entry.attributes.get('member') ?? [];
  // member, uniqueMember and memberUid are index-aligned (group-entry.ts memberValues).
  const at = dns.findIndex((dn) => dn.toLowerCase() === selfNorm);
  const attrs = new Map(entry.attributes);
  for (const key of [...MEMBER_DNS, 'memberuid']) attrs.delete(key);
  if (at >= 0) {
    const dn = Object.freeze([dns[at] as string]);
    for (const key of MEMBER_DNS) attrs.set(key, dn);
    const uid = entry.attributes.get('memberuid')?.[at];
    if (uid !== undefined) attrs.set('memberuid', Object.freeze([uid]));
  }
  return new ViewEntry(entry.dn, entry.normDn, attrs, entry.kind, entry.id, entry.parent, entry.sortKey);
}

/**
 * The in-chain rule (1.2.840.113556.1.4.1941) reads memberships from the user side (dn-resolver.ts
 * inChain); under the mask it may confirm only the bound user's own.
 */
export function maskedContext(ctx: MatchContext, visibility: Visibility): MatchContext {
  if (visibility.kind !== 'self' || visibility.ownMembersOnly !== true || ctx.inChain === undefined) return ctx;
  const inChain = ctx.inChain.bind(ctx);
  const self = visibility.normDn;
  return {
    ...ctx,
    inChain: (entry, attribute, target) => (attribute === 'memberof' || target === self) && inChain(entry, attribute, target),
  };
}
