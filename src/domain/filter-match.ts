import type { Entry, MatchContext } from './entry.js';
import { compileExtensible } from './filter-extensible.js';
import type { Filter } from './filter.js';
import { requireMatchingRule, type MatchingRule, type MatchKey } from './matching-rules.js';
import {
  assertionKey,
  equalityAnyTest,
  equalityTest,
  orderingTest,
  substringsTest,
} from './match-tests.js';
import { and, attributeNode, FALSE, not, or, ruleOf, target, TRUE, UNDEFINED, valuesOf, type Node } from './match-values.js';

/**
 * The exact filter evaluator (DESIGN §5). A filter is compiled once per search, normalising every
 * assertion value once, into a closure the view runs on each candidate entry. Internally
 * three-valued (RFC 4511 §4.5.1.7); an entry matches only when the filter is TRUE. Deliberate
 * difference from OpenLDAP: an attribute the entry lacks is FALSE, known or not. Never throws.
 */

/** TRUE, FALSE, or undefined for RFC 4511's Undefined (Compare maps the last to an error). */
export type MatchResult = boolean | undefined;

export function compileFilter(filter: Filter, ctx: MatchContext = {}): (entry: Entry) => boolean {
  const node = compile(filter, ctx);
  return (entry) => node(entry) === TRUE;
}

/** Like compileFilter, but tells FALSE from Undefined. */
export function compileFilterTernary(filter: Filter, ctx: MatchContext = {}): (entry: Entry) => MatchResult {
  const node = compile(filter, ctx);
  return (entry) => {
    const r = node(entry);
    return r === UNDEFINED ? undefined : r === TRUE;
  };
}

export function evaluateFilter(filter: Filter, entry: Entry, ctx: MatchContext = {}): boolean {
  return compileFilter(filter, ctx)(entry);
}

function compile(filter: Filter, ctx: MatchContext): Node {
  switch (filter.type) {
    case 'and':
      return filter.filters.length === 0 ? () => TRUE : and(filter.filters.map((f) => compile(f, ctx)));
    case 'or':
      return filter.filters.length === 0 ? () => FALSE : or(compileOr(filter.filters, ctx));
    case 'not':
      return not(compile(filter.filter, ctx));
    case 'equality':
    case 'approx': // approximate match is equality (DESIGN §5)
      return compileEquality(filter.attribute, filter.value, ctx);
    case 'greaterOrEqual':
      return compileOrdering(filter.attribute, filter.value, 'ge', ctx);
    case 'lessOrEqual':
      return compileOrdering(filter.attribute, filter.value, 'le', ctx);
    case 'present': {
      const { key } = target(filter.attribute);
      return (entry) => (valuesOf(entry, key) === undefined ? FALSE : TRUE);
    }
    case 'substrings':
      return compileSubstrings(filter, ctx);
    case 'extensible':
      return compileExtensible(filter, ctx);
  }
}

function compileEquality(attribute: string, value: string, ctx: MatchContext): Node {
  const t = target(attribute);
  const rule = ruleOf(t, 'equality');
  const assertion = rule === undefined ? undefined : assertionKey(rule, value, ctx);
  return attributeNode(t.key, rule === undefined || assertion === undefined ? undefined : equalityTest(rule, assertion));
}

function compileOrdering(attribute: string, value: string, op: 'ge' | 'le', ctx: MatchContext): Node {
  const t = target(attribute);
  const rule = ruleOf(t, 'ordering');
  const assertion = rule === undefined ? undefined : assertionKey(rule, value, ctx);
  return attributeNode(t.key, rule === undefined || assertion === undefined ? undefined : orderingTest(rule, assertion, op));
}

const DN_MATCH = requireMatchingRule('distinguishedNameMatch');
const CASE_IGNORE_SUBSTRINGS = requireMatchingRule('caseIgnoreSubstringsMatch');

function compileSubstrings(filter: Extract<Filter, { type: 'substrings' }>, _ctx: MatchContext): Node {
  const t = target(filter.attribute);
  const rule = ruleOf(t, 'substr');
  if (rule?.component !== undefined) return attributeNode(t.key, substringsTest(rule, rule.component, filter));
  // DN attributes have no SUBSTR rule; `(memberOf=*cn=admins*)` is matched case-insensitively on
  // the normalised DN instead of being Undefined (a convenience OpenLDAP does not offer).
  if (ruleOf(t, 'equality') === DN_MATCH) {
    return attributeNode(t.key, substringsTest(DN_MATCH, CASE_IGNORE_SUBSTRINGS.component ?? String, filter));
  }
  return attributeNode(t.key, undefined);
}

/**
 * OR children that are equalities on one attribute collapse into one set lookup, so Grafana's
 * `(|(uid=a)(uid=b)…)` with 500 logins costs one pass over the entry's values, not 500.
 */
function compileOr(filters: readonly Filter[], ctx: MatchContext): Node[] {
  const groups = new Map<string, { rule: MatchingRule; keys: Set<MatchKey> }>();
  const rest: Node[] = [];
  for (const f of filters) {
    if (f.type !== 'equality' && f.type !== 'approx') {
      rest.push(compile(f, ctx));
      continue;
    }
    const t = target(f.attribute);
    const rule = ruleOf(t, 'equality');
    const assertion = rule === undefined ? undefined : assertionKey(rule, f.value, ctx);
    if (rule === undefined || assertion === undefined) {
      rest.push(attributeNode(t.key, undefined));
      continue;
    }
    const group = groups.get(t.key) ?? { rule, keys: new Set<MatchKey>() };
    group.keys.add(assertion);
    groups.set(t.key, group);
  }
  const grouped = [...groups].map(([key, g]) =>
    attributeNode(key, g.keys.size === 1 ? equalityTest(g.rule, [...g.keys][0] as MatchKey) : equalityAnyTest(g.rule, g.keys)),
  );
  return [...grouped, ...rest];
}

/**
 * The key an attribute value (or assertion) has under the attribute's equality rule — what the
 * evaluator compares. Equality indexes must key their values with it so that an index lookup
 * finds exactly the candidates the evaluator accepts. Undefined: no equality rule, or invalid.
 */
export function equalityKey(attribute: string, value: string, ctx: MatchContext = {}): MatchKey | undefined {
  const rule = ruleOf(target(attribute), 'equality');
  return rule === undefined ? undefined : assertionKey(rule, value, ctx);
}
