import { isVisible, searchVisibility } from '../../directory/access-policy.js';
import type { UserSearchPolicy } from '../../directory/auth/identity.js';
import { maskedContext, memberMask } from '../../directory/view/member-mask.js';
import { SearchScope, type DirectoryView } from '../../directory/view/index.js';
import { compileFilter } from '../../domain/filter-match.js';
import { ResultCode } from '../../domain/result-code.js';
import type { CompareRequest, LdapResult } from '../protocol.js';
import type { LdapConnection } from '../server/ldap-handler.js';
import { identityOf } from '../session.js';

/**
 * Compare (RFC 4511 §4.10) with the same matching as an equality filter, so `member` accepts any
 * user DN spelling (DESIGN §4–5). Entries the caller may not read answer 32, like searches.
 */
export function compare(req: CompareRequest, conn: LdapConnection, view: DirectoryView, userSearch: UserSearchPolicy): LdapResult {
  const visibility = searchVisibility(identityOf(conn), userSearch);
  const assertion = { type: 'equality', attribute: req.attribute, value: req.value.toString('utf8') } as const;
  if (visibility.kind === 'app' || /ou\s*=\s*apps\s*,/i.test(req.entry)) {
    // Application views (issue 16) answer through the search path, which applies the app's access.
    if (visibility.kind === 'none') return { resultCode: ResultCode.noSuchObject };
    const outcome = view.search(req.entry, SearchScope.base, assertion, { visibility });
    if (!outcome.found) return { resultCode: ResultCode.noSuchObject };
    return { resultCode: outcome.cursor.next() === undefined ? ResultCode.compareFalse : ResultCode.compareTrue };
  }
  const found = view.findEntry(req.entry);
  if (found === undefined || !isVisible(visibility, found.kind, found.normDn)) {
    return { resultCode: ResultCode.noSuchObject };
  }
  // Compared as the requester would see it (self-only-members hides other members).
  const entry = memberMask(visibility)?.(found) ?? found;
  const test = compileFilter(
    { type: 'equality', attribute: req.attribute, value: req.value.toString('utf8') },
    maskedContext(view.matchContext, visibility),
  );
  return { resultCode: test(entry) ? ResultCode.compareTrue : ResultCode.compareFalse };
}
