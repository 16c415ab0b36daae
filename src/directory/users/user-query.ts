import { invalid } from '../../domain/errors.js';
import { parseRole } from '../../domain/roles.js';
import type { Source } from '../../domain/model.js';
import type { UserQuery } from '../../store/store.js';

export const MAX_PAGE_SIZE = 1000;

/** Where a user can come from (DESIGN §9: mirrored users have source ldap). */
export const USER_SOURCES: readonly Source[] = ['local', 'ldap'];

const count = (value: unknown, field: string, min: number, max: number): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer from ${min} to ${max}`, field);
  }
  return value;
};

/** Checks a user listing query (paging bounds, role name, search text). */
export function parseUserQuery(query: UserQuery = {}): UserQuery {
  const out: { -readonly [K in keyof UserQuery]: UserQuery[K] } = {};
  if (query.search !== undefined) {
    if (typeof query.search !== 'string') throw invalid('search must be a string', 'search');
    if (query.search.trim() !== '') out.search = query.search.trim();
  }
  if (query.active !== undefined) {
    if (typeof query.active !== 'boolean') throw invalid('active must be true or false', 'active');
    out.active = query.active;
  }
  if (query.role !== undefined) out.role = parseRole(query.role);
  if (query.source !== undefined) {
    if (!(USER_SOURCES as readonly unknown[]).includes(query.source)) throw invalid(`source must be one of ${USER_SOURCES.join(', ')}`, 'source');
    out.source = query.source;
  }
  if (query.limit !== undefined) out.limit = count(query.limit, 'limit', 1, MAX_PAGE_SIZE);
  if (query.offset !== undefined) out.offset = count(query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  return out;
}
