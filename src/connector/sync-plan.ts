import type { Group, Membership, User } from '../domain/model.js';
import type { GroupPatch, NewGroup, NewUser, UserPatch } from '../store/store.js';
import type { ConnectorConfig } from './connector-config.js';
import { normDnOf, type SourceGroup, type SourceUser } from './source-entries.js';
import type { ReportEntry, SyncReport } from '../directory/mirror/sync-report.js';

/** The writes one sync run makes, computed before anything is written (the dry-run answer). */

export type UserOp =
  | { readonly kind: 'create'; readonly dn: string; readonly user: NewUser & { readonly id: string; readonly username: string } }
  | { readonly kind: 'update'; readonly dn: string; readonly id: string; readonly name: string; readonly patch: UserPatch }
  | { readonly kind: 'deactivate' | 'reactivate'; readonly dn: string; readonly id: string; readonly name: string };

export type GroupOp =
  | { readonly kind: 'create'; readonly dn: string; readonly group: NewGroup & { readonly id: string } }
  | { readonly kind: 'update'; readonly dn: string; readonly id: string; readonly name: string; readonly patch: GroupPatch };

export interface MemberOp {
  readonly groupId: string;
  readonly name: string;
  readonly dn: string;
  readonly userIds: readonly string[];
}

export interface SyncPlan {
  readonly userOps: readonly UserOp[];
  readonly groupOps: readonly GroupOp[];
  readonly memberOps: readonly MemberOp[];
  readonly report: SyncReport;
}

/** What the plan is computed from: the source's entries and the store's current records. */
export interface PlanInput {
  readonly config: ConnectorConfig;
  readonly sourceUsers: readonly SourceUser[];
  /** undefined when group sync is off. */
  readonly sourceGroups: readonly SourceGroup[] | undefined;
  readonly users: readonly User[];
  readonly groups: readonly Group[];
  readonly memberships: readonly Membership[];
  /** Users the connector itself deactivated (on_missing: deactivate), so it may reactivate them. */
  readonly deactivatedBySync: ReadonlySet<string>;
  readonly newId: () => string;
}

/** Who the source's users became locally, for resolving group members. */
export interface UserResolution {
  readonly byNormDn: ReadonlyMap<string, string>;
  readonly byUsername: ReadonlyMap<string, string>;
}

export const entry = (
  kind: ReportEntry['kind'],
  dn: string,
  name: string | undefined,
  action: ReportEntry['action'],
  extra: { reason?: string; changes?: readonly string[] } = {},
): ReportEntry => ({ kind, dn, name, action, ...extra });

export const lower = (s: string): string => s.toLowerCase();

/**
 * Mirrored records whose source entry is still there, by stable id or DN, even when this run could
 * not mirror it (skipped, conflict, error): those are not gone and on_missing leaves them alone.
 */
export function stillInSource(sources: readonly { readonly id: string; readonly normDn: string }[]): (sourceId: string | null, sourceDn: string | null) => boolean {
  const ids = new Set(sources.map((s) => s.id));
  const dns = new Set(sources.map((s) => s.normDn));
  return (sourceId, sourceDn) =>
    (sourceId !== null && ids.has(sourceId)) || (sourceDn !== null && dns.has(normDnOf(sourceDn)));
}
