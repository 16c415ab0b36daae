import { lookupAttribute } from './attribute-schema.js';
import { tryNormalizeDn } from './dn.js';
import type { Entry, MatchContext } from './entry.js';
import type { Filter } from './filter.js';
import { Syntax } from './ldap-syntaxes.js';
import {
  assertionKey,
  equalityTest,
  orderingTest,
  parseSubstringAssertion,
  substringsTest,
} from './match-tests.js';
import {
  attributeNode,
  dnValuesOf,
  FALSE,
  ruleOf,
  target,
  TRUE,
  UNDEFINED,
  valuesOf,
  type Node,
  type Target,
  type ValuesTest,
} from './match-values.js';
import { lookupMatchingRule, requireMatchingRule, type MatchingRule } from './matching-rules.js';

/**
 * Extensible match (RFC 4511 §4.5.1.7.7): a rule by name or OID applied to one attribute, or to
 * every attribute it applies to; `:dn:` adds the entry's own RDN values. The AD in-chain rule
 * gives transitive membership through ctx.inChain. Unknown rules, including AD's bitwise rules
 * (…1.4.803/804), are Undefined on an entry that has the attribute: they match nothing and never
 * throw (DESIGN §5).
 */
type Extensible = Extract<Filter, { type: 'extensible' }>;

export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';
const DN_MATCH = requireMatchingRule('distinguishedNameMatch');

export function compileExtensible(filter: Extensible, ctx: MatchContext): Node {
  const t = filter.attribute === undefined ? undefined : target(filter.attribute);
  if (filter.matchingRule?.trim() === IN_CHAIN_RULE) return inChain(t, filter.value, ctx);
  const rule =
    filter.matchingRule !== undefined ? lookupMatchingRule(filter.matchingRule) : t && ruleOf(t, 'equality');
  if (t === undefined) return rule === undefined ? () => UNDEFINED : anyAttribute(rule, filter, ctx);
  const test = rule === undefined ? undefined : ruleTest(rule, filter.value, ctx);
  if (!filter.dnAttributes) return attributeNode(t.key, test);
  return withDnValues(t, test);
}

/** The test a rule makes against an extensible assertion, by the rule's kind. */
function ruleTest(rule: MatchingRule, value: string, ctx: MatchContext): ValuesTest | undefined {
  if (rule.kind === 'substrings') {
    const parts = parseSubstringAssertion(value);
    return parts === undefined || rule.component === undefined ? undefined : substringsTest(rule, rule.component, parts);
  }
  const assertion = assertionKey(rule, value, ctx);
  if (assertion === undefined) return undefined;
  // An ordering rule used alone is TRUE when the value sorts before the assertion (RFC 4517 §4.2).
  return rule.kind === 'ordering' ? orderingTest(rule, assertion, 'lt') : equalityTest(rule, assertion);
}

/** `(cn:dn:=users)`: the attribute's values, then the same-type AVAs of the entry DN. */
function withDnValues(t: Target, test: ValuesTest | undefined): Node {
  return (entry) => {
    const values = valuesOf(entry, t.key);
    const inDn = dnValuesOf(entry).get(t.key);
    if (values === undefined && inDn === undefined) return FALSE;
    if (test === undefined) return UNDEFINED;
    return (values !== undefined && test(values)) || (inDn !== undefined && test(inDn)) ? TRUE : FALSE;
  };
}

const STRING_SYNTAX = Syntax.directoryString;

function applies(rule: MatchingRule, key: string): boolean {
  return rule.appliesTo.includes(lookupAttribute(key)?.syntax ?? STRING_SYNTAX);
}

/** `(:caseExactMatch:=Alice)`: every attribute (and, with `:dn:`, RDN value) the rule applies to. */
function anyAttribute(rule: MatchingRule, filter: Extensible, ctx: MatchContext): Node {
  const test = ruleTest(rule, filter.value, ctx);
  if (test === undefined) return () => UNDEFINED;
  const scan = (entry: Entry, map: ReadonlyMap<string, readonly string[]>): boolean => {
    for (const [key, values] of map) if (values.length > 0 && applies(rule, key) && test(values)) return true;
    return false;
  };
  return (entry) => (scan(entry, entry.attributes) || (filter.dnAttributes && scan(entry, dnValuesOf(entry))) ? TRUE : FALSE);
}

/**
 * `(memberOf:1.2.840.113556.1.4.1941:=<group DN>)` and `(member:…:=<DN>)`: transitive membership,
 * decided by the directory (ctx.inChain). Without it, direct DN equality is the best answer.
 */
function inChain(t: Target | undefined, value: string, ctx: MatchContext): Node {
  if (t === undefined) return () => UNDEFINED;
  const dn = ctx.resolveDn?.(value) ?? tryNormalizeDn(value);
  if (dn === undefined) return attributeNode(t.key, undefined);
  const direct = equalityTest(DN_MATCH, dn);
  const viaCtx = ctx.inChain;
  return (entry) => {
    const values = valuesOf(entry, t.key);
    if (values === undefined) return FALSE;
    const member = viaCtx === undefined ? direct(values) : viaCtx(entry, t.key, dn);
    return member ? TRUE : FALSE;
  };
}
