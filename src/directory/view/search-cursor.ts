import type { ViewEntry } from './view-entry.js';

/**
 * Lazily walks frozen entry arrays, yielding those `accept` admits, in order. It holds only array
 * references and a position, so the LDAP layer can keep it per paged-results cookie (RFC 2696)
 * and resume it later: the arrays are never mutated (copy-on-write), so pages stay consistent
 * with the directory as it was when the search started (but for users' team-derived memberOf,
 * which follows a grant to everyone at once: user-entry.ts, docs/teams.md).
 */
export class SearchCursor implements Iterable<ViewEntry> {
  private segment = 0;
  private position = 0;
  private peeked: ViewEntry | undefined;
  private exhausted = false;
  /** Entries examined so far (candidates evaluated), for statistics and tests. */
  examined = 0;

  constructor(
    private readonly segments: readonly (readonly ViewEntry[])[],
    private readonly accept: (entry: ViewEntry) => boolean,
    /** What the requester is shown of an entry (member-mask.ts); `accept` judges that, not the original. */
    private readonly present: (entry: ViewEntry) => ViewEntry = (entry) => entry,
    /** What is handed out for an accepted entry (an application's re-based view, app-entries.ts). */
    private readonly output?: (entry: ViewEntry) => ViewEntry,
  ) {}

  /** Up to `max` further matching entries; fewer only when the search is exhausted. */
  take(max: number): ViewEntry[] {
    const out: ViewEntry[] = [];
    while (out.length < max) {
      const next = this.next();
      if (next === undefined) break;
      out.push(next);
    }
    return out;
  }

  /** True once no further entry matches (looks ahead by one match if needed). */
  get done(): boolean {
    if (this.peeked === undefined && !this.exhausted) this.peeked = this.advance();
    return this.peeked === undefined;
  }

  next(): ViewEntry | undefined {
    let entry = this.peeked;
    if (entry !== undefined) this.peeked = undefined;
    else entry = this.advance();
    return entry === undefined || this.output === undefined ? entry : this.output(entry);
  }

  *[Symbol.iterator](): Iterator<ViewEntry> {
    for (let e = this.next(); e !== undefined; e = this.next()) yield e;
  }

  private advance(): ViewEntry | undefined {
    while (this.segment < this.segments.length) {
      const list = this.segments[this.segment] as readonly ViewEntry[];
      while (this.position < list.length) {
        const entry = this.present(list[this.position++] as ViewEntry);
        this.examined++;
        if (this.accept(entry)) return entry;
      }
      this.segment++;
      this.position = 0;
    }
    this.exhausted = true;
    return undefined;
  }
}
