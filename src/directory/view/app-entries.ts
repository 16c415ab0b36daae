import type { Application } from '../../domain/application.js';
import { ComputedAttributes } from './computed-attributes.js';
import { nameUuid } from './name-uuid.js';
import { appsDn, appsNorm, appViewDn } from './app-dit.js';
import type { Dit } from './dit.js';
import { Rank, sortKey, ViewEntry } from './view-entry.js';

/**
 * Entries of an application's view (issue 16), made on the way out of a search from the global
 * entries: the view holds no copy per app. Rebased entries are transient (never cached encoded:
 * directory-view.ts), which keeps memory flat whatever the number of apps.
 */
const transient = new WeakSet<ViewEntry>();
export const isTransient = (entry: ViewEntry): boolean => transient.has(entry);
/**
 * A re-based user entry depends only on its global entry and the app's name (access is checked
 * at search time): its encoding is cached on the global entry under this key, within the encoded
 * cache's budget and released with it (encoded-cache.ts).
 */
const sources = new WeakMap<ViewEntry, { readonly global: ViewEntry; readonly key: string }>();
export const cacheSource = (entry: ViewEntry): { readonly global: ViewEntry; readonly key: string } | undefined => sources.get(entry);
/** An entry made for one search (a narrowed group): its encoding must not be cached. */
export const markTransient = (entry: ViewEntry): ViewEntry => (transient.add(entry), entry);

const DN_VALUED = new Set(['member', 'uniquemember', 'memberof', 'entrydn']);
const CONTAINER_CLASSES = Object.freeze(['top', 'organizationalUnit']);
const TRUE = Object.freeze(['TRUE']);
const SUBSCHEMA = Object.freeze(['cn=Subschema']);

/** Moves DNs from under the suffix to under `ou=<app>,ou=apps,<suffix>` (both canonical and normalised). */
export class AppRebase {
  readonly viewDn: string;
  readonly viewNorm: string;
  private readonly usersFrom: string;
  private readonly groupsFrom: string;
  private readonly usersTo: string;
  private readonly groupsTo: string;
  private readonly usersNormFrom: string;
  private readonly groupsNormFrom: string;
  readonly root: ViewEntry;
  readonly users: ViewEntry;
  readonly groups: ViewEntry;

  constructor(
    readonly dit: Dit,
    readonly app: Application,
  ) {
    this.viewDn = appViewDn(dit, app.name);
    this.viewNorm = `ou=${app.name},${appsNorm(dit)}`;
    this.usersFrom = `,${dit.usersDn}`;
    this.groupsFrom = `,${dit.groupsDn}`;
    this.usersTo = `,ou=users,${this.viewDn}`;
    this.groupsTo = `,ou=groups,${this.viewDn}`;
    this.usersNormFrom = `,${dit.usersNorm}`;
    this.groupsNormFrom = `,${dit.groupsNorm}`;
    this.root = this.container(app.name, this.viewDn, this.viewNorm, `ou=apps,${dit.suffixNorm}`, Rank.suffix);
    this.users = this.container('users', `ou=users,${this.viewDn}`, `ou=users,${this.viewNorm}`, this.viewNorm, Rank.usersContainer);
    this.groups = this.container('groups', `ou=groups,${this.viewDn}`, `ou=groups,${this.viewNorm}`, this.viewNorm, Rank.groupsContainer);
  }

  /** A DN value pgdir emitted (canonical): re-based when it is a user or group DN. */
  dn(value: string): string {
    if (value.endsWith(this.usersFrom)) return value.slice(0, value.length - this.usersFrom.length) + this.usersTo;
    if (value.endsWith(this.groupsFrom)) return value.slice(0, value.length - this.groupsFrom.length) + this.groupsTo;
    return value;
  }

  private norm(value: string): string {
    if (value.endsWith(this.usersNormFrom)) return `${value.slice(0, value.length - this.usersNormFrom.length)},ou=users,${this.viewNorm}`;
    if (value.endsWith(this.groupsNormFrom)) return `${value.slice(0, value.length - this.groupsNormFrom.length)},ou=groups,${this.viewNorm}`;
    return value;
  }

  /** The app-view form of a global entry (containers map to the app's own). */
  entry(global: ViewEntry): ViewEntry {
    if (global === this.root || global === this.users || global === this.groups) return global;
    if (global.kind === 'container') {
      if (global.parent === null) return this.root;
      if (global.parent !== this.dit.suffixNorm) return global;
      if (global.id === 'users') return this.users;
      if (global.id === 'groups') return this.groups;
      return global;
    }
    const parent = global.kind === 'user' ? this.users.normDn : global.kind === 'group' ? this.groups.normDn : global.parent;
    const out = new ViewEntry(this.dn(global.dn), this.norm(global.normDn), new RebasedAttributes(global.attributes, this), global.kind, global.id, parent, global.sortKey, global.user);
    transient.add(out);
    // Only unmasked entries (users) are the pure image of a view entry; narrowed groups are not.
    if (global.kind === 'user' && !transient.has(global)) sources.set(out, { global, key: `app:${this.app.name}` });
    return out;
  }

  private container(name: string, dn: string, norm: string, parent: string, rank: number): ViewEntry {
    const attrs = new Map<string, readonly string[]>([
      ['objectclass', CONTAINER_CLASSES],
      ['ou', Object.freeze([name])],
      ['entryuuid', Object.freeze([nameUuid(`app-container:${norm}`)])],
      ['entrydn', Object.freeze([dn])],
      ['hassubordinates', TRUE],
      ['subschemasubentry', SUBSCHEMA],
      ['structuralobjectclass', Object.freeze(['organizationalUnit'])],
    ]);
    if (name === this.app.name && this.app.description !== '') attrs.set('description', Object.freeze([this.app.description]));
    return new ViewEntry(dn, norm, attrs, 'container', name, parent, sortKey(rank, 0));
  }
}

/** The global entry's attributes with its DN values re-based (computed on each read). */
class RebasedAttributes extends ComputedAttributes {
  constructor(
    private readonly base: ReadonlyMap<string, readonly string[]>,
    private readonly rebase: AppRebase,
  ) {
    super();
  }

  protected get order(): readonly string[] {
    return [...this.base.keys()];
  }

  get(key: string): readonly string[] | undefined {
    const values = this.base.get(key);
    if (values === undefined || !DN_VALUED.has(key)) return values;
    return values.map((v) => this.rebase.dn(v));
  }
}

/** One AppRebase per application record (records are replaced on change, so this never goes stale). */
const rebases = new WeakMap<Application, AppRebase>();
export function rebaseFor(dit: Dit, app: Application): AppRebase {
  let held = rebases.get(app);
  if (held === undefined || held.dit !== dit) rebases.set(app, (held = new AppRebase(dit, app)));
  return held;
}

export { appsDn };
