import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { buildOpenApi } from '../openapi.js';
import { defineRoute, type AnyRoute } from '../route.js';

/** Operations endpoints: liveness, readiness, Prometheus metrics and the OpenAPI document. */
export function healthRoutes(api: ApiContext, allRoutes: () => readonly AnyRoute[]): AnyRoute[] {
  let openapi: string | undefined;
  return [
    defineRoute({
      method: 'GET',
      path: '/healthz',
      summary: 'The process is alive',
      tag: 'operations',
      auth: 'none',
      response: z.object({ status: z.literal('ok') }),
      handle: async () => ({ body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'GET',
      path: '/readyz',
      summary: 'The store answers within health.check_timeout, every part is ready and the view is current (503 otherwise, with the reasons)',
      tag: 'operations',
      auth: 'none',
      response: z.object({
        status: z.enum(['ready', 'degraded', 'unready']).describe('degraded: only the database fails; LDAP still answers from the view, writes answer 503'),
        checks: z.record(z.string(), z.enum(['ok', 'failing'])),
        reasons: z.record(z.string(), z.string()).optional(),
        lag: z.object({ revisions: z.int(), seconds: z.number() }).optional(),
      }),
      handle: async () => {
        const report = await api.readinessCheck();
        const body = {
          status: report.state,
          checks: report.checks,
          ...(Object.keys(report.reasons).length === 0 ? {} : { reasons: report.reasons }),
          ...(report.lag === undefined ? {} : { lag: report.lag }),
        };
        return { status: report.ready ? 200 : 503, body };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/metrics',
      summary: 'Prometheus metrics (text exposition format)',
      tag: 'operations',
      auth: 'none',
      textResponse: { types: ['text/plain; version=0.0.4'] },
      handle: async () => ({ text: await api.metrics.render(), contentType: api.metrics.contentType }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document',
      tag: 'operations',
      auth: 'none',
      response: z.looseObject({ openapi: z.literal('3.1.0') }).describe('an OpenAPI 3.1 document'),
      handle: async () => {
        openapi ??= JSON.stringify(buildOpenApi(allRoutes(), api.version), null, 2);
        return { text: openapi, contentType: 'application/json; charset=utf-8' };
      },
    }),
  ];
}
