import { lookupAttribute, stripOptions, type AttributeType } from './attribute-schema.js';
import { parseDn } from './dn.js';
import type { Entry } from './entry.js';
import type { MatchingRule, MatchKey } from './matching-rules.js';
import { requireMatchingRule } from './matching-rules.js';

/**
 * Building blocks of the filter evaluator: three-valued results, attribute targets, and the
 * per-rule caches of normalised attribute values.
 */
export const FALSE = 0;
export const TRUE = 1;
export const UNDEFINED = 2;
/** RFC 4511 §4.5.1.7 three-valued logic. */
export type Tri = typeof FALSE | typeof TRUE | typeof UNDEFINED;
export type Node = (entry: Entry) => Tri;
/** Does one of the values match? Values are non-empty when called. */
export type ValuesTest = (values: readonly string[]) => boolean;

/** An attribute named in a filter: its entry key and descriptor (undefined when unknown). */
export interface Target {
  readonly key: string;
  readonly type: AttributeType | undefined;
}

export function target(attribute: string): Target {
  const type = lookupAttribute(attribute);
  return { key: type?.key ?? stripOptions(attribute).toLowerCase(), type };
}

const DEFAULTS = {
  equality: requireMatchingRule('caseIgnoreMatch'),
  ordering: requireMatchingRule('caseIgnoreOrderingMatch'),
  substr: requireMatchingRule('caseIgnoreSubstringsMatch'),
};

/**
 * The rule an attribute uses for one kind of match. Attributes pgdir does not know can only be
 * present on an entry if a caller put them there; they are matched as Directory Strings.
 */
export function ruleOf(t: Target, kind: 'equality' | 'ordering' | 'substr'): MatchingRule | undefined {
  if (t.type === undefined) return DEFAULTS[kind];
  const name = t.type[kind];
  return name === undefined ? undefined : requireMatchingRule(name);
}

const ENTRY_DN = 'entrydn';
const entryDnValues = new WeakMap<Entry, readonly string[]>();

/** The entry's values of an attribute, or undefined when it has none. entryDN is implied. */
export function valuesOf(entry: Entry, key: string): readonly string[] | undefined {
  const values = entry.attributes.get(key);
  if (values !== undefined && values.length > 0) return values;
  if (key !== ENTRY_DN) return undefined;
  let implied = entryDnValues.get(entry);
  if (implied === undefined) entryDnValues.set(entry, (implied = [entry.dn]));
  return implied;
}

type KeyCache = WeakMap<readonly string[], readonly (MatchKey | undefined)[]>;
const caches = new Map<MatchingRule, KeyCache>();

/**
 * Returns a function giving the keys of a value array under `rule`. Keys of frozen arrays are
 * cached by identity: frozen means immutable (no stale key) and, in the directory view, shared or
 * long-lived (objectClass lists, memberOf). Other arrays may be built per access (the view computes
 * most user attributes on demand), so caching them would only churn the WeakMap.
 */
export function keysFor(rule: MatchingRule): (values: readonly string[]) => readonly (MatchKey | undefined)[] {
  let cache = caches.get(rule);
  if (cache === undefined) caches.set(rule, (cache = new WeakMap()));
  const store = cache;
  return (values) => {
    if (!Object.isFrozen(values)) return values.map(rule.key);
    let keys = store.get(values);
    if (keys === undefined) {
      keys = values.map(rule.key);
      store.set(values, keys);
    }
    return keys;
  };
}

const dnAvas = new WeakMap<Entry, ReadonlyMap<string, readonly string[]>>();

/** The AVAs of the entry's own DN grouped by attribute key (for extensible `:dn:` matches). */
export function dnValuesOf(entry: Entry): ReadonlyMap<string, readonly string[]> {
  let grouped = dnAvas.get(entry);
  if (grouped === undefined) {
    const map = new Map<string, string[]>();
    for (const rdn of safeParse(entry.dn)) {
      for (const ava of rdn) {
        if (ava.hex) continue;
        const list = map.get(ava.type);
        if (list === undefined) map.set(ava.type, [ava.value]);
        else list.push(ava.value);
      }
    }
    dnAvas.set(entry, (grouped = map));
  }
  return grouped;
}

function safeParse(dn: string): ReturnType<typeof parseDn> {
  try {
    return parseDn(dn);
  } catch {
    return [];
  }
}

/** AND/OR/NOT over Tri (RFC 4511 §4.5.1.7). */
export function and(nodes: readonly Node[]): Node {
  return (entry) => {
    let result: Tri = TRUE;
    for (const node of nodes) {
      const r = node(entry);
      if (r === FALSE) return FALSE;
      if (r === UNDEFINED) result = UNDEFINED;
    }
    return result;
  };
}

export function or(nodes: readonly Node[]): Node {
  return (entry) => {
    let result: Tri = FALSE;
    for (const node of nodes) {
      const r = node(entry);
      if (r === TRUE) return TRUE;
      if (r === UNDEFINED) result = UNDEFINED;
    }
    return result;
  };
}

export function not(node: Node): Node {
  return (entry) => {
    const r = node(entry);
    return r === UNDEFINED ? UNDEFINED : r === TRUE ? FALSE : TRUE;
  };
}

/**
 * A match on one attribute: FALSE when the entry has no value (DESIGN §5: absent is FALSE even for
 * unknown attributes, so `(!(nsAccountLock=TRUE))` matches), Undefined when no test is possible
 * (no applicable rule, invalid assertion), else the test's verdict.
 */
export function attributeNode(key: string, test: ValuesTest | undefined): Node {
  if (test === undefined) return (entry) => (valuesOf(entry, key) === undefined ? FALSE : UNDEFINED);
  return (entry) => {
    const values = valuesOf(entry, key);
    return values === undefined ? FALSE : test(values) ? TRUE : FALSE;
  };
}
