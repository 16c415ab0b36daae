import { randomBytes } from 'node:crypto';
import type { SearchCursor } from '../../directory/view/index.js';
import type { LdapConnection } from '../server/ldap-handler.js';

/** A paged search in progress (RFC 2696): the cursor plus what the next request must repeat. */
export interface PagedSearch {
  readonly cursor: SearchCursor;
  /** The search's parameters; a continuation with other parameters is refused. */
  readonly fingerprint: string;
  /** Entries still allowed by the client's sizeLimit (Infinity for none). */
  remaining: number;
  expiresAt: number;
}

const KEY = 'pagedSearches';
/** Cursors per connection and their idle lifetime: abandoned scans must not pin memory. */
const MAX_PER_CONNECTION = 16;
const TTL_MS = 10 * 60_000;

function registry(conn: LdapConnection): Map<string, PagedSearch> {
  let map = conn.session[KEY] as Map<string, PagedSearch> | undefined;
  if (map === undefined) {
    map = new Map();
    conn.session[KEY] = map;
  }
  return map;
}

/** Cookies are random and looked up per connection, so they are opaque and connection-bound. */
export function storePaged(conn: LdapConnection, paged: PagedSearch): Buffer {
  const map = registry(conn);
  const now = Date.now();
  for (const [cookie, held] of map) if (held.expiresAt < now) map.delete(cookie);
  if (map.size >= MAX_PER_CONNECTION) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  const cookie = randomBytes(12);
  paged.expiresAt = now + TTL_MS;
  map.set(cookie.toString('hex'), paged);
  return cookie;
}

/** Takes the search a cookie continues (it is re-stored if more pages follow). */
export function takePaged(conn: LdapConnection, cookie: Buffer): PagedSearch | undefined {
  const map = registry(conn);
  const key = cookie.toString('hex');
  const held = map.get(key);
  map.delete(key);
  return held !== undefined && held.expiresAt >= Date.now() ? held : undefined;
}

export function dropAllPaged(conn: LdapConnection): void {
  (conn.session[KEY] as Map<string, PagedSearch> | undefined)?.clear();
}
