import type { Entry } from '../../domain/entry.js';
import type { User } from '../../domain/model.js';
import type { EntryKind } from '../access-policy.js';

/**
 * One entry of the directory view: the Entry the filter evaluator reads, plus what the view needs
 * to place, order and cache it. Instances are immutable and replaced on every change, so the
 * encoded-entry cache they carry can never serve stale bytes.
 */
export class ViewEntry implements Entry {
  /** Encoded SearchResultEntry bodies per attribute selection (encoded-cache.ts). */
  encoded: EncodedSlots | undefined = undefined;
  /** The attributes' generation `encoded` was made at (encoded-cache.ts). */
  encodedAt = 0;

  constructor(
    readonly dn: string,
    readonly normDn: string,
    readonly attributes: ReadonlyMap<string, readonly string[]>,
    readonly kind: EntryKind,
    /** User, group or service account id; the container's name for containers. */
    readonly id: string,
    /** Normalised DN of the parent entry; null for the suffix entry. */
    readonly parent: string | null,
    /**
     * Global result order (suffix, ou=users, users by uidNumber, ou=groups, groups by gidNumber,
     * ou=system, service accounts, ou=teams, teams and derived groups): stable across changes so that paged searches are consistent.
     */
    readonly sortKey: number,
    /** The store record behind a user entry (read by the view, never encoded). */
    readonly user?: User,
  ) {}

  /** First value of an attribute, if any. */
  first(key: string): string | undefined {
    return this.attributes.get(key)?.[0];
  }
}

/** Cached encodings of one entry: selection key, bytes, selection key, bytes... oldest first. */
export type EncodedSlots = (string | Buffer)[];

/** Rank of each part of the tree in the global order; multiplied into ViewEntry.sortKey. */
export const Rank = {
  suffix: 0,
  usersContainer: 1,
  user: 2,
  groupsContainer: 3,
  group: 4,
  systemContainer: 5,
  system: 6,
  teamsContainer: 7,
  team: 8,
} as const;

const RANK_SPAN = 2 ** 44; // larger than any uidNumber/gidNumber or millisecond timestamp in use

export function sortKey(rank: number, order: number): number {
  return rank * RANK_SPAN + order;
}

export function compareEntries(a: ViewEntry, b: ViewEntry): number {
  return a.sortKey - b.sortKey || (a.normDn < b.normDn ? -1 : a.normDn > b.normDn ? 1 : 0);
}
