import type { ViewEntry } from './view-entry.js';

/**
 * Entries by normalised DN. User entries are not held here: a user's DN is `cn=uid-<id>,` + the
 * users container (dit.ts, DESIGN §3), so `get` finds them through the users-by-id map instead of
 * a second map entry (and a hash of a 70-character DN) per user (issue 18, footprint).
 */
export class EntriesByDn {
  private readonly others = new Map<string, ViewEntry>();
  private readonly userSuffix: string;

  constructor(
    usersNorm: string,
    private readonly users: ReadonlyMap<string, ViewEntry>,
  ) {
    this.userSuffix = `,${usersNorm}`;
  }

  get(normDn: string): ViewEntry | undefined {
    const other = this.others.get(normDn);
    if (other !== undefined || !normDn.startsWith(USER_PREFIX) || !normDn.endsWith(this.userSuffix)) return other;
    const user = this.users.get(normDn.slice(USER_PREFIX.length, normDn.length - this.userSuffix.length));
    return user?.normDn === normDn ? user : undefined;
  }

  /** Links a non-user entry (user entries are found through the users map). */
  set(entry: ViewEntry): void {
    if (entry.kind !== 'user') this.others.set(entry.normDn, entry);
  }

  /** Unlinks `entry` if it still owns its DN (a group renamed to a name another just gave up may not). */
  delete(entry: ViewEntry): void {
    if (this.others.get(entry.normDn) === entry) this.others.delete(entry.normDn);
  }

  get size(): number {
    return this.others.size + this.users.size;
  }

  /** Every entry (no particular order). */
  *values(): IterableIterator<ViewEntry> {
    yield* this.others.values();
    yield* this.users.values();
  }
}

const USER_PREFIX = 'cn=uid-';
