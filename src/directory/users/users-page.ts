import type { User } from '../../domain/model.js';
import type { UserQuery } from '../../store/store.js';

type Test = (user: User) => boolean;

/**
 * The store's search (store-reader.ts): the lower-cased text is a substring of lower(username,
 * chr(1), email, chr(1), display name), matched literally. Field by field (no joined string per
 * user); a search holding chr(1) itself is matched on the joined text, as the store does.
 */
function searchTest(search: string): Test {
  const needle = search.toLowerCase();
  if (needle.includes('\x01')) return (u) => `${u.username ?? ''}\x01${u.email}\x01${u.displayName}`.toLowerCase().includes(needle);
  return (u) => (u.username !== null && u.username.toLowerCase().includes(needle)) || u.email.toLowerCase().includes(needle) || u.displayName.toLowerCase().includes(needle);
}

function testOf(query: UserQuery): Test | undefined {
  const tests: Test[] = [];
  const { role, active, source, search } = query;
  if (role !== undefined) tests.push((u) => u.role === role);
  if (active !== undefined) tests.push((u) => u.active === active);
  if (source !== undefined) tests.push((u) => u.source === source);
  if (search !== undefined && search !== '') tests.push(searchTest(search));
  if (tests.length === 0) return undefined;
  return (u) => tests.every((t) => t(u));
}

/**
 * One page of a sorted user list (sorted-users.ts) answering a parsed UserQuery (user-query.ts)
 * exactly as store.listUsers does: the same filters, the total of all matches, `offset` and
 * `limit` over the same order (parseUserQuery keeps no `memberOf`: group pages ask the store).
 */
export function pageOfUsers(sorted: readonly User[], query: UserQuery): { users: User[]; total: number } {
  const offset = Math.max(0, Math.trunc(query.offset ?? 0));
  const end = query.limit === undefined ? Infinity : offset + Math.max(0, Math.trunc(query.limit));
  const test = testOf(query);
  if (test === undefined) return { users: sorted.slice(offset, end), total: sorted.length };
  const users: User[] = [];
  let total = 0;
  for (const user of sorted) {
    if (!test(user)) continue;
    if (total >= offset && total < end) users.push(user);
    total++;
  }
  return { users, total };
}
