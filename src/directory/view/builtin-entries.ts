import type { User } from '../../domain/model.js';
import { isListed, memberValuesChanged } from '../../domain/user-listing.js';
import type { BuiltinGroup } from './builtin-groups.js';
import type { Dit } from './dit.js';
import { buildGroupEntry, memberValues, type MemberValues } from './group-entry.js';
import { createdMs } from './user-record.js';
import type { ViewEntry } from './view-entry.js';

/** Whether a user change alters who is in the built-in groups, or the uids they list. */
export function membershipRelevant(old: User | undefined, next: User | undefined): boolean {
  if (memberValuesChanged(old, next)) return true;
  return old !== undefined && next !== undefined && isListed(next) && old.role !== next.role;
}

/** A built-in group's members as its entry shows them. */
interface BuiltinMembers {
  readonly values: MemberValues;
  /** The earliest member's creation; undefined without members. */
  readonly createdAt: Date | undefined;
}

/**
 * Both built-ins' members, in one pass over the listed users (in user order): `users` holds all
 * of them, `admins` those its rule includes. Only run when membership may have changed: the
 * member arrays are frozen and kept otherwise, so the evaluator's cached DN keys for 100,000
 * members survive an ordinary profile edit (match-values.ts).
 */
function builtinMembers(
  admins: BuiltinGroup,
  listed: readonly ViewEntry[],
): [BuiltinMembers, BuiltinMembers] {
  const adminMembers: ViewEntry[] = [];
  let first = Infinity;
  let adminFirst = Infinity;
  for (let i = 0; i < listed.length; i++) {
    const entry = listed[i] as ViewEntry;
    const user = entry.user as User;
    const created = createdMs(user);
    if (created < first) first = created;
    if (admins.includes(user)) {
      if (created < adminFirst) adminFirst = created;
      adminMembers.push(entry);
    }
  }
  const time = (ms: number): Date | undefined => (ms === Infinity ? undefined : new Date(ms));
  return [
    { values: memberValues(listed), createdAt: time(first) },
    { values: memberValues(adminMembers), createdAt: time(adminFirst) },
  ];
}

/**
 * What the built-in entries keep between catch-ups: their members (kept, frozen, while membership
 * stays) and their modifyTimestamp. Who is in a built-in group is a function of every user row,
 * so its time is the newest updatedAt of any user or of a user's deletion: it moves whenever
 * membership can have changed (RFC 4512 §3.4) and, unlike a maximum over the current members,
 * never goes back when the newest member leaves. A fresh load computes the same from the rows,
 * deleted users aside: a reload starts from the previous state's value (directory-view.ts).
 */
export class BuiltinState {
  private members: [BuiltinMembers, BuiltinMembers] | undefined;
  private updated = -Infinity;

  constructor(
    private readonly dit: Dit,
    private readonly groups: readonly [BuiltinGroup, BuiltinGroup],
  ) {}

  get modified(): Date | undefined {
    return this.updated === -Infinity ? undefined : new Date(this.updated);
  }

  /** A user row changed (or was deleted) at `at`; true when the time moved. */
  changedAt(at: Date | undefined): boolean {
    if (at === undefined || at.getTime() <= this.updated) return false;
    this.updated = at.getTime();
    return true;
  }

  /** Both entries; members are recomputed (a scan of the listed users) only when they may have changed. */
  entries(listed: readonly ViewEntry[], membershipChanged: boolean): ViewEntry[] {
    if (membershipChanged || this.members === undefined) this.members = builtinMembers(this.groups[1], listed);
    const [members, modified] = [this.members, this.modified];
    return this.groups.map((group, i) => {
      const { values, createdAt } = members[i] as BuiltinMembers;
      return buildGroupEntry(this.dit, { ...group, createdAt, updatedAt: modified }, values);
    });
  }
}
