import type { CliIo } from '../cli/cli-io.js';
import type { ManagementCommand, OptionValues } from '../cli/management-command.js';
import { renderTable } from '../cli/render-table.js';
import { DirectoryError } from '../domain/errors.js';
import type { ProgressListener } from '../domain/progress.js';
import type { Store } from '../store/store.js';
import type { ConnectorConfig } from './connector-config.js';
import { loadConnectorConfig } from './connector-settings.js';
import { lastSyncReport, runSync } from './run-sync.js';
import { summarizeReport, type SyncReport } from './sync-report.js';
import { testConnection, type ConnectionTestResult } from './test-connection.js';

/**
 * `pgdir sync run [--dry-run]`, `pgdir sync status` and `pgdir connector test`: control-request
 * handlers (`sync.run`, `sync.status`, `connector.test`) that run in the daemon or, without one,
 * in the CLI process against the store, plus the command-line side (ManagementCommand) that turns
 * flags into requests and results into text. Register the handlers next to the users/groups ones
 * and the commands with managementGroup('sync', …) and managementGroup('connector', …).
 */

export interface ConnectorCommandContext {
  readonly store: Store;
  /** The `connector:` mapping from pgdir.yaml, if pinned there. */
  readonly pinned: Readonly<Record<string, unknown>> | undefined;
  /** For the audit log: `cli`, or the API user. */
  readonly actor: string;
  /** Progress of `sync.run`, when the caller shows it. */
  readonly onProgress?: ProgressListener | undefined;
}

async function requireConfig(ctx: ConnectorCommandContext): Promise<ConnectorConfig> {
  const source = await loadConnectorConfig(ctx.store, ctx.pinned);
  if (source === undefined) {
    throw new DirectoryError('invalid', 'no external directory is configured (set connector: in pgdir.yaml or through the API)', { field: 'connector' });
  }
  return source.config;
}

/** `sync.run`: the report (dry run: the plan as report entries). Failed and busy runs throw. */
export async function syncRun(ctx: ConnectorCommandContext, args: { dryRun?: unknown }): Promise<SyncReport> {
  const config = await requireConfig(ctx);
  const { report } = await runSync(ctx.store, config, { dryRun: args.dryRun === true, trigger: 'cli', actor: ctx.actor, onProgress: ctx.onProgress });
  if (report.status === 'busy') throw new DirectoryError('conflict', 'another sync is running; try again when it is done');
  if (report.status === 'failed') throw new DirectoryError('unavailable', `sync failed: ${report.error ?? 'unknown error'}`);
  return report;
}

export interface SyncStatusResult {
  readonly configured: boolean;
  readonly pinned: boolean;
  readonly provider?: string;
  readonly url?: string;
  readonly intervalMs: number;
  readonly lastReport: SyncReport | undefined;
}

/** `sync.status`: configuration summary and the last run's report. */
export async function syncStatus(ctx: ConnectorCommandContext): Promise<SyncStatusResult> {
  const [source, lastReport] = await Promise.all([loadConnectorConfig(ctx.store, ctx.pinned), lastSyncReport(ctx.store)]);
  const c = source?.config;
  return c === undefined
    ? { configured: false, pinned: false, intervalMs: 0, lastReport }
    : { configured: true, pinned: source?.pinned ?? false, provider: c.provider, url: c.url, intervalMs: c.intervalMs, lastReport };
}

/** `connector.test`: bind, count, sample (never writes). A failed test throws with the reason. */
export async function connectorTest(ctx: ConnectorCommandContext): Promise<ConnectionTestResult> {
  const result = await testConnection(await requireConfig(ctx));
  if (!result.ok) throw new DirectoryError('unavailable', `connection test failed: ${result.error ?? 'unknown error'}`);
  return result;
}

export const CONNECTOR_HANDLERS: Readonly<Record<string, (ctx: ConnectorCommandContext, args: Record<string, unknown>) => Promise<unknown>>> = {
  'sync.run': (ctx, args) => syncRun(ctx, args),
  'sync.status': (ctx) => syncStatus(ctx),
  'connector.test': (ctx) => connectorTest(ctx),
};

// ---- text output ----

export function renderSyncReport(report: SyncReport, all = false): string {
  const shown = all ? report.entries : report.entries.filter((e) => ['conflict', 'skip', 'error'].includes(e.action));
  const rows = shown.map((e) => [e.action, e.kind, e.name ?? '', e.reason ?? e.changes?.join(', ') ?? '', e.dn]);
  const table = rows.length > 0 ? renderTable(['ACTION', 'KIND', 'NAME', 'DETAIL', 'SOURCE DN'], rows) : '';
  const hidden = report.entries.length - shown.length;
  const more = hidden > 0 ? `(${hidden} more entries; --verbose lists them)\n` : '';
  return `${summarizeReport(report)}\n${table}${more}`;
}

export function renderSyncStatus(status: SyncStatusResult): string {
  if (!status.configured) return 'no external directory is configured\n';
  const every = status.intervalMs === 0 ? 'manual only' : `every ${Math.round(status.intervalMs / 1000)} s`;
  const head = `${status.provider} at ${status.url} (${status.pinned ? 'pinned in pgdir.yaml' : 'from settings'}), sync ${every}\n`;
  const last = status.lastReport === undefined ? 'no sync has run yet\n' : `last run ${status.lastReport.finishedAt}: ${renderSyncReport(status.lastReport)}`;
  return head + last;
}

export function renderConnectionTest(r: ConnectionTestResult): string {
  const groups = r.groups === undefined ? 'group sync off' : `${r.groups} groups`;
  const rows = r.sample.map((s) => [s.username ?? '', s.email ?? '', s.displayName, s.problem ?? 'ok', s.dn]);
  return `bound to ${r.url} as ${r.boundAs} in ${r.durationMs} ms; the filters find ${r.users} users and ${groups}\n` + (rows.length > 0 ? renderTable(['USERNAME', 'EMAIL', 'NAME', 'MIRROR', 'SOURCE DN'], rows) : '');
}

const json = (values: OptionValues): boolean => values.json === true;
const write = (io: CliIo, values: OptionValues, result: unknown, text: () => string): void =>
  void io.stdout.write(json(values) ? `${JSON.stringify(result, null, 2)}\n` : text());

export const SYNC_COMMANDS: readonly ManagementCommand[] = [
  {
    name: 'sync run',
    request: 'sync.run',
    progress: true,
    summary: 'mirror users and groups from the external directory now',
    usage: 'sync run [--dry-run] [--verbose] [--json]\n\n  --dry-run   show what would change, write nothing\n  --verbose   list every change, not only conflicts, skips and errors\n  --json      print the report as JSON',
    options: { 'dry-run': { type: 'boolean' }, verbose: { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [],
    toArgs: async (values) => ({ dryRun: values['dry-run'] === true }),
    render: (result, values, io) => write(io, values, result, () => renderSyncReport(result as SyncReport, values.verbose === true || values['dry-run'] === true)),
  },
  {
    name: 'sync status',
    request: 'sync.status',
    summary: 'show the connector configuration and the last sync report',
    usage: 'sync status [--json]',
    options: { json: { type: 'boolean' } },
    positionals: [],
    toArgs: async () => ({}),
    render: (result, values, io) => write(io, values, result, () => renderSyncStatus(result as SyncStatusResult)),
  },
];

export const CONNECTOR_COMMANDS: readonly ManagementCommand[] = [
  {
    name: 'connector test',
    request: 'connector.test',
    summary: 'bind to the external directory, count users and groups, show the first few',
    usage: 'connector test [--json]',
    options: { json: { type: 'boolean' } },
    positionals: [],
    toArgs: async () => ({}),
    render: (result, values, io) => write(io, values, result, () => renderConnectionTest(result as ConnectionTestResult)),
  },
];
