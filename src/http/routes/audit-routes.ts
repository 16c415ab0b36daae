import { z } from 'zod';
import { assertMay } from '../../domain/permissions.js';
import type { ApiContext } from '../api-context.js';
import { pageWindow, paging } from '../query-params.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { auditView, pageOf, toAuditView } from '../views.js';

/** The audit log, newest first (admins and owners). */
export function auditRoutes(api: ApiContext): AnyRoute[] {
  const { store } = api.directory;
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/audit',
      summary: 'Audit entries, newest first, optionally of one action (e.g. user.delete, http.login)',
      tag: 'audit',
      auth: 'user',
      query: z.strictObject({ ...paging, action: z.string().max(100).optional() }),
      response: pageOf(auditView).extend({ hasMore: z.boolean() }),
      handle: async ({ query, caller }) => {
        assertMay(caller.actor, 'audit.read');
        const { page, perPage, offset } = pageWindow(query);
        // One extra row tells whether another page exists without counting the whole log.
        const rows = await store.listAudit({ limit: perPage + 1, offset, ...(query.action === undefined ? {} : { action: query.action }) });
        return { body: { items: rows.slice(0, perPage).map(toAuditView), page, perPage, hasMore: rows.length > perPage } };
      },
    }),
  ];
}
