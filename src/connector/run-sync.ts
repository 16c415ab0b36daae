import { randomUUID } from 'node:crypto';
import { ResultCodeError } from 'ldapts';
import { createSourceMirror } from '../directory/mirror/source-mirror.js';
import { SettingKey } from '../directory/settings/setting-keys.js';
import { DirectoryError } from '../domain/errors.js';
import { throttleProgress } from '../domain/progress.js';
import type { Store } from '../store/store.js';
import { applyPlan, DEACTIVATED_SETTING } from './apply-plan.js';
import type { SyncOptions } from '../daemon/connector-port.js';
import type { ConnectorConfig } from './connector-config.js';
import { planGroups } from './plan-groups.js';
import { planUsers } from './plan-users.js';
import { describeSourceError, withSource } from './source-client.js';
import { readSourceGroups, readSourceUsers, type SourceGroup, type SourceUser } from './source-entries.js';
import type { PlanInput, SyncPlan } from './sync-plan.js';
import { boundedReport, newReport, type SyncReport } from '../directory/mirror/sync-report.js';

/**
 * One sync run (DESIGN §9): read everything from the source first (so that a source failing half
 * way writes nothing), plan against one store snapshot, apply in batches, store the report. Real
 * runs are single-flight across processes through the store's advisory lock; dry runs only read.
 */

export const SYNC_LOCK = 'pgdir.connector.sync';
export const REPORT_SETTING = SettingKey.connectorLastReport;

export interface SyncResult {
  readonly report: SyncReport;
  /** The planned writes (for dry runs: what a real run would do). */
  readonly plan: SyncPlan | undefined;
}

async function readSource(config: ConnectorConfig): Promise<{ users: SourceUser[]; groups: SourceGroup[] | undefined }> {
  return withSource(config, async (client) => {
    const users = await readSourceUsers(client, config);
    const groups = config.syncGroups ? await readSourceGroups(client, config) : undefined;
    return { users, groups };
  });
}

/** Computes the plan (no writes). */
export async function planSync(store: Store, config: ConnectorConfig, trigger: string, dryRun: boolean): Promise<SyncPlan> {
  const source = await readSource(config);
  const [snapshot, deactivated] = await Promise.all([store.snapshot(), store.getSetting<string[]>(DEACTIVATED_SETTING)]);
  const report = newReport(trigger, dryRun, { users: source.users.length, groups: source.groups?.length ?? 0 });
  const input: PlanInput = {
    config,
    sourceUsers: source.users,
    sourceGroups: source.groups,
    users: snapshot.users,
    groups: snapshot.groups,
    memberships: snapshot.memberships,
    deactivatedBySync: new Set(deactivated ?? []),
    newId: randomUUID,
  };
  const users = planUsers(input, report);
  const groups = planGroups(input, users.resolution, report);
  return { userOps: users.ops, groupOps: groups.ops, memberOps: groups.members, report };
}

function describeFailure(error: unknown): string {
  if (error instanceof DirectoryError) return error.message;
  return `the source answered ${describeSourceError(error)}`;
}

/** withSource turns transport failures into DirectoryError('unavailable'); an LDAP result left is a "no". */
function failureKind(error: unknown): NonNullable<SyncReport['errorKind']> {
  if (error instanceof ResultCodeError) return 'invalid';
  if (!(error instanceof DirectoryError)) return 'internal';
  return error.kind === 'unavailable' || error.kind === 'invalid' ? error.kind : 'internal';
}

function finish(report: SyncReport, started: number): SyncReport {
  report.finishedAt = new Date().toISOString();
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

async function storeReport(store: Store, report: SyncReport, actor: string): Promise<void> {
  const stored = boundedReport(report);
  await createSourceMirror(store).recordSync(stored as unknown as Record<string, unknown>, actor, report.status === 'ok');
}

async function runLocked(store: Store, config: ConnectorConfig, options: SyncOptions, started: number): Promise<SyncResult> {
  const trigger = options.trigger ?? 'manual';
  let plan: SyncPlan | undefined;
  let report: SyncReport;
  try {
    const progress = throttleProgress(options.onProgress);
    progress?.({ phase: 'reading', done: 0, total: 1 });
    plan = await planSync(store, config, trigger, options.dryRun === true);
    report = plan.report;
    progress?.({ phase: 'reading', done: 1, total: 1 });
    if (options.dryRun !== true) await applyPlan(store, plan, options.batchSize, progress);
  } catch (error) {
    report = plan?.report ?? newReport(trigger, options.dryRun === true);
    report.status = 'failed';
    report.error = describeFailure(error);
    report.errorKind = failureKind(error);
  }
  finish(report, started);
  if (options.dryRun !== true) await storeReport(store, report, options.actor ?? 'connector');
  return { report, plan };
}

/** Runs a sync (or a dry run) and returns its report; never throws for source or entry problems. */
export async function runSync(store: Store, config: ConnectorConfig, options: SyncOptions = {}): Promise<SyncResult> {
  const started = performance.now();
  if (options.dryRun === true) return runLocked(store, config, options, started);
  const locked = await store.withAdvisoryLock(SYNC_LOCK, () => runLocked(store, config, options, started));
  if (locked.acquired) return locked.value;
  const report = finish(newReport(options.trigger ?? 'manual', false), started);
  report.status = 'busy';
  return { report, plan: undefined };
}

/** The latest stored report, if any run finished yet. */
export function lastSyncReport(store: Pick<Store, 'getSetting'>): Promise<SyncReport | undefined> {
  return store.getSetting<SyncReport>(REPORT_SETTING);
}
