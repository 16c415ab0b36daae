import type { Application } from '../../domain/application.js';
import { formatGeneralizedTime } from '../../domain/generalized-time.js';
import type { Visibility } from '../access-policy.js';
import { appBindDn, appsDn, appsNorm } from './app-dit.js';
import { rebaseFor, TransientEntry } from './app-entries.js';
import type { AppRecords } from './app-records.js';
import type { Dit } from './dit.js';
import { nameUuid } from './name-uuid.js';
import { Rank, sortKey, type ViewEntry } from './view-entry.js';

/**
 * The entries of `ou=apps,<suffix>` itself (issue 16): the container, and per application its
 * bind identity `cn=<app>` (an applicationProcess, RFC 4519 §3.2: cn and description, never the
 * secret or the CIDRs) and its view's root `ou=<app>`. Built from the application records when
 * a search first needs them and dropped with any change to them (AppRecords.set), so they can
 * never be stale; encoded per search (transient), since they are few and rarely read.
 */
export interface AppTree {
  readonly container: ViewEntry;
  /** Application entry then view root, per app in name order. */
  readonly children: readonly ViewEntry[];
  /** App id → its application entry and its view root. */
  readonly byApp: ReadonlyMap<string, readonly [ViewEntry, ViewEntry]>;
}

/** After ou=teams and its entries in the global result order (view-entry.ts Rank). */
const APPS_RANK = Rank.team + 1;
const TRUE = Object.freeze(['TRUE']);
const FALSE = Object.freeze(['FALSE']);
const SUBSCHEMA = Object.freeze(['cn=Subschema']);
const APP_CLASSES = Object.freeze(['top', 'applicationProcess']);
const APP_STRUCTURAL = Object.freeze(['applicationProcess']);
const OU_CLASSES = Object.freeze(['top', 'organizationalUnit']);
const OU_STRUCTURAL = Object.freeze(['organizationalUnit']);

function containerEntry(dit: Dit, hasApps: boolean): ViewEntry {
  const dn = appsDn(dit);
  const norm = appsNorm(dit);
  const attrs = new Map<string, readonly string[]>([
    ['objectclass', OU_CLASSES],
    ['ou', Object.freeze(['apps'])],
    ['entryuuid', Object.freeze([nameUuid(`container:${norm}`)])],
    ['entrydn', Object.freeze([dn])],
    ['hassubordinates', hasApps ? TRUE : FALSE],
    ['subschemasubentry', SUBSCHEMA],
    ['structuralobjectclass', OU_STRUCTURAL],
  ]);
  return new TransientEntry(dn, norm, attrs, 'container', 'apps', dit.suffixNorm, sortKey(APPS_RANK, 0));
}

function applicationEntry(dit: Dit, app: Application, order: number): ViewEntry {
  const dn = appBindDn(dit, app.name);
  const attrs = new Map<string, readonly string[]>([
    ['objectclass', APP_CLASSES],
    ['cn', Object.freeze([app.name])],
  ]);
  if (app.description !== '') attrs.set('description', Object.freeze([app.description]));
  attrs.set('entryuuid', Object.freeze([app.id.toLowerCase()]));
  attrs.set('entrydn', Object.freeze([dn]));
  attrs.set('createtimestamp', Object.freeze([formatGeneralizedTime(app.createdAt)]));
  attrs.set('modifytimestamp', Object.freeze([formatGeneralizedTime(app.updatedAt)]));
  attrs.set('hassubordinates', FALSE);
  attrs.set('subschemasubentry', SUBSCHEMA);
  attrs.set('structuralobjectclass', APP_STRUCTURAL);
  return new TransientEntry(dn, `cn=${app.name},${appsNorm(dit)}`, attrs, 'system', app.id, appsNorm(dit), sortKey(APPS_RANK, order));
}

/** The tree for the records as they are now (kept on the records until they change). */
export function appTree(dit: Dit, records: AppRecords): AppTree {
  const held = records.tree as AppTree | undefined;
  if (held !== undefined && held.container.parent === dit.suffixNorm) return held;
  const apps = [...records.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const children: ViewEntry[] = [];
  const byApp = new Map<string, readonly [ViewEntry, ViewEntry]>();
  apps.forEach((app, i) => {
    const pair = [applicationEntry(dit, app, 2 * i + 1), rebaseFor(dit, app).root] as const;
    children.push(...pair);
    byApp.set(app.id, pair);
  });
  const tree: AppTree = { container: containerEntry(dit, apps.length > 0), children, byApp };
  records.tree = tree;
  return tree;
}

/**
 * Who sees the tree: the directory admin and service accounts all of it; an application bound
 * as itself the container and its own two entries; users (whatever `ldap.user_search`) none of
 * it — DESIGN gives them no reason to list applications. `undefined`: no visibility given (all).
 */
export function visibleTree(tree: AppTree, visibility: Visibility | undefined): ViewEntry[] {
  if (visibility === undefined || (visibility.kind === 'all' && visibility.user !== true)) return [tree.container, ...tree.children];
  if (visibility.kind !== 'app') return [];
  return [tree.container, ...(tree.byApp.get(visibility.appId) ?? [])];
}
