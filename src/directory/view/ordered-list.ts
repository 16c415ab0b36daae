import { compareEntries, type ViewEntry } from './view-entry.js';

/** Above this many changes a rebuild by sort beats splicing one by one. */
const SPLICE_LIMIT = 256;

/**
 * Applies removals and additions to a sorted entry list, copy-on-write: searches and paging
 * cursors holding the old array keep a consistent snapshot, and one batch costs one copy.
 */
export function updateOrdered(
  list: readonly ViewEntry[],
  removed: readonly ViewEntry[],
  added: readonly ViewEntry[],
): readonly ViewEntry[] {
  if (removed.length === 0 && added.length === 0) return list;
  if (removed.length + added.length > SPLICE_LIMIT) {
    const gone = new Set(removed);
    const next = [...list.filter((e) => !gone.has(e)), ...added];
    // A full load arrives in uid/gid order already (store.snapshot): skip the sort then.
    return isSorted(next) ? next : next.sort(compareEntries);
  }
  const next = list.slice();
  for (const entry of removed) {
    const at = lowerBound(next, entry);
    if (next[at] === entry) next.splice(at, 1);
  }
  for (const entry of added) next.splice(lowerBound(next, entry), 0, entry);
  return next;
}

/** First position whose entry does not sort before `entry`. */
export function lowerBound(list: readonly ViewEntry[], entry: ViewEntry): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntries(list[mid] as ViewEntry, entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function isSorted(list: readonly ViewEntry[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareEntries(list[i - 1] as ViewEntry, list[i] as ViewEntry) > 0) return false;
  return true;
}
