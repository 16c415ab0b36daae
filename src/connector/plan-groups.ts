import { normalizeDescription } from '../domain/description.js';
import { normalizeGroupName } from '../domain/group-name.js';
import type { Group } from '../domain/model.js';
import type { GroupPatch } from '../store/store.js';
import { normDnOf, type SourceGroup } from './source-entries.js';
import { entry, lower, type GroupOp, type MemberOp, type PlanInput, type UserResolution } from './sync-plan.js';
import type { SyncReport } from '../directory/mirror/sync-report.js';

/**
 * Plans the group half of a sync: groups matched by stable id, then by name (a local group of
 * that name is a conflict, never taken over); mirrored groups get exactly the source's members
 * among the mirrored users. Groups gone from the source are kept; with on_missing=deactivate
 * they are emptied, so that they grant nothing any more. A group whose member list could not be
 * read completely is an error and keeps its members.
 */

/**
 * Source group names often contain spaces or underscores ("Domain Users"), which pgdir names do
 * not allow (DESIGN §7); they become hyphens. Other characters still make the group skipped.
 */
export function groupNameOf(raw: string): string {
  return normalizeGroupName(raw.trim().replace(/[\s_]+/g, '-'));
}

function memberIds(g: SourceGroup, input: PlanInput, users: UserResolution): string[] {
  const ids = new Set<string>();
  for (const value of g.members) {
    const id =
      input.config.membershipAttribute === 'memberUid'
        ? users.byUsername.get(lower(value.trim()))
        : users.byNormDn.get(normDnOf(value));
    if (id !== undefined) ids.add(id); // nested groups and unmirrored users are left out
  }
  return [...ids].sort();
}

function sameMembers(current: readonly string[] | undefined, wanted: readonly string[]): boolean {
  if ((current?.length ?? 0) !== wanted.length) return false;
  const set = new Set(current);
  return wanted.every((id) => set.has(id));
}

function membersOp(group: { id: string; name: string }, dn: string, wanted: string[], current: readonly string[] | undefined): MemberOp | undefined {
  if (sameMembers(current, wanted)) return undefined;
  return { groupId: group.id, name: group.name, dn, userIds: wanted };
}

interface Ctx {
  readonly input: PlanInput;
  readonly report: SyncReport;
  readonly bySourceId: Map<string, Group>;
  readonly byName: Map<string, Group>;
  readonly members: Map<string, string[]>;
  readonly claimed: Set<string>;
}

function validName(g: SourceGroup, report: SyncReport): string | undefined {
  try {
    if (g.name === undefined) throw new Error('has no group name attribute value');
    return groupNameOf(g.name);
  } catch (error) {
    report.groups.skipped++;
    report.entries.push(entry('group', g.dn, g.name, 'skip', { reason: (error as Error).message }));
    return undefined;
  }
}

function findGroup(ctx: Ctx, g: SourceGroup, name: string): Group | undefined | string {
  const byId = ctx.bySourceId.get(g.id);
  const byName = ctx.byName.get(name);
  const group = byId !== undefined && !ctx.claimed.has(byId.id) ? byId : byName?.source === 'ldap' && !ctx.claimed.has(byName.id) ? byName : undefined;
  if (byName !== undefined && byName.id !== group?.id) {
    return byName.source === 'local' ? `a local group "${name}" exists; pgdir never takes over local groups` : `group name "${name}" is already used by another mirrored group`;
  }
  return group;
}

function planOne(ctx: Ctx, g: SourceGroup, users: UserResolution): { op?: GroupOp; members?: MemberOp } {
  const { report } = ctx;
  if (g.incomplete !== undefined) {
    // A partial member list taken for the whole one would remove everybody else (AD ranges).
    report.groups.errors++;
    report.entries.push(entry('group', g.dn, g.name, 'error', { reason: `${g.incomplete}; the group is left as it is` }));
    return {};
  }
  const name = validName(g, report);
  if (name === undefined) return {};
  const found = findGroup(ctx, g, name);
  if (typeof found === 'string') {
    const local = found.startsWith('a local');
    report.groups[local ? 'conflicts' : 'errors']++;
    report.entries.push(entry('group', g.dn, name, local ? 'conflict' : 'error', { reason: found }));
    return {};
  }
  const description = safeDescription(g.description);
  const wanted = memberIds(g, ctx.input, users);
  if (found === undefined) {
    const id = ctx.input.newId();
    report.groups.created++;
    report.entries.push(entry('group', g.dn, name, 'create', { changes: [`${wanted.length} members`] }));
    const op: GroupOp = { kind: 'create', dn: g.dn, group: { id, name, description, source: 'ldap', sourceId: g.id } };
    return { op, ...(wanted.length > 0 ? { members: { groupId: id, name, dn: g.dn, userIds: wanted } } : {}) };
  }
  ctx.claimed.add(found.id);
  const patch: { -readonly [K in keyof GroupPatch]: GroupPatch[K] } = {};
  if (found.name !== name) patch.name = name;
  if (found.description !== description) patch.description = description;
  if (found.sourceId !== g.id) patch.sourceId = g.id;
  const members = membersOp({ id: found.id, name }, g.dn, wanted, ctx.members.get(found.id));
  const changes = Object.keys(patch);
  if (changes.length > 0) report.groups.updated++;
  else if (members === undefined) report.groups.unchanged++;
  if (changes.length > 0) report.entries.push(entry('group', g.dn, name, 'update', { changes }));
  const op: GroupOp | undefined = changes.length > 0 ? { kind: 'update', dn: g.dn, id: found.id, name, patch } : undefined;
  return { ...(op ? { op } : {}), ...(members ? { members } : {}) };
}

function safeDescription(value: string): string {
  try {
    return normalizeDescription(value);
  } catch {
    return '';
  }
}

function context(input: PlanInput, report: SyncReport): Ctx {
  const ctx: Ctx = { input, report, bySourceId: new Map(), byName: new Map(), members: new Map(), claimed: new Set() };
  for (const g of input.groups) {
    if (g.source === 'ldap' && g.sourceId !== null) ctx.bySourceId.set(g.sourceId, g);
    ctx.byName.set(lower(g.name), g);
  }
  for (const m of input.memberships) {
    const list = ctx.members.get(m.groupId) ?? [];
    list.push(m.userId);
    ctx.members.set(m.groupId, list);
  }
  return ctx;
}

export function planGroups(input: PlanInput, users: UserResolution, report: SyncReport): { ops: GroupOp[]; members: MemberOp[] } {
  if (input.sourceGroups === undefined) return { ops: [], members: [] };
  const ctx = context(input, report);
  const ops: GroupOp[] = [];
  const members: MemberOp[] = [];
  const seen = new Set<string>();
  const sorted = [...input.sourceGroups].sort((a, b) => (a.normDn < b.normDn ? -1 : a.normDn > b.normDn ? 1 : 0));
  for (const g of sorted) {
    if (seen.has(g.id)) continue; // the same entry twice (overlapping bases) counts once
    seen.add(g.id);
    const planned = planOne(ctx, g, users);
    if (planned.op) ops.push(planned.op);
    if (planned.members) members.push(planned.members);
  }
  // Groups the source still has but this run could not mirror (skipped, conflict, error) are not gone.
  // `seen` holds every source group's id, mirrored or not.
  const missing = input.groups.filter((g) => g.source === 'ldap' && !ctx.claimed.has(g.id) && !(g.sourceId !== null && seen.has(g.sourceId)));
  report.groups.missing = missing.length;
  if (input.config.onMissing === 'deactivate' && input.sourceGroups.length > 0) {
    for (const g of missing) {
      const op = membersOp(g, '', [], ctx.members.get(g.id));
      if (op) members.push(op);
    }
  }
  report.groups.membershipsChanged = members.length;
  for (const m of members) report.entries.push(entry('group', m.dn, m.name, 'members', { changes: [`${m.userIds.length} members`] }));
  return { ops, members };
}
