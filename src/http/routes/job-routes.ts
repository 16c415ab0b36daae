import { z } from 'zod';
import type { IncomingMessage } from 'node:http';
import { DirectoryError, notFound } from '../../domain/errors.js';
import { bearerOf, hashBearerToken } from '../auth/bearer-token.js';
import type { JobRegistry, JobView } from '../job-registry.js';
import { defineRoute, type AnyRoute, type Reply } from '../route.js';

/** `?async=1` (or `true`) on a long request: 202 with the job instead of waiting for the result. */
export const asyncParam = z.enum(['1', 'true', '0', 'false']).optional().describe('1: answer 202 with a job at once (GET /api/v1/jobs/{id})');
export const wantsAsync = (value: string | undefined): boolean => value === '1' || value === 'true';

export const jobView = z.object({
  id: z.string(),
  kind: z.string().describe('users.import or sync'),
  state: z.enum(['running', 'succeeded', 'failed']),
  progress: z.object({ phase: z.string(), done: z.int(), total: z.int() }).nullable().describe('the current phase and how many of its items are done'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  result: z.unknown().describe('when finished: the report the synchronous request returns'),
  error: z.object({ code: z.string(), message: z.string() }).nullable().describe('when failed: why'),
});

/** The key a job belongs to: the SHA-256 of the bearer token of the request (job-registry.ts). */
export function jobOwnerKey(req: IncomingMessage): string {
  const token = bearerOf(req);
  if (token === undefined) throw new DirectoryError('unauthenticated', 'a bearer token is required');
  return hashBearerToken(token);
}

export function jobAccepted(job: JobView): Reply {
  return { status: 202, body: { job }, headers: { location: `/api/v1/jobs/${job.id}` } };
}

/**
 * Progress and result of a job started with the caller's token (404 for any other token). Checked
 * in memory, not through the database, so that it answers while an embedded database is busy.
 */
export function jobRoutes(jobs: JobRegistry): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/jobs/:id',
      summary: 'A job started with ?async=1 (users import, sync): state, progress, and the report when finished. Needs the bearer token that started the job',
      tag: 'jobs',
      auth: 'none',
      response: jobView,
      errors: { 404: 'No such job, or it was started by somebody else, or it finished more than an hour ago' },
      handle: async ({ params, req }) => {
        const job = jobs.get(params['id'] ?? '', jobOwnerKey(req));
        if (job === undefined) throw notFound(`job "${params['id'] ?? ''}" does not exist`);
        return { body: job };
      },
    }),
  ];
}
