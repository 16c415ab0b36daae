import { SettingKey } from '../directory/settings/setting-keys.js';
import { DirectoryError } from '../domain/errors.js';
import { createSourceMirror, type MirrorChange, type SourceMirror } from '../directory/mirror/source-mirror.js';
import type { Store } from '../store/store.js';
import { yieldToEventLoop, type ProgressListener } from '../domain/progress.js';
import type { MemberOp, SyncPlan, UserOp, GroupOp } from './sync-plan.js';
import { entry } from './sync-plan.js';
import type { SyncReport } from '../directory/mirror/sync-report.js';

/**
 * Writes a plan: users, then groups, then memberships, in transactions of `batchSize` steps. A
 * batch that hits a conflict (say, an admin created a user of the same name since the plan was
 * made) is retried one step per transaction, so that only the offending entries fail and are
 * reported. A database outage aborts the run: every committed batch is complete in itself, and
 * the next run converges from there.
 */

export const DEACTIVATED_SETTING = SettingKey.connectorDeactivated;

interface Step {
  readonly kind: 'user' | 'group';
  readonly dn: string;
  readonly name: string | undefined;
  readonly change: MirrorChange;
  /** Fixes the report's counters when the step fails. */
  failed(): void;
  /** For deactivate/reactivate: how the connector.deactivated set changes. */
  readonly deactivated?: { readonly id: string; readonly add: boolean };
}

const RETRYABLE = new Set(['conflict', 'not_found', 'invalid']);


/** One transaction per batch, through the directory's mirror use case. */
function runBatch(mirror: SourceMirror, steps: readonly Step[]): Promise<void> {
  return mirror.apply(
    steps.map((s) => s.change),
    steps.flatMap((s) => (s.deactivated ? [s.deactivated] : [])),
  );
}

/** Runs steps in batches; returns the steps that failed (each reported as an error). */
async function runSteps<S extends Step>(mirror: SourceMirror, steps: readonly S[], batchSize: number, report: SyncReport, progress?: (done: number) => void): Promise<S[]> {
  const failed: S[] = [];
  for (let at = 0; at < steps.length; at += batchSize) {
    progress?.(at);
    // Between batches, let LDAP and HTTP in: PGlite runs on this thread (issue 20, defect 4).
    if (at > 0) await yieldToEventLoop();
    const batch = steps.slice(at, at + batchSize);
    try {
      await runBatch(mirror, batch);
    } catch (error) {
      if (!(error instanceof DirectoryError) || !RETRYABLE.has(error.kind)) throw error;
      for (const step of batch) {
        try {
          await runBatch(mirror, [step]);
        } catch (stepError) {
          if (!(stepError instanceof DirectoryError) || !RETRYABLE.has(stepError.kind)) throw stepError;
          step.failed();
          report[step.kind === 'user' ? 'users' : 'groups'].errors++;
          report.entries.push(entry(step.kind, step.dn, step.name, 'error', { reason: stepError.message }));
          failed.push(step);
        }
      }
    }
  }
  progress?.(steps.length);
  return failed;
}

function userStep(op: UserOp, report: SyncReport): Step & { userId?: string } {
  const base = { kind: 'user' as const, dn: op.dn };
  switch (op.kind) {
    case 'create':
      return {
        ...base,
        name: op.user.username,
        userId: op.user.id,
        change: { kind: 'insertUser', user: op.user },
        failed: () => void report.users.created--,
        // Created inactive (disabled in the source): the sync may turn it on once the source does.
        ...(op.user.active === false ? { deactivated: { id: op.user.id, add: true } } : {}),
      };
    case 'update':
      return {
        ...base,
        name: op.name,
        change: { kind: 'updateUser', id: op.id, patch: op.patch },
        failed: () => {
          if (Object.keys(op.patch).some((k) => k !== 'active')) report.users.updated--;
          if (op.patch.active === true) report.users.reactivated--;
          if (op.patch.active === false) report.users.deactivated--;
        },
        ...(op.patch.active === undefined ? {} : { deactivated: { id: op.id, add: !op.patch.active } }),
      };
    case 'deactivate':
    case 'reactivate': {
      const active = op.kind === 'reactivate';
      return {
        ...base,
        name: op.name,
        change: { kind: 'updateUser', id: op.id, patch: { active } },
        failed: () => void (active ? report.users.reactivated-- : report.users.deactivated--),
        deactivated: { id: op.id, add: !active },
      };
    }
  }
}

function groupStep(op: GroupOp, report: SyncReport): Step & { createdId?: string } {
  if (op.kind === 'create') {
    return { kind: 'group', dn: op.dn, name: op.group.name, createdId: op.group.id, change: { kind: 'insertGroup', group: op.group }, failed: () => void report.groups.created-- };
  }
  return { kind: 'group', dn: op.dn, name: op.name, change: { kind: 'updateGroup', id: op.id, patch: op.patch }, failed: () => void report.groups.updated-- };
}

function memberStep(op: MemberOp, failedUsers: ReadonlySet<string>, report: SyncReport): Step {
  const userIds = op.userIds.filter((id) => !failedUsers.has(id));
  return { kind: 'group', dn: op.dn, name: op.name, change: { kind: 'setMembers', groupId: op.groupId, userIds }, failed: () => void report.groups.membershipsChanged-- };
}

export async function applyPlan(store: Store, plan: SyncPlan, batchSize = 500, onProgress?: ProgressListener): Promise<void> {
  const { report } = plan;
  const mirror = createSourceMirror(store);
  const phase = (name: string, total: number) => (onProgress === undefined ? undefined : (done: number) => onProgress({ phase: name, done, total }));
  const users = plan.userOps.map((op) => userStep(op, report));
  const failedUsers = new Set((await runSteps(mirror, users, batchSize, report, phase('users', users.length))).flatMap((s) => (s.userId ? [s.userId] : [])));
  const groups = plan.groupOps.map((op) => groupStep(op, report));
  const failedGroups = new Set((await runSteps(mirror, groups, batchSize, report, phase('groups', groups.length))).flatMap((s) => (s.createdId ? [s.createdId] : [])));
  const members = plan.memberOps.filter((m) => !failedGroups.has(m.groupId)).map((m) => memberStep(m, failedUsers, report));
  // Memberships touch many rows per step; smaller batches keep each transaction short.
  await runSteps(mirror, members, Math.max(1, Math.floor(batchSize / 10)), report, phase('members', members.length));
}
