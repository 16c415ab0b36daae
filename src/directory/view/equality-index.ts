import type { ViewEntry } from './view-entry.js';

/** Index keys: strings, or numbers for integer attributes (no string per value). */
export type IndexKey = string | number;

/**
 * normalised value → entries holding it. Most values are unique (uid, mail, entryUUID,
 * uidNumber), so a single entry is stored bare and promoted to a Set only when shared: at 100,000
 * users that saves one Set object per value.
 */
export class EqualityIndex {
  private readonly map = new Map<IndexKey, ViewEntry | Set<ViewEntry>>();

  add(key: IndexKey, entry: ViewEntry): void {
    const held = this.map.get(key);
    if (held === undefined) this.map.set(key, entry);
    else if (held instanceof Set) held.add(entry);
    else if (held !== entry) this.map.set(key, new Set([held, entry]));
  }

  remove(key: IndexKey, entry: ViewEntry): void {
    const held = this.map.get(key);
    if (held === entry) this.map.delete(key);
    else if (held instanceof Set) {
      held.delete(entry);
      if (held.size === 1) this.map.set(key, held.values().next().value as ViewEntry);
      else if (held.size === 0) this.map.delete(key);
    }
  }

  /** A snapshot of the entries under `key` (empty when none). */
  get(key: IndexKey): readonly ViewEntry[] {
    const held = this.map.get(key);
    if (held === undefined) return [];
    return held instanceof Set ? [...held] : [held];
  }

  count(key: IndexKey): number {
    const held = this.map.get(key);
    return held === undefined ? 0 : held instanceof Set ? held.size : 1;
  }
}
