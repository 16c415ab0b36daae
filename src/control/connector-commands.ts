import { DirectoryError } from '../domain/errors.js';
import type { ProgressListener } from '../domain/progress.js';

/**
 * What the control commands need of the daemon's connector (connector/connector.ts implements it).
 * Declared here, by shape, so control/ does not import another edge: app/ hands the connector in.
 */
export interface ConnectorPort {
  configuration(): Promise<{ readonly pinned: boolean; readonly config: { readonly provider: string; readonly url: string; readonly intervalMs: number } } | undefined>;
  sync(options: { dryRun?: boolean; trigger?: string; actor?: string; onProgress?: ProgressListener | undefined }): Promise<{ readonly report: { readonly status: string; readonly error?: string | undefined } }>;
  testConnection(): Promise<{ readonly ok: boolean; readonly error?: string | undefined }>;
  status(): Promise<{ readonly lastReport: unknown }>;
}

export interface SyncStatusResult {
  readonly configured: boolean;
  readonly pinned: boolean;
  readonly provider?: string;
  readonly url?: string;
  readonly intervalMs: number;
  readonly lastReport: unknown;
}

/** The CLI's wording (and exit code 2): the fix is in the configuration. */
async function requireConfigured(connector: ConnectorPort): Promise<void> {
  if ((await connector.configuration()) === undefined) {
    throw new DirectoryError('invalid', 'no external directory is configured (set connector: in pgdir.yaml or through the API)', { field: 'connector' });
  }
}

/** `sync.run`: the report (dry run: the plan as report entries). Failed and busy runs throw. */
export async function syncRun(connector: ConnectorPort, args: { dryRun?: unknown }, actor: string, onProgress?: ProgressListener): Promise<unknown> {
  await requireConfigured(connector);
  const { report } = await connector.sync({ dryRun: args.dryRun === true, trigger: 'cli', actor, onProgress });
  if (report.status === 'busy') throw new DirectoryError('conflict', 'another sync is running; try again when it is done');
  if (report.status === 'failed') throw new DirectoryError('unavailable', `sync failed: ${report.error ?? 'unknown error'}`);
  return report;
}

/** `sync.status`: configuration summary and the last run's report (a bad configuration throws). */
export async function syncStatus(connector: ConnectorPort): Promise<SyncStatusResult> {
  const [source, { lastReport }] = await Promise.all([connector.configuration(), connector.status()]);
  const c = source?.config;
  return c === undefined
    ? { configured: false, pinned: false, intervalMs: 0, lastReport }
    : { configured: true, pinned: source?.pinned ?? false, provider: c.provider, url: c.url, intervalMs: c.intervalMs, lastReport };
}

/** `connector.test`: bind, count, sample (never writes). A failed test throws with the reason. */
export async function connectorTest(connector: ConnectorPort): Promise<unknown> {
  await requireConfigured(connector);
  const result = await connector.testConnection();
  if (!result.ok) throw new DirectoryError('unavailable', `connection test failed: ${result.error ?? 'unknown error'}`);
  return result;
}
