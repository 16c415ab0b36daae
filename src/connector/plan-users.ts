import { normalizeDisplayName } from '../domain/display-name.js';
import { normalizeEmail } from '../domain/email.js';
import type { User } from '../domain/model.js';
import { normalizeUsername } from '../domain/username.js';
import type { UserPatch } from '../store/store.js';
import { normDnOf, type SourceUser } from './source-entries.js';
import { entry, lower, stillInSource, type PlanInput, type UserOp, type UserResolution } from './sync-plan.js';
import type { SyncReport } from '../directory/mirror/sync-report.js';

/**
 * Plans the user half of a sync (DESIGN §9): match each source user by stable id, then by
 * username; never take over a local user (conflict); create, update or leave alone; then handle
 * mirrored users the source no longer has per `on_missing` (an entry the source still has but
 * this run could not mirror is not "gone"). Accounts the source disables (AD) mirror inactive.
 * Pure: reads only its input.
 */

interface Valid {
  readonly source: SourceUser;
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
}

interface Indexes {
  readonly bySourceId: Map<string, User>;
  readonly byUsername: Map<string, User>;
  readonly byEmail: Map<string, User>;
}

function indexUsers(users: readonly User[]): Indexes {
  const idx: Indexes = { bySourceId: new Map(), byUsername: new Map(), byEmail: new Map() };
  for (const u of users) {
    if (u.source === 'ldap' && u.sourceId !== null) idx.bySourceId.set(u.sourceId, u);
    if (u.username !== null) idx.byUsername.set(lower(u.username), u);
    idx.byEmail.set(lower(u.email), u);
  }
  return idx;
}

/** Validates the source values; undefined (with a `skip` entry) when the user cannot be mirrored. */
function validate(s: SourceUser, report: SyncReport): Valid | undefined {
  try {
    if (s.username === undefined) throw new Error('has no username attribute value');
    const username = normalizeUsername(s.username);
    if (s.email === undefined) throw new Error('has no email address (pgdir requires one)');
    const email = normalizeEmail(s.email);
    let displayName: string;
    try {
      displayName = normalizeDisplayName(s.displayName);
    } catch {
      displayName = '';
    }
    return { source: s, username, email, displayName };
  } catch (error) {
    report.users.skipped++;
    report.entries.push(entry('user', s.dn, s.username, 'skip', { reason: (error as Error).message }));
    return undefined;
  }
}

/** The existing record this source user is, or a reason it cannot be mirrored. */
function match(v: Valid, idx: Indexes, claimed: Set<string>): { user: User | undefined } | { conflict: string } | { error: string } {
  const indexed = idx.bySourceId.get(v.source.id);
  const byId = indexed !== undefined && !claimed.has(indexed.id) ? indexed : undefined;
  const byName = idx.byUsername.get(v.username);
  const user = byId ?? (byName?.source === 'ldap' && !claimed.has(byName.id) ? byName : undefined);
  if (user === undefined && byName !== undefined) {
    return byName.source === 'local'
      ? { conflict: `a local user "${v.username}" exists; pgdir never takes over local users` }
      : { error: `username "${v.username}" is already used by another mirrored user` };
  }
  if (user !== undefined && byName !== undefined && byName.id !== user.id) {
    return { error: `cannot rename to "${v.username}": the name is taken by ${byName.source === 'local' ? 'a local' : 'another mirrored'} user` };
  }
  const byEmail = idx.byEmail.get(v.email);
  if (byEmail !== undefined && byEmail.id !== user?.id) {
    return byEmail.source === 'local'
      ? { conflict: `email "${v.email}" belongs to the local user "${byEmail.username ?? byEmail.id}"` }
      : { error: `email "${v.email}" is already used by another mirrored user` };
  }
  return { user };
}

/** What `active` becomes: off when the source disables the account; back on only if a sync turned it off. */
function activeChange(user: User, v: Valid, input: PlanInput): boolean | undefined {
  if (v.source.disabled) return user.active ? false : undefined;
  return !user.active && input.deactivatedBySync.has(user.id) ? true : undefined;
}

function diff(user: User, v: Valid, active: boolean | undefined): { patch: UserPatch; changes: string[] } {
  const patch: { -readonly [K in keyof UserPatch]: UserPatch[K] } = {};
  if (user.username !== v.username) patch.username = v.username;
  if (lower(user.email) !== v.email) patch.email = v.email;
  if (user.displayName !== v.displayName) patch.displayName = v.displayName;
  if (user.sourceId !== v.source.id) patch.sourceId = v.source.id;
  if (user.sourceDn !== v.source.dn) patch.sourceDn = v.source.dn;
  if (active !== undefined) patch.active = active;
  return { patch, changes: Object.keys(patch) };
}

function planCreate(input: PlanInput, v: Valid, report: SyncReport): { op: UserOp; id: string } {
  const s = v.source;
  const id = input.newId();
  report.users.created++;
  report.entries.push(entry('user', s.dn, v.username, 'create', s.disabled ? { changes: ['inactive: disabled in the source'] } : {}));
  const fields = { username: v.username, email: v.email, displayName: v.displayName, sourceId: s.id, sourceDn: s.dn };
  return { id, op: { kind: 'create', dn: s.dn, user: { id, ...fields, source: 'ldap', passwordHash: null, active: !s.disabled } } };
}

function planOne(input: PlanInput, v: Valid, idx: Indexes, claimed: Set<string>, report: SyncReport): { op?: UserOp; id?: string } {
  const s = v.source;
  const found = match(v, idx, claimed);
  if ('conflict' in found || 'error' in found) {
    const isConflict = 'conflict' in found;
    report.users[isConflict ? 'conflicts' : 'errors']++;
    report.entries.push(entry('user', s.dn, v.username, isConflict ? 'conflict' : 'error', { reason: isConflict ? found.conflict : found.error }));
    return {};
  }
  const user = found.user;
  if (user === undefined) return planCreate(input, v, report);
  claimed.add(user.id);
  const active = activeChange(user, v, input);
  const { patch, changes } = diff(user, v, active);
  if (changes.length === 0) {
    report.users.unchanged++;
    return { id: user.id };
  }
  if (active === true) report.users.reactivated++;
  if (active === false) report.users.deactivated++;
  if (changes.some((c) => c !== 'active')) report.users.updated++;
  const action = active === true ? 'reactivate' : active === false ? 'deactivate' : 'update';
  report.entries.push(entry('user', s.dn, v.username, action, { changes, ...(active === false ? { reason: 'disabled in the source' } : {}) }));
  return { id: user.id, op: { kind: 'update', dn: s.dn, id: user.id, name: v.username, patch } };
}

/** Marks duplicates inside the source itself (two entries with one username, email or id). */
function dropSourceDuplicates(valid: readonly Valid[], report: SyncReport): Valid[] {
  const seen = new Set<string>();
  return valid.filter((v) => {
    const keys = [`id:${v.source.id}`, `u:${v.username}`, `e:${v.email}`];
    const dup = keys.find((k) => seen.has(k));
    keys.forEach((k) => seen.add(k));
    if (dup === undefined) return true;
    report.users.errors++;
    report.entries.push(entry('user', v.source.dn, v.username, 'error', { reason: `the source has another entry with the same ${dup.startsWith('id') ? 'id' : dup.startsWith('u') ? 'username' : 'email'}` }));
    return false;
  });
}

function planMissing(input: PlanInput, claimed: Set<string>, sourceCount: number, report: SyncReport): UserOp[] {
  const present = stillInSource(input.sourceUsers);
  const missing = input.users.filter((u) => u.source === 'ldap' && !claimed.has(u.id) && !present(u.sourceId, u.sourceDn));
  report.users.missing = missing.length;
  if (input.config.onMissing !== 'deactivate') return [];
  const active = missing.filter((u) => u.active);
  if (sourceCount === 0 && active.length > 0) {
    // An empty answer is far more often a wrong filter or base than an emptied directory.
    report.users.errors++;
    report.entries.push(entry('user', input.config.usersBaseDn, undefined, 'error', { reason: `the source returned no users; refusing to deactivate ${active.length} mirrored users` }));
    return [];
  }
  report.users.deactivated += active.length;
  return active.map((u) => {
    report.entries.push(entry('user', u.sourceDn ?? '', u.username ?? undefined, 'deactivate', { reason: 'gone from the source' }));
    return { kind: 'deactivate' as const, dn: u.sourceDn ?? '', id: u.id, name: u.username ?? u.email };
  });
}

export function planUsers(input: PlanInput, report: SyncReport): { ops: UserOp[]; resolution: UserResolution } {
  const idx = indexUsers(input.users);
  const claimed = new Set<string>();
  const byNormDn = new Map<string, string>();
  const byUsername = new Map<string, string>();
  const ops: UserOp[] = [];
  const sorted = [...input.sourceUsers].sort((a, b) => (a.normDn < b.normDn ? -1 : a.normDn > b.normDn ? 1 : 0));
  const valid = dropSourceDuplicates(sorted.map((s) => validate(s, report)).filter((v): v is Valid => v !== undefined), report);
  for (const v of valid) {
    const { op, id } = planOne(input, v, idx, claimed, report);
    if (op !== undefined) ops.push(op);
    if (id === undefined) continue;
    byNormDn.set(v.source.normDn, id);
    byUsername.set(v.username, id);
  }
  keepUnmirrored(input, idx, byNormDn, byUsername);
  ops.push(...planMissing(input, claimed, input.sourceUsers.length, report));
  return { ops, resolution: { byNormDn, byUsername } };
}

/**
 * Source users this run could not mirror (skipped, conflict, error) whose earlier mirror still
 * exists stay resolvable by their source DN and name, so that the groups they are in keep them:
 * an entry the source still has is not "gone", for memberships either.
 */
function keepUnmirrored(input: PlanInput, idx: Indexes, byNormDn: Map<string, string>, byUsername: Map<string, string>): void {
  const bySourceDn = new Map<string, string>();
  for (const u of input.users) if (u.source === 'ldap' && u.sourceDn !== null) bySourceDn.set(normDnOf(u.sourceDn), u.id);
  for (const s of input.sourceUsers) {
    if (byNormDn.has(s.normDn)) continue;
    const id = idx.bySourceId.get(s.id)?.id ?? bySourceDn.get(s.normDn);
    if (id === undefined) continue;
    byNormDn.set(s.normDn, id);
    if (s.username !== undefined && !byUsername.has(lower(s.username))) byUsername.set(lower(s.username), id);
  }
}
