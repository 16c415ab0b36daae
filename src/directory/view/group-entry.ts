import { formatGeneralizedTime as generalizedTime } from '../../domain/generalized-time.js';
import { groupDn, groupNorm, type Dit } from './dit.js';
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
 * A group entry (DESIGN §3): single-valued cn, member and uniqueMember holding the same canonical
 * user DNs (one shared array, byte-identical to the users' entry DNs), memberUid the usernames.
 * An empty group has no member attribute at all (clients.md §5.3: never an attribute without values).
 * `members` are the listed users' entries in user order.
 */
export function buildGroupEntry(dit: Dit, group: GroupShape, members: readonly ViewEntry[]): ViewEntry {
  const dn = groupDn(dit, group.name);
  const attrs = new Map<string, readonly string[]>();
  attrs.set('objectclass', OBJECT_CLASSES);
  attrs.set('cn', [group.name]);
  attrs.set('gidnumber', [String(group.gidNumber)]);
  if (group.description.trim() !== '') attrs.set('description', [group.description]);
  if (members.length > 0) {
    const dns = members.map((m) => m.dn);
    attrs.set('member', dns);
    attrs.set('uniquemember', dns);
    attrs.set('memberuid', members.map(memberUid));
  }
  attrs.set('entryuuid', [group.id.toLowerCase()]);
  attrs.set('entrydn', [dn]);
  if (group.createdAt) attrs.set('createtimestamp', [generalizedTime(group.createdAt)]);
  if (group.updatedAt) attrs.set('modifytimestamp', [generalizedTime(group.updatedAt)]);
  attrs.set('structuralobjectclass', STRUCTURAL);
  attrs.set('hassubordinates', FALSE);
  attrs.set('subschemasubentry', SUBSCHEMA);
  const norm = groupNorm(dit, group.name);
  return new ViewEntry(dn, norm, attrs, 'group', group.id, dit.groupsNorm, sortKey(Rank.group, group.gidNumber));
}

/** The member's username, as its uid shows it (toLowerCase returns the same string when unchanged). */
function memberUid(member: ViewEntry): string {
  return member.user?.username?.toLowerCase() ?? member.first('uid') ?? '';
}
