import type { ConnectionTestResult } from '../daemon/connector-port.js';
import { summarizeReport, type SyncReport } from '../directory/mirror/sync-report.js';
import type { SyncStatusResult } from '../control/connector-commands.js';
import type { CliIo } from './cli-io.js';
import type { ManagementCommand, OptionValues } from './management-command.js';
import { renderTable } from './render-table.js';

/**
 * `pgdir sync run [--dry-run]`, `pgdir sync status` and `pgdir connector test`: the command-line
 * side (flags to requests, results to text). The requests run like every other management
 * command: in the daemon over the control socket, else in this process through app/
 * (control/connector-commands.ts, through the daemon's connector object).
 */


export function renderSyncReport(report: SyncReport, all = false): string {
  const shown = all ? report.entries : report.entries.filter((e) => ['conflict', 'skip', 'error'].includes(e.action));
  const rows = shown.map((e) => [e.action, e.kind, e.name ?? '', e.reason ?? e.changes?.join(', ') ?? '', e.dn]);
  const table = rows.length > 0 ? renderTable(['ACTION', 'KIND', 'NAME', 'DETAIL', 'SOURCE DN'], rows) : '';
  const hidden = report.entries.length - shown.length;
  const more = hidden > 0 ? `(${hidden} more entries; --verbose lists them)\n` : '';
  return `${summarizeReport(report)}\n${table}${more}`;
}

export function renderSyncStatus(status: SyncStatusResult): string {
  const lastReport = status.lastReport as SyncReport | undefined;
  if (!status.configured) return 'no external directory is configured\n';
  const every = status.intervalMs === 0 ? 'manual only' : `every ${Math.round(status.intervalMs / 1000)} s`;
  const head = `${status.provider} at ${status.url} (${status.pinned ? 'pinned in pgdir.yaml' : 'from settings'}), sync ${every}\n`;
  const last = lastReport === undefined ? 'no sync has run yet\n' : `last run ${lastReport.finishedAt}: ${renderSyncReport(lastReport)}`;
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
