import { z } from 'zod';
import { actorLabel } from '../../domain/actor.js';
import type { ConnectorPort } from '../../daemon/connector-port.js';
import { DirectoryError } from '../../domain/errors.js';
import { assertMay } from '../../domain/permissions.js';
import type { SyncReport } from '../../directory/mirror/sync-report.js';
import type { JobRegistry } from '../job-registry.js';
import { defineRoute, type AnyRoute, type Reply } from '../route.js';
import { asyncParam, jobAccepted, jobOwnerKey, wantsAsync } from './job-routes.js';

const noConnector = (): DirectoryError =>
  new DirectoryError('unavailable', 'the external directory connector is not running in this process');

/** What the API shows of the configuration: the masked settings, never the parsed secrets. */
async function view(connector: ConnectorPort): Promise<{ configured: boolean; pinned: boolean; settings?: Readonly<Record<string, unknown>> }> {
  const source = await connector.configuration();
  return source === undefined ? { configured: false, pinned: false } : { configured: true, pinned: source.pinned, settings: source.settings };
}

/**
 * A sync that did not run to the end is an error with the usual JSON shape (DESIGN §8), plus the
 * report: busy → 409, source or database unreachable → 503, a configuration the source refuses
 * (service account, base DN) → 400, anything else → 500.
 */
function reportError(report: SyncReport): DirectoryError | undefined {
  if (report.status === 'ok') return undefined;
  return report.status === 'busy'
    ? new DirectoryError('conflict', 'another sync is running; nothing was done')
    : new DirectoryError(report.errorKind ?? 'internal', `sync failed: ${report.error ?? 'unknown error'}`);
}

function reportReply(report: SyncReport): Reply {
  const error = reportError(report);
  if (error === undefined) return { body: report };
  // Not via toErrorResponse: its 500 hides the message, and the report says it anyway.
  return { status: error.status, body: { error: { code: error.kind, message: error.message }, report } };
}

/**
 * The external directory connector (DESIGN §9): configuration, test connection, sync (or a dry
 * run that returns the plan) and the last report. Admins and owners only.
 */
export function syncRoutes(connector: ConnectorPort | undefined, jobs: JobRegistry): AnyRoute[] {
  const need = (): ConnectorPort => connector ?? (() => { throw noConnector(); })();
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/settings/external-directory',
      summary: 'The connector configuration (secrets masked) and whether the YAML pins it',
      tag: 'sync',
      auth: 'user',
      handle: async ({ caller }) => {
        assertMay(caller.actor, 'settings.read');
        return { body: await view(need()) };
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/v1/settings/external-directory',
      summary: 'Store a connector configuration (409 when pinned in the YAML; 400 names the bad key)',
      tag: 'sync',
      auth: 'user',
      body: z.record(z.string(), z.unknown()),
      handle: async ({ caller, body }) => {
        assertMay(caller.actor, 'settings.write');
        await need().configure(body, actorLabel(caller.actor));
        return { body: await view(need()) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/sync/test',
      summary: 'Bind to the source, count users and groups the filters find, show the first mapped users',
      tag: 'sync',
      auth: 'user',
      handle: async ({ caller }) => {
        assertMay(caller.actor, 'sync.run');
        return { body: await need().testConnection() };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/sync',
      summary:
        'Run a sync now (dryRun: return the plan and write nothing); 200 with the report when it ran to the end. async=1: 202 {job} at once, progress and report at GET /api/v1/jobs/{id}',
      tag: 'sync',
      auth: 'user',
      body: z.strictObject({ dryRun: z.boolean().optional() }).optional(),
      query: z.strictObject({ async: asyncParam }),
      errors: {
        409: 'Another sync is running (in this or another replica); nothing was done. The body also carries `report`.',
        503: 'The external directory (or the database) could not be reached; nothing, or only whole batches, written. The body also carries `report`.',
        500: 'The sync failed for another reason; the body also carries `report`.',
      },
      handle: async ({ caller, body, query, req }) => {
        assertMay(caller.actor, 'sync.run');
        const run = need();
        const options = { dryRun: body?.dryRun ?? false, trigger: 'api', actor: actorLabel(caller.actor) };
        if (wantsAsync(query.async)) {
          const job = jobs.start('sync', jobOwnerKey(req), async (onProgress) => {
            const { report } = await run.sync({ ...options, onProgress });
            const error = reportError(report);
            return error === undefined ? { result: report } : { result: report, error };
          });
          return jobAccepted(job);
        }
        const result = await run.sync(options);
        return reportReply(result.report);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/sync/status',
      summary: 'Connector state and the last sync report',
      tag: 'sync',
      auth: 'user',
      handle: async ({ caller }) => {
        assertMay(caller.actor, 'settings.read');
        return { body: await need().status() };
      },
    }),
  ];
}
