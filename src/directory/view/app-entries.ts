import type { Application } from '../../domain/application.js';
import type { AttributeSelection } from './attribute-selection.js';
import { ComputedAttributes } from './computed-attributes.js';
import { REBASED_KEY_PREFIX, type EncodedCache } from './encoded-cache.js';
import { nameUuid } from './name-uuid.js';
import { appsDn, appsNorm, appViewDn } from './app-dit.js';
import type { Dit } from './dit.js';
import { Rank, sortKey, ViewEntry } from './view-entry.js';

/**
 * Entries of an application's view (issue 16), made on the way out of a search from the global
 * entries: the view holds no copy per app. They are instances of the classes below, so telling
 * them apart costs an `instanceof`, not a lookup in a weak collection per search (which kept V8's
 * ephemeron tables and the garbage collector busy: measured in bench/app-view.ts).
 */
/** Made for one search or one application (narrowed groups, ou=apps entries): encoded, never cached on itself. */
export class TransientEntry extends ViewEntry {}

/**
 * A global entry re-based under an app's view. A re-based user depends only on its global entry
 * and the app's name (access is checked at search time), so its encoding is cached on the global
 * entry under `key`, within the budget of re-based answers and released with it (encoded-cache.ts).
 */
export class RebasedEntry extends TransientEntry {
  constructor(
    dn: string,
    normDn: string,
    readonly global: ViewEntry,
    readonly rebase: AppRebase,
    parent: string | null,
    /** The encoded cache's key prefix; undefined: not cacheable (a narrowed group). */
    readonly key: string | undefined,
  ) {
    super(dn, normDn, new RebasedAttributes(global.attributes, rebase), global.kind, global.id, parent, global.sortKey, global.user);
  }
}

export const isTransient = (entry: ViewEntry): boolean => entry instanceof TransientEntry;

/**
 * A re-based user's encoding, cached on its global entry under the selection keyed for the app
 * (directory-view.ts `encoded`); undefined when the entry is not cacheable (a narrowed group, an
 * ou=apps entry). No object is made on the way: this runs once per entry sent.
 */
export function encodedRebased(cache: EncodedCache, entry: ViewEntry, selection: AttributeSelection): Buffer | undefined {
  if (!(entry instanceof RebasedEntry) || entry.key === undefined) return undefined;
  return cache.getRebased(entry.global, entry, entry.rebase.keyed(selection));
}

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
  /** Prefix of this app's encodings cached on global entries. */
  readonly cacheKey: string;

  constructor(
    readonly dit: Dit,
    readonly app: Application,
  ) {
    this.viewDn = appViewDn(dit, app.name);
    this.viewNorm = `ou=${app.name},${appsNorm(dit)}`;
    this.cacheKey = `${REBASED_KEY_PREFIX}${app.name}`;
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

  /** The last selection keyed for this app's cached encodings (one string built per selection, not per entry). */
  private keyedHeld: { readonly from: AttributeSelection; readonly keyed: AttributeSelection } | undefined;

  /**
   * `selection` with the key this app's encodings are cached under. A selection's key says all
   * it selects, so one with an equal key shares the keyed copy; the copy's key string keeps its
   * hash, where a key concatenated per entry would be flattened and hashed again each time.
   */
  keyed(selection: AttributeSelection): AttributeSelection {
    const held = this.keyedHeld;
    if (held !== undefined && (held.from === selection || held.from.key === selection.key)) return held.keyed;
    const keyed = { ...selection, key: `${this.cacheKey}\u0000${selection.key}` };
    this.keyedHeld = { from: selection, keyed };
    return keyed;
  }

  /** A DN value pgdir emitted (canonical): re-based when it is a user or group DN. */
  dn(value: string): string {
    if (value.endsWith(this.usersFrom)) return value.slice(0, value.length - this.usersFrom.length) + this.usersTo;
    if (value.endsWith(this.groupsFrom)) return value.slice(0, value.length - this.groupsFrom.length) + this.groupsTo;
    return value;
  }

  /** A normalised DN (as the view keeps them): re-based when it is a user or group DN. */
  norm(value: string): string {
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
    // Only unmasked entries (users) are the pure image of a view entry; narrowed groups are not.
    const dn = this.dn(global.dn);
    // A user's DN is already lower case (user-entry.ts): one string serves as both.
    const norm = global.normDn === global.dn ? dn : this.norm(global.normDn);
    return new RebasedEntry(dn, norm, global, this, parent, global.kind === 'user' && !(global instanceof TransientEntry) ? this.cacheKey : undefined);
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
    return new TransientEntry(dn, norm, attrs, 'container', name, parent, sortKey(rank, 0));
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
/** The last one handed out: consecutive searches through one app skip the WeakMap (an ephemeron lookup). */
let lastRebase: AppRebase | undefined;
export function rebaseFor(dit: Dit, app: Application): AppRebase {
  if (lastRebase !== undefined && lastRebase.app === app && lastRebase.dit === dit) return lastRebase;
  let held = rebases.get(app);
  if (held === undefined || held.dit !== dit) rebases.set(app, (held = new AppRebase(dit, app)));
  return (lastRebase = held);
}

export { appsDn };
