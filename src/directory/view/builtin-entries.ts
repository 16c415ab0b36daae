import type { User } from '../../domain/model.js';
import { isListed, type BuiltinGroup } from './builtin-groups.js';
import type { Dit } from './dit.js';
import { buildGroupEntry, memberValues, memberValuesOf, NO_MEMBERS, type GroupShape, type MemberValues } from './group-entry.js';
import type { ViewEntry } from './view-entry.js';

/** Whether a user change alters who is in the built-in groups, or the uids they list. */
export function membershipRelevant(old: User | undefined, next: User | undefined): boolean {
  const was = old !== undefined && isListed(old);
  const is = next !== undefined && isListed(next);
  if (was !== is) return true;
  if (!is || old === undefined || next === undefined) return false;
  return old.username !== next.username || old.role !== next.role;
}

/**
 * The built-in group entries, in one pass over the listed users (in user order): `users` holds
 * all of them, `admins` those its rule includes. Timestamps are the members' earliest creation
 * and latest update. When `membershipChanged` is false, the frozen member arrays of the current
 * entries are kept, so the evaluator's cached DN keys for 100,000 members survive an ordinary
 * profile edit and a catch-up costs one scan, not a rebuild.
 */
export function builtinEntries(
  dit: Dit,
  [users, admins]: readonly [BuiltinGroup, BuiltinGroup],
  listed: readonly ViewEntry[],
  current: (id: string) => ViewEntry | undefined,
  membershipChanged: boolean,
): [ViewEntry, ViewEntry] {
  const adminMembers: ViewEntry[] = [];
  const all = new Span();
  const adminSpan = new Span();
  for (let i = 0; i < listed.length; i++) {
    const entry = listed[i] as ViewEntry;
    const user = entry.user as User;
    all.add(user);
    if (admins.includes(user)) {
      adminSpan.add(user);
      adminMembers.push(entry);
    }
  }
  const build = (builtin: BuiltinGroup, span: Span, members: readonly ViewEntry[]): ViewEntry => {
    const values: MemberValues = membershipChanged
      ? memberValues(members)
      : (memberValuesOf(current(builtin.id)) ?? NO_MEMBERS);
    const shape: GroupShape = { ...builtin, createdAt: span.first(), updatedAt: span.last() };
    return buildGroupEntry(dit, shape, values);
  };
  return [build(users, all, listed), build(admins, adminSpan, adminMembers)];
}

/** Earliest creation and latest update among a built-in group's members. */
class Span {
  private created = Infinity;
  private updated = -Infinity;

  add(user: User): void {
    const c = user.createdAt.getTime();
    const u = user.updatedAt.getTime();
    if (c < this.created) this.created = c;
    if (u > this.updated) this.updated = u;
  }

  first(): Date | undefined {
    return this.created === Infinity ? undefined : new Date(this.created);
  }

  last(): Date | undefined {
    return this.updated === -Infinity ? undefined : new Date(this.updated);
  }
}
