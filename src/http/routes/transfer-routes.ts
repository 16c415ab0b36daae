import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute, type RawBody } from '../route.js';
import { readImportFile } from '../../directory/transfer/import-rows.js';
import { exportUsers } from '../../directory/transfer/user-export.js';
import { importUsers } from '../../directory/transfer/user-import.js';
import { userView } from '../views.js';

const importReport = z.object({
  created: z.int(),
  errors: z.array(z.object({ row: z.int().describe('1 = first record after the header'), field: z.string(), message: z.string() })),
});

const importItem = userView.pick({ username: true, email: true, fallbackEmail: true, fullName: true, role: true, active: true }).partial().extend({
  id: z.string().optional(),
});

/** Users export and import (DESIGN §7); listed before /users/:id so that the literal paths win. */
export function transferRoutes(api: ApiContext): AnyRoute[] {
  const { store } = api.directory;
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/users/export',
      summary: 'Every user as CSV (id,username,email,fallback email,full name,role,active) or JSON',
      tag: 'users',
      auth: 'user',
      query: z.strictObject({ format: z.enum(['csv', 'json']).optional().describe('default csv') }),
      textResponse: { types: ['text/csv', 'application/json'], openapi: { 'application/json': { schema: z.toJSONSchema(z.array(importItem), { io: 'output' }) } } },
      handle: async ({ query, caller }) => {
        const format = query.format ?? 'csv';
        const { contentType, text } = await exportUsers(store, caller.actor, format);
        return { text, contentType, headers: { 'content-disposition': `attachment; filename="users.${format}"` } };
      },
    }),
    defineRoute<RawBody, { mode?: 'atomic' | 'partial' | undefined }>({
      method: 'POST',
      path: '/api/v1/users/import',
      summary: 'Create users from CSV or JSON; atomic (default) writes nothing if any record is invalid (400 with the report)',
      tag: 'users',
      auth: 'user',
      query: z.strictObject({ mode: z.enum(['atomic', 'partial']).optional() }),
      raw: {
        types: ['text/csv', 'application/json'],
        maxBytes: api.maxImportBytes,
        openapi: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: z.toJSONSchema(z.array(importItem), { io: 'input' }) } },
      },
      response: importReport,
      handle: async ({ query, body, caller }) => {
        const mode = query.mode ?? 'atomic';
        const report = await importUsers(store, caller.actor, readImportFile(body.contentType, body.text), mode);
        if (mode === 'atomic' && report.errors.length > 0) {
          const message = `${report.errors.length} problem(s) found; nothing was imported`;
          return { status: 400, body: { error: { code: 'invalid', message, field: 'file' }, ...report } };
        }
        return { body: report };
      },
    }),
  ];
}
