import { searchVisibility } from '../../directory/access-policy.js';
import type { UserSearchPolicy } from '../../directory/auth/identity.js';
import type { DirectoryView, SearchCursor } from '../../directory/view/index.js';
import { LdapError } from '../../domain/errors.js';
import type { Entry } from '../../domain/entry.js';
import { compileFilter } from '../../domain/filter-match.js';
import { formatFilter } from '../../domain/filter-format.js';
import { ResultCode } from '../../domain/result-code.js';
import { decodePagedResultsValue, encodePagedResultsControl } from '../codec/index.js';
import { Oid, Scope, type Control, type LdapResult, type RequestMessage, type SearchRequest } from '../protocol.js';
import type { LdapConnection } from '../server/ldap-handler.js';
import { identityOf } from '../session.js';
import { storePaged, takePaged, type PagedSearch } from './paged-cursors.js';
import { SearchWriter } from './search-writer.js';

export interface SearchDeps {
  readonly view: DirectoryView;
  readonly userSearch: UserSearchPolicy;
  /** ldap.size_limit (0 = none); paged searches are exempt (clients.md §1.18, glauth#407). */
  readonly sizeLimit: number;
  readonly pageSizeMax: number;
  readonly rootDse: (startTls: boolean) => Entry;
  readonly subschema: Entry;
}

export interface SearchOutcome {
  readonly result: LdapResult;
  readonly controls?: readonly Control[];
}

const success: LdapResult = { resultCode: ResultCode.success };
const noSuchObject = (matchedDN = '', diagnosticMessage = ''): LdapResult => ({
  resultCode: ResultCode.noSuchObject,
  matchedDN,
  diagnosticMessage,
});

const SUCCESS: SearchOutcome = { result: success };
const SIZE_LIMIT_EXCEEDED: SearchOutcome = { result: { resultCode: ResultCode.sizeLimitExceeded } };

/**
 * Search (RFC 4511 §4.5): entries go out through `writer`; the caller sends the returned Done.
 * Synchronous (may throw) unless the output had to wait for the socket or the search is paged.
 */
export function search(
  msg: RequestMessage<SearchRequest>,
  conn: LdapConnection,
  writer: SearchWriter,
  deps: SearchDeps,
): SearchOutcome | Promise<SearchOutcome> {
  const req = msg.request;
  const pagedControl = msg.controls.length === 0 ? undefined : msg.controls.find((c) => c.oid === Oid.pagedResults);
  const paged = pagedControl === undefined ? undefined : decodePagedResultsValue(pagedControl.value ?? Buffer.alloc(0));
  const special = specialEntry(req, deps, conn.plainListenerExists);
  if (special !== undefined) {
    // The paged-results response control is returned even here (clients.md §1.11).
    const entries = special === 'none' ? [] : [special];
    for (const e of entries) if (compileFilter(req.filter)(e)) writer.special(e, req.attributes, req.typesOnly);
    return { result: success, controls: paged ? [encodePagedResultsControl(0, Buffer.alloc(0))] : undefined };
  }
  if (paged !== undefined) return pagedSearch(msg, conn, writer, deps, paged);
  const clientLimit = req.sizeLimit > 0 ? req.sizeLimit : Infinity;
  const limit = Math.min(clientLimit, deps.sizeLimit > 0 ? deps.sizeLimit : Infinity);
  const cursor = openCursor(req, conn, deps);
  if ('resultCode' in cursor) return { result: cursor };
  const selection = deps.view.selection(req.attributes, req.typesOnly);
  const sent = writer.entries(cursor, limit, selection);
  if (typeof sent === 'number') return sent >= limit && !cursor.done ? SIZE_LIMIT_EXCEEDED : SUCCESS;
  return sent.then((n) => (n >= limit && !cursor.done ? SIZE_LIMIT_EXCEEDED : SUCCESS));
}

async function pagedSearch(
  msg: RequestMessage<SearchRequest>,
  conn: LdapConnection,
  writer: SearchWriter,
  deps: SearchDeps,
  request: { size: number; cookie: Buffer },
): Promise<SearchOutcome> {
  const req = msg.request;
  const done = (result: LdapResult): SearchOutcome => ({
    result,
    controls: [encodePagedResultsControl(0, Buffer.alloc(0))],
  });
  const fingerprint = `${req.baseObject}|${req.scope}|${formatFilter(req.filter)}|${req.attributes.join(',')}|${req.typesOnly}`;
  let state: PagedSearch | undefined;
  if (request.cookie.length > 0) {
    state = takePaged(conn, request.cookie);
    if (state === undefined || state.fingerprint !== fingerprint) {
      // RFC 2696 §3: the cookie belongs to this connection and these exact search parameters.
      return done({ resultCode: ResultCode.unwillingToPerform, diagnosticMessage: 'paged results cookie is invalid or expired' });
    }
  }
  // A page size of 0 abandons the paged search (RFC 2696 §3).
  if (request.size === 0) return done(success);
  if (state === undefined) {
    const cursor = openCursor(req, conn, deps);
    if ('resultCode' in cursor) return done(cursor);
    state = { cursor, fingerprint, remaining: req.sizeLimit > 0 ? req.sizeLimit : Infinity, expiresAt: 0 };
  }
  const pageSize = Math.min(request.size, deps.pageSizeMax, state.remaining);
  const selection = deps.view.selection(req.attributes, req.typesOnly);
  state.remaining -= await writer.entries(state.cursor, pageSize, selection);
  if (state.cursor.done) return done(success);
  if (state.remaining <= 0) return done({ resultCode: ResultCode.sizeLimitExceeded });
  const cookie = storePaged(conn, state);
  return { result: success, controls: [encodePagedResultsControl(0, cookie)] };
}

function openCursor(req: SearchRequest, conn: LdapConnection, deps: SearchDeps): SearchCursor | LdapResult {
  const visibility = searchVisibility(identityOf(conn), deps.userSearch);
  // Anonymous and `user_search: none` see nothing here; 32 keeps existence hidden (DESIGN §5).
  if (visibility.kind === 'none') return noSuchObject();
  try {
    const outcome = deps.view.search(req.baseObject, req.scope, req.filter, { visibility });
    return outcome.found ? outcome.cursor : noSuchObject(outcome.matchedDn);
  } catch (err) {
    if (err instanceof LdapError || (err instanceof Error && 'resultCode' in err)) throw err;
    throw new LdapError(ResultCode.invalidDNSyntax, `invalid base DN "${req.baseObject}"`);
  }
}

/** rootDSE and cn=Subschema, readable by anyone; 'none' for scopes that select nothing there. */
function specialEntry(req: SearchRequest, deps: SearchDeps, startTls: boolean): Entry | 'none' | undefined {
  if (req.baseObject === '') {
    if (req.scope === Scope.base) return deps.rootDse(startTls);
    // Only the rootDSE lives at the empty DN (there is no global subtree search).
    throw new LdapError(ResultCode.noSuchObject, `the empty base holds only the rootDSE; search under ${deps.rootDse(startTls).attributes.get('namingcontexts')?.[0] ?? 'the suffix'}`);
  }
  const base = req.baseObject;
  if (base.length > 16 || base.replace(/\s+/g, '').toLowerCase() !== 'cn=subschema') return undefined;
  return req.scope === Scope.one ? 'none' : deps.subschema;
}
