import type { Entry, EntryAttribute } from '../../domain/entry.js';
import { lookupAttribute, stripOptions } from '../../domain/attribute-schema.js';

/** A requested attribute list (RFC 4511 §4.5.1.8), compiled once per search. */
export interface AttributeSelection {
  /** Identifies the selection's output: the encoded-entry cache key. */
  readonly key: string;
  readonly typesOnly: boolean;
  /** `*` or an empty list: every user attribute. */
  readonly allUser: boolean;
  /** `+` (RFC 3673): every operational attribute. */
  readonly allOperational: boolean;
  /** Attributes named explicitly: entry key → the spelling to return. */
  readonly named: ReadonlyMap<string, string>;
}

/**
 * Compiles a requested attribute list. `1.1` alone selects nothing (RFC 4511 §4.5.1.8); the
 * pseudo-attribute `dn` that Portainer, Proxmox, Grafana and Nextcloud request is ignored, and
 * so are unknown names (clients.md §1.5). Options (`;binary`) are dropped.
 *
 * Spelling: `*` and `+` return the standard spelling (`givenName`); a name requested
 * explicitly is echoed as the client spelled it (`GIVENNAME`, `commonName`), as clients.md
 * §1.4 recommends: Go clients, ldapts and python-ldap look names up case-sensitively, and echoing
 * is RFC-legal (RFC 4511 §4.5.2 returns an AttributeDescription naming the type).
 */
export function compileSelection(requested: readonly string[], typesOnly = false): AttributeSelection {
  // A frozen list never changes, so its selection is kept with it (the LDAP decoder hands out one
  // frozen list per distinct attribute list: ldap/codec/decode-requests.ts).
  if (Object.isFrozen(requested)) {
    const byList = typesOnly ? OF_FROZEN_TYPES : OF_FROZEN;
    let held = byList.get(requested);
    if (held === undefined) byList.set(requested, (held = compileMemo(requested, typesOnly)));
    return held;
  }
  return compileMemo(requested, typesOnly);
}

const OF_FROZEN = new WeakMap<readonly string[], AttributeSelection>();
const OF_FROZEN_TYPES = new WeakMap<readonly string[], AttributeSelection>();

function compileMemo(requested: readonly string[], typesOnly: boolean): AttributeSelection {
  // Applications send the same few lists over and over: the compiled form (a pure function of the
  // list) is kept, so a search costs one join and one lookup instead of a parse, sort and join.
  const id = memoKey(requested, typesOnly);
  const held = id === undefined ? undefined : COMPILED.get(id);
  if (held !== undefined) return held;
  const compiled = compile(requested, typesOnly);
  if (id !== undefined) {
    if (COMPILED.size >= MAX_COMPILED) COMPILED.clear();
    COMPILED.set(id, compiled);
  }
  return compiled;
}

const COMPILED = new Map<string, AttributeSelection>();
const MAX_COMPILED = 1024;

/** The memo key, or undefined for lists the key could not tell apart (a NUL in a name) or long ones. */
function memoKey(requested: readonly string[], typesOnly: boolean): string | undefined {
  if (requested.length > 64) return undefined;
  for (const name of requested) if (name.length > 128 || name.includes('\u0000')) return undefined;
  return `${typesOnly ? 't' : 'v'}\u0000${requested.join('\u0000')}`;
}

function compile(requested: readonly string[], typesOnly: boolean): AttributeSelection {
  let allUser = requested.length === 0;
  let allOperational = false;
  const named = new Map<string, string>();
  for (const raw of requested) {
    const name = stripOptions(raw.trim());
    if (name === '*') allUser = true;
    else if (name === '+') allOperational = true;
    else if (name === '' || name === '1.1' || name.toLowerCase() === 'dn') continue;
    else {
      const key = lookupAttribute(name)?.key ?? name.toLowerCase();
      if (!named.has(key)) named.set(key, name);
    }
  }
  const list = [...named].map(([k, v]) => `${k}=${v}`).sort().join(',');
  const key = `${typesOnly ? 't' : 'v'}${allUser ? '*' : ''}${allOperational ? '+' : ''}|${list}`;
  return { key, typesOnly, allUser, allOperational, named };
}

const DESCRIBED = new Map<string, { name: string; operational: boolean }>();

function describe(key: string): { name: string; operational: boolean } {
  let held = DESCRIBED.get(key);
  if (held === undefined) {
    const type = lookupAttribute(key);
    held = { name: type?.name ?? key, operational: type?.operational ?? false };
    DESCRIBED.set(key, held);
  }
  return held;
}

/**
 * The attributes of `entry` a selection returns, in the entry's order. Operational ones only for
 * `+` or by name; never an attribute without values (clients.md §1.1); typesOnly gives names with
 * empty value sets (RFC 4511 §4.5.1.8).
 */
export function selectAttributes(entry: Entry, selection: AttributeSelection): EntryAttribute[] {
  const out: EntryAttribute[] = [];
  for (const [key, values] of entry.attributes) {
    if (values.length === 0) continue;
    const named = selection.named.get(key);
    const { name, operational } = describe(key);
    if (named === undefined && !(operational ? selection.allOperational : selection.allUser)) continue;
    out.push({ type: named ?? name, values: selection.typesOnly ? [] : values });
  }
  return out;
}
