import type { Problem } from './http-error.js';

/**
 * Old spellings of API names, still accepted for one release and documented as deprecated
 * (docs/api.md "Naming"). The API spells path segments in kebab-case and every field name, in a
 * query string or a JSON body, in camelCase; the names below predate that rule. The router and
 * the dispatcher read this one table, so no handler is duplicated, and deleting an entry is all
 * it takes to drop an alias.
 */
export const NAME_ALIASES = {
  /** Deprecated path → the path it now has (the same route answers both). */
  paths: {
    '/api/v1/users/:id/send_password_reset_email': '/api/v1/users/:id/send-password-reset-email',
    '/api/v1/users/:id/send_invite_email': '/api/v1/users/:id/send-invite-email',
    '/api/v1/users/:id/password_reset_link': '/api/v1/users/:id/password-reset-link',
    '/api/v1/users/:id/invite_link': '/api/v1/users/:id/invite-link',
  } as Readonly<Record<string, string>>,
  /** Deprecated query parameter → its current name, on every route that has that parameter. */
  query: { per_page: 'perPage' } as Readonly<Record<string, string>>,
  /** When the old names became deprecated: the `Deprecation` header's date (RFC 9745 §2.1). */
  deprecatedSince: new Date('2026-12-07T00:00:00Z'),
};

export interface AliasedQuery {
  /** The query as the route's schema expects it (current names). */
  readonly query: Record<string, string>;
  /** Current name → the deprecated name the client used, so that errors name what was sent. */
  readonly sentAs: Record<string, string>;
  /** A parameter given under both names (which one was meant is unknowable). */
  readonly problems: Problem[];
}

/** Renames deprecated query parameters to their current names. */
export function aliasQuery(params: URLSearchParams, aliases: Readonly<Record<string, string>> = NAME_ALIASES.query): AliasedQuery {
  const query = Object.fromEntries(params);
  const sentAs: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const [old, current] of Object.entries(aliases)) {
    const value = query[old];
    if (value === undefined) continue;
    delete query[old];
    if (query[current] !== undefined) {
      problems.push({ field: old, message: `${old} is the deprecated name of ${current}; send only ${current}` });
      continue;
    }
    query[current] = value;
    sentAs[current] = old;
  }
  return { query, sentAs, problems };
}

/** Response headers that tell a client it used a deprecated path, and which path replaces it. */
export function deprecationHeaders(successor: string): Record<string, string> {
  return {
    // RFC 9745 §2.1: a Structured Field Date, seconds since the epoch.
    deprecation: `@${Math.floor(NAME_ALIASES.deprecatedSince.getTime() / 1000)}`,
    // RFC 5829 §3.4: the link relation naming the replacement.
    link: `<${successor}>; rel="successor-version"`,
  };
}
