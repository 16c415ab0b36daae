import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import type { JobRegistry } from '../job-registry.js';
import { defineRoute, type AnyRoute, type RawBody } from '../route.js';
import { invalid } from '../../domain/errors.js';
import { assertMay } from '../../domain/permissions.js';
import { asyncParam, jobAccepted, jobOwnerKey, wantsAsync } from './job-routes.js';
import { readImportFileYielding } from '../../directory/transfer/import-rows.js';
import { exportUsers } from '../../directory/transfer/user-export.js';
import { importUsers, type ImportMode, type ImportReport } from '../../directory/transfer/user-import.js';
import { userView } from '../views.js';

const importReport = z.object({
  created: z.int(),
  errors: z.array(z.object({ row: z.int().describe('1 = first record after the header'), field: z.string(), message: z.string() })),
});

const importItem = userView.pick({ username: true, email: true, fallbackEmail: true, fullName: true, role: true, active: true }).partial().extend({
  id: z.string().optional(),
});

const problems = (report: ImportReport) => `${report.errors.length} problem(s) found; nothing was imported`;
const failedAtomic = (mode: ImportMode, report: ImportReport): boolean => mode === 'atomic' && report.errors.length > 0;

/**
 * Users export and import (DESIGN §7); listed before /users/:id so that the literal paths win.
 * `?async=1` runs the import as a job (job-routes.ts): the file is read and the caller's right
 * checked first (400/403 at once), then 202 with the job, whose result is the same report.
 */
export function transferRoutes(api: ApiContext, jobs: JobRegistry): AnyRoute[] {
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
    defineRoute<RawBody, { mode?: ImportMode | undefined; async?: string | undefined }>({
      method: 'POST',
      path: '/api/v1/users/import',
      summary:
        'Create users from CSV or JSON; atomic (default) writes nothing if any record is invalid (400 with the report). async=1: 202 {job} at once, progress and report at GET /api/v1/jobs/{id}',
      tag: 'users',
      auth: 'user',
      query: z.strictObject({ mode: z.enum(['atomic', 'partial']).optional(), async: asyncParam }),
      raw: {
        types: ['text/csv', 'application/json'],
        maxBytes: api.maxImportBytes,
        openapi: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: z.toJSONSchema(z.array(importItem), { io: 'input' }) } },
      },
      response: importReport,
      handle: async ({ query, body, caller, req }) => {
        const mode = query.mode ?? 'atomic';
        const records = await readImportFileYielding(body.contentType, body.text);
        if (wantsAsync(query.async)) {
          assertMay(caller.actor, 'users.import');
          const job = jobs.start('users.import', jobOwnerKey(req), async (onProgress) => {
            const report = await importUsers(store, caller.actor, records, mode, { onProgress });
            return failedAtomic(mode, report) ? { result: report, error: invalid(problems(report), 'file') } : { result: report };
          });
          return jobAccepted(job);
        }
        const report = await importUsers(store, caller.actor, records, mode);
        if (failedAtomic(mode, report)) {
          return { status: 400, body: { error: { code: 'invalid', message: problems(report), field: 'file' }, ...report } };
        }
        return { body: report };
      },
    }),
  ];
}
