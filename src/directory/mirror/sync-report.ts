/**
 * What one sync run did (or, for a dry run, would do): counts per kind and one line per entry that
 * changed, conflicted or failed. Stored per run in the audit log (`connector.sync`) and, for the
 * latest run, in the settings row `connector.last_report`.
 */

export type EntryAction =
  | 'create'
  | 'update'
  | 'deactivate'
  | 'reactivate'
  | 'members'
  | 'conflict'
  | 'skip'
  | 'error';

export interface ReportEntry {
  readonly kind: 'user' | 'group';
  /** The source DN (or, for local records gone from the source, the stored one). */
  readonly dn: string;
  /** Username or group name. */
  readonly name: string | undefined;
  readonly action: EntryAction;
  /** Why: for conflicts, skips and errors. */
  readonly reason?: string;
  /** Which fields change (updates), or membership counts (`+3 -1`). */
  readonly changes?: readonly string[];
}

export interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
  conflicts: number;
  errors: number;
  /** Entries the source offered that cannot be mirrored (bad username, no email...). */
  skipped: number;
}

export interface UserCounts extends KindCounts {
  deactivated: number;
  reactivated: number;
  /** Mirrored users the source no longer has (kept or deactivated per on_missing). */
  missing: number;
}

export interface GroupCounts extends KindCounts {
  /** Groups whose member list was replaced. */
  membershipsChanged: number;
  missing: number;
}

export interface SyncReport {
  readonly dryRun: boolean;
  readonly trigger: string;
  readonly startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** ok: ran to the end (per-entry errors may exist); failed: stopped (nothing, or whole batches, applied); busy: another run held the lock. */
  status: 'ok' | 'failed' | 'busy';
  error?: string;
  /**
   * What stopped a failed run: `unavailable` (the source or the database could not be reached),
   * `invalid` (the configuration: service account refused, base DN the source does not have),
   * `internal` (anything else). The API answers 503, 400 or 500 for them.
   */
  errorKind?: 'unavailable' | 'invalid' | 'internal';
  readonly source: { users: number; groups: number };
  readonly users: UserCounts;
  readonly groups: GroupCounts;
  entries: ReportEntry[];
  /** Entries left out of a stored report to bound its size. */
  entriesOmitted?: number;
}

export const emptyKindCounts = (): KindCounts => ({ created: 0, updated: 0, unchanged: 0, conflicts: 0, errors: 0, skipped: 0 });

export function newReport(trigger: string, dryRun: boolean, source = { users: 0, groups: 0 }): SyncReport {
  const now = new Date();
  return {
    dryRun,
    trigger,
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    durationMs: 0,
    status: 'ok',
    source,
    users: { ...emptyKindCounts(), deactivated: 0, reactivated: 0, missing: 0 },
    groups: { ...emptyKindCounts(), membershipsChanged: 0, missing: 0 },
    entries: [],
  };
}

/** Stored reports keep problems first, then at most `max` entries in all. */
export function boundedReport(report: SyncReport, max = 500): SyncReport {
  if (report.entries.length <= max) return report;
  const problems = report.entries.filter((e) => e.action === 'conflict' || e.action === 'error' || e.action === 'skip');
  const rest = report.entries.filter((e) => !problems.includes(e));
  const entries = [...problems, ...rest].slice(0, max);
  return { ...report, entries, entriesOmitted: report.entries.length - entries.length };
}

/** One line for logs and the CLI. */
export function summarizeReport(r: SyncReport): string {
  if (r.status === 'busy') return 'another sync is running; nothing done';
  const u = r.users;
  const g = r.groups;
  const head = r.dryRun ? 'dry run (nothing written)' : r.status === 'ok' ? 'sync done' : `sync failed: ${r.error ?? ''}`;
  return (
    `${head} in ${r.durationMs} ms; source ${r.source.users} users, ${r.source.groups} groups; ` +
    `users: ${u.created} created, ${u.updated} updated, ${u.unchanged} unchanged, ${u.deactivated} deactivated, ` +
    `${u.reactivated} reactivated, ${u.missing} missing, ${u.conflicts} conflicts, ${u.skipped} skipped, ${u.errors} errors; ` +
    `groups: ${g.created} created, ${g.updated} updated, ${g.unchanged} unchanged, ${g.membershipsChanged} memberships changed, ` +
    `${g.conflicts} conflicts, ${g.skipped} skipped, ${g.errors} errors`
  );
}
