import type { Application } from '../../domain/application.js';
import { AppAccessIndex } from './app-access-index.js';
import { ruleAdmits } from './app-access.js';

/**
 * The applications the view knows (issue 16), by id and by lower-case name: an app's DNs
 * (`cn=<name>,ou=apps`, `ou=<name>,ou=apps`) name it, so a lookup by name runs on every app
 * search and bind. Records are replaced, never mutated.
 */
export class AppRecords {
  private readonly byId = new Map<string, Application>();
  private readonly byName = new Map<string, Application>();

  /** Where base DNs lead (app-search.ts); they name app records, so any change empties it. */
  readonly places = new Map<string, unknown>();
  /** Who each application's rule admits, precomputed and followed (app-access-index.ts). */
  readonly access = new AppAccessIndex(ruleAdmits);

  /** The entries of ou=apps itself (app-tree.ts), built on first use after a change. */
  tree: unknown = undefined;

  /** The search hooks last used (app-search.ts): held here so that they go with this state. */
  lastHooks: unknown = undefined;

  /** `app` undefined: the app was deleted. */
  set(id: string, app: Application | undefined): void {
    this.places.clear();
    this.tree = undefined;
    this.lastHooks = undefined;
    this.access.drop(id);
    const old = this.byId.get(id);
    if (old !== undefined && this.byName.get(old.name.toLowerCase()) === old) this.byName.delete(old.name.toLowerCase());
    if (app === undefined) {
      this.byId.delete(id);
      return;
    }
    this.byId.set(id, app);
    this.byName.set(app.name.toLowerCase(), app);
  }

  get(id: string): Application | undefined {
    return this.byId.get(id);
  }

  /** `name` as it appears in a normalised DN (already lower case). */
  named(name: string): Application | undefined {
    return this.byName.get(name.toLowerCase());
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<Application> {
    return this.byId.values();
  }
}
