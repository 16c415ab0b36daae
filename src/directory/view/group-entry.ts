import { formatGeneralizedTime as generalizedTime } from '../../domain/generalized-time.js';
import { groupDn, groupNorm, type Dit } from './dit.js';
import { userUid } from './user-entry.js';
import { Rank, sortKey, ViewEntry } from './view-entry.js';

const OBJECT_CLASSES = Object.freeze(['top', 'group', 'groupOfNames', 'groupOfUniqueNames', 'posixGroup']);
/** For the objectClass planner (candidate-plan.ts). */
export const GROUP_OBJECT_CLASSES: ReadonlySet<string> = new Set(OBJECT_CLASSES);
const STRUCTURAL = Object.freeze(['groupOfNames']);
const FALSE = Object.freeze(['FALSE']);
const SUBSCHEMA = Object.freeze(['cn=Subschema']);

/** What a group entry is made of: a stored group or a built-in one. */
export interface GroupShape {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly gidNumber: number;
  /** Absent for a built-in group without members: no row whose times would mean anything. */
  readonly createdAt: Date | undefined;
  readonly updatedAt: Date | undefined;
}

/**
 * A group's member values: user DNs (member and uniqueMember share the array) and usernames.
 * Frozen, so the filter evaluator caches their match keys by identity (match-values.ts): with
 * 100,000 members, normalising every DN once per search would dominate `(member=...)` queries.
 */
export interface MemberValues {
  readonly dns: readonly string[];
  readonly uids: readonly string[];
}

export const NO_MEMBERS: MemberValues = Object.freeze({ dns: Object.freeze([]), uids: Object.freeze([]) });

/** Member values of listed users' entries, in user order. */
export function memberValues(members: readonly ViewEntry[]): MemberValues {
  if (members.length === 0) return NO_MEMBERS;
  return { dns: Object.freeze(members.map((m) => m.dn)), uids: Object.freeze(members.map((m) => userUid(m) ?? '')) };
}

/**
 * A group entry (DESIGN §3): single-valued cn, member and uniqueMember holding the same canonical
 * user DNs (byte-identical to the users' entry DNs), memberUid the usernames. An empty group
 * has no member attribute at all (clients.md §5.3: never an attribute without values).
 */
export function buildGroupEntry(dit: Dit, group: GroupShape, members: MemberValues): ViewEntry {
  const dn = groupDn(dit, group.name);
  const attrs = new Map<string, readonly string[]>();
  const one = (value: string): readonly string[] => Object.freeze([value]);
  attrs.set('objectclass', OBJECT_CLASSES);
  attrs.set('cn', one(group.name));
  attrs.set('gidnumber', one(String(group.gidNumber)));
  if (group.description.trim() !== '') attrs.set('description', one(group.description));
  if (members.dns.length > 0) {
    attrs.set('member', members.dns);
    attrs.set('uniquemember', members.dns);
    attrs.set('memberuid', members.uids);
  }
  attrs.set('entryuuid', one(group.id.toLowerCase()));
  attrs.set('entrydn', one(dn));
  if (group.createdAt) attrs.set('createtimestamp', one(generalizedTime(group.createdAt)));
  if (group.updatedAt) attrs.set('modifytimestamp', one(generalizedTime(group.updatedAt)));
  attrs.set('structuralobjectclass', STRUCTURAL);
  attrs.set('hassubordinates', FALSE);
  attrs.set('subschemasubentry', SUBSCHEMA);
  const norm = groupNorm(dit, group.name);
  return new ViewEntry(dn, norm, attrs, 'group', group.id, dit.groupsNorm, sortKey(Rank.group, group.gidNumber));
}
