import { z } from 'zod';
import type { Actor } from '../../domain/actor.js';
import { assertMay } from '../../domain/permissions.js';
import type { AuditQuery } from '../../store/store.js';
import type { ApiContext } from '../api-context.js';
import { pageWindow, paging } from '../query-params.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { auditView, pageOf, toAuditView } from '../views.js';

/** An ISO 8601 instant (`2026-12-04T13:00:00Z`, with any offset) or a date (`2026-12-04`, 00:00 UTC). */
const isoTime = (description: string) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO 8601 time such as 2026-12-04T13:00:00Z or a date such as 2026-12-04' })
    .transform((text) => new Date(text))
    .describe(description);

export const auditQuery = z
  .strictObject({
    ...paging,
    action: z.string().max(100).optional().describe('e.g. user.delete, http.login'),
    actor: z.string().max(200).optional().describe('as recorded: a user id, cli, a service account name'),
    target: z.string().max(200).optional().describe('usually the id of the user, group or account acted on'),
    since: isoTime('entries at or after this time').optional(),
    until: isoTime('entries before this time').optional(),
  })
  .refine((q) => q.since === undefined || q.until === undefined || q.since < q.until, { message: 'until must be later than since', path: ['until'] });

/** One page of the audit log for `actor` (audit.read), newest first: the API's and the console's. */
export async function auditPage(api: ApiContext, actor: Actor, query: z.infer<typeof auditQuery>) {
  assertMay(actor, 'audit.read');
  const { store } = api.directory;
  const { page, perPage, offset } = pageWindow(query);
  const filters: AuditQuery = Object.fromEntries(
    (['action', 'actor', 'target', 'since', 'until'] as const).filter((k) => query[k] !== undefined).map((k) => [k, query[k]]),
  );
  const rows = await store.listAudit({ ...filters, limit: perPage, offset });
  // A short page that has rows (or is the first) ends the list: its total needs no count.
  const last = rows.length < perPage && (rows.length > 0 || offset === 0);
  const total = last ? offset + rows.length : await store.countAudit(filters);
  return { items: rows.map(toAuditView), total, page, perPage, hasMore: offset + rows.length < total };
}

/** The audit log, newest first (admins and owners). */
export function auditRoutes(api: ApiContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/audit',
      summary: 'Audit entries, newest first, filtered by action, actor, target and time (all given filters apply)',
      tag: 'audit',
      auth: 'user',
      query: auditQuery,
      response: pageOf(auditView).extend({ total: z.int().describe('entries matching the filters'), hasMore: z.boolean() }),
      handle: async ({ query, caller }) => ({ body: await auditPage(api, caller.actor, query) }),
    }),
  ];
}
