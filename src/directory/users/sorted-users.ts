import type { User } from '../../domain/model.js';

/** The sort key of the store's listing order: the username, or the email of an invited user, lower-cased. */
const keyOf = (user: User): string => (user.username ?? user.email).toLowerCase();

/**
 * The order of every user listing (store/store-reader.ts listUsers): users with a username by
 * lower(username), then those without one (invited) by lower(email). Both keys are unique in the
 * store (users_username_lower_key, users_email_lower_key), so the order is total; the id only
 * breaks ties a half-applied change could show. Compared by code unit, as the databases pgdir
 * creates compare (C / C.UTF-8 collation): see docs/performance.md for other collations.
 */
export function compareListing(a: User, b: User): number {
  const named = Number(a.username === null) - Number(b.username === null);
  if (named !== 0) return named;
  const ka = keyOf(a);
  const kb = keyOf(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Above this share of changed users a full sort beats merging. */
const MERGE_SHARE = 8;

/**
 * Every user of a map (the in-memory view's records) in the listing order, kept for one revision
 * of the map and brought up to date incrementally when the revision moves: records the view
 * replaced or dropped are found by identity in one pass (a changed user is a new record), new ones
 * are sorted alone and merged in. Never stale: the order is rebuilt whenever the map or its
 * revision differs from the ones it was made for.
 */
export class SortedUsers {
  private map: ReadonlyMap<string, User> | undefined;
  private revision = -1;
  private list: readonly User[] = [];

  /** The users of `map` at `revision`, sorted (the same array until either changes). */
  of(map: ReadonlyMap<string, User>, revision: number): readonly User[] {
    if (map === this.map && revision === this.revision) return this.list;
    this.list = map === this.map ? this.updated(map) : [...map.values()].sort(compareListing);
    this.map = map;
    this.revision = revision;
    return this.list;
  }

  private updated(map: ReadonlyMap<string, User>): User[] {
    const kept: User[] = [];
    const added: User[] = [];
    let replaced = 0;
    for (const user of this.list) {
      const now = map.get(user.id);
      if (now === user) kept.push(user);
      else if (now !== undefined) added.push(now), replaced++;
    }
    if (kept.length + replaced < map.size) {
      // New ids: the ones this list did not hold.
      const known = new Set<string>();
      for (const user of this.list) known.add(user.id);
      for (const [id, user] of map) if (!known.has(id)) added.push(user);
    }
    if (added.length === 0) return kept;
    if (added.length * MERGE_SHARE > map.size) return [...kept, ...added].sort(compareListing);
    return merge(kept, added.sort(compareListing));
  }
}

function merge(a: readonly User[], b: readonly User[]): User[] {
  const out = new Array<User>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compareListing(a[i] as User, b[j] as User) <= 0 ? (a[i++] as User) : (b[j++] as User);
  while (i < a.length) out[k++] = a[i++] as User;
  while (j < b.length) out[k++] = b[j++] as User;
  return out;
}
