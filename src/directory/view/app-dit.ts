import type { Application } from '../../domain/application.js';
import { formatDn, normalizeRdns, parseDn, type Rdn } from '../../domain/dn.js';
import type { DirectoryState } from './directory-state.js';
import type { Dit } from './dit.js';

/**
 * Where applications live in the tree (issue 16): `ou=apps,<suffix>` holds each app's bind
 * identity `cn=<app>` and its view `ou=<app>` with `ou=users` and `ou=groups` below it.
 */
export const appsDn = (dit: Dit): string => `ou=apps,${dit.suffixDn}`;
export const appsNorm = (dit: Dit): string => `ou=apps,${dit.suffixNorm}`;
/** App names follow group-name rules ([a-z0-9.-]): no escaping, already normalised. */
export const appBindDn = (dit: Dit, name: string): string => `cn=${name},${appsDn(dit)}`;
export const appViewDn = (dit: Dit, name: string): string => `ou=${name},${appsDn(dit)}`;

/** What a DN under `ou=apps` designates; `app` undefined: no such application. */
export type AppPlace =
  | { readonly kind: 'apps' }
  | { readonly kind: 'bind'; readonly app: Application | undefined; readonly name: string }
  | { readonly kind: 'root' | 'users' | 'groups'; readonly app: Application | undefined; readonly name: string }
  /** A user or group below the app's containers: `rdn` is the first RDN as given. */
  | { readonly kind: 'user' | 'group'; readonly app: Application | undefined; readonly name: string; readonly rdn: Rdn }
  /** Under ou=apps but nothing pgdir ever holds (unknown containers, deeper names). */
  | { readonly kind: 'nothing'; readonly app: Application | undefined };

function tryParse(dn: string): Rdn[] | undefined {
  try {
    return parseDn(dn);
  } catch {
    return undefined;
  }
}

const single = (rdn: Rdn | undefined, type: string): string | undefined =>
  rdn !== undefined && rdn.length === 1 && rdn[0]?.type === type ? rdn[0].value : undefined;

/** The place of `dn` under `ou=apps,<suffix>`, or undefined when the DN is elsewhere (or malformed). */
export function appPlace(state: DirectoryState, dn: string): AppPlace | undefined {
  const rdns = tryParse(dn);
  if (rdns === undefined) return undefined;
  const norm = normalizeRdns(rdns);
  const depth = state.dit.suffixNorm.split(',').length + 1;
  if (norm.length < depth || formatDn(norm.slice(norm.length - depth)) !== appsNorm(state.dit)) return undefined;
  const rel = norm.slice(0, norm.length - depth);
  const relRaw = rdns.slice(0, rdns.length - depth);
  if (rel.length === 0) return { kind: 'apps' };
  const top = rel[rel.length - 1];
  const bindName = single(top, 'cn');
  if (bindName !== undefined) {
    const app = state.records.apps.named(bindName);
    return rel.length === 1 ? { kind: 'bind', app, name: bindName } : { kind: 'nothing', app };
  }
  const name = single(top, 'ou');
  if (name === undefined) return { kind: 'nothing', app: undefined };
  const app = state.records.apps.named(name);
  if (rel.length === 1) return { kind: 'root', app, name };
  const container = single(rel[rel.length - 2], 'ou');
  if (container !== 'users' && container !== 'groups') return { kind: 'nothing', app };
  if (rel.length === 2) return { kind: container, app, name };
  const first = relRaw[0];
  if (rel.length !== 3 || first === undefined) return { kind: 'nothing', app };
  return { kind: container === 'users' ? 'user' : 'group', app, name, rdn: first };
}
