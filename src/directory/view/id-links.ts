/**
 * id → the set of ids linked to it (a user's groups, a group's users), held compactly: one
 * linked id is stored as the bare string and becomes a Set only at the second. Most users are in
 * one group or none; a Set per user costs ~150 bytes, a bare string 8 (issue 18, footprint).
 */
export class IdLinks {
  private readonly map = new Map<string, string | Set<string>>();

  /** The ids linked to `id`, or undefined for none (a view of the set: do not keep it across changes). */
  get(id: string): ReadonlySet<string> | undefined {
    const held = this.map.get(id);
    return typeof held === 'string' ? new OneId(held) : held;
  }

  add(id: string, linked: string): void {
    const held = this.map.get(id);
    if (held === undefined) this.map.set(id, linked);
    else if (typeof held !== 'string') held.add(linked);
    else if (held !== linked) this.map.set(id, new Set([held, linked]));
  }

  delete(id: string, linked: string): void {
    const held = this.map.get(id);
    if (held === linked) this.map.delete(id);
    else if (typeof held !== 'string' && held !== undefined) {
      held.delete(linked);
      if (held.size === 1) this.map.set(id, held.values().next().value as string);
    }
  }
}

/** A one-element ReadonlySet over a bare id. */
class OneId implements ReadonlySet<string> {
  constructor(private readonly id: string) {}

  get size(): number {
    return 1;
  }

  has(value: string): boolean {
    return value === this.id;
  }

  forEach(fn: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    fn.call(thisArg, this.id, this.id, this);
  }

  entries(): SetIterator<[string, string]> {
    return [[this.id, this.id] as [string, string]][Symbol.iterator]();
  }

  keys(): SetIterator<string> {
    return [this.id][Symbol.iterator]();
  }

  values(): SetIterator<string> {
    return [this.id][Symbol.iterator]();
  }

  [Symbol.iterator](): SetIterator<string> {
    return [this.id][Symbol.iterator]();
  }
}
