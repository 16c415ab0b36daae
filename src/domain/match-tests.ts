import { Syntax } from './ldap-syntaxes.js';
import type { MatchContext } from './entry.js';
import { keysFor, type ValuesTest } from './match-values.js';
import type { MatchingRule, MatchKey } from './matching-rules.js';

/**
 * Value tests for one matching rule and one pre-normalised assertion: built once per search,
 * then run on every candidate entry (the view re-checks each one, DESIGN §2.3).
 */

const DN_SYNTAXES: readonly string[] = [Syntax.dn, Syntax.nameAndOptionalUid];

/**
 * The assertion's key under `rule`, or undefined when the assertion is not valid for it. DN
 * assertions go through ctx.resolveDn first, so `uid=alice,ou=users,<suffix>` designates the user
 * whose entry DN is `cn=uid-<uuid>,...` (DESIGN §4).
 */
export function assertionKey(rule: MatchingRule, value: string, ctx: MatchContext): MatchKey | undefined {
  if (rule.kind !== 'substrings' && DN_SYNTAXES.includes(rule.syntax)) {
    const resolved = ctx.resolveDn?.(value);
    if (resolved !== undefined) return resolved;
  }
  return rule.key(value);
}

export function equalityTest(rule: MatchingRule, assertion: MatchKey): ValuesTest {
  const keysOf = keysFor(rule);
  return (values) => {
    // Keys are idempotent, so a value spelt exactly like the assertion's key matches at once: the
    // common case for the view's canonical, lower-case values.
    for (const value of values) if (value === assertion) return true;
    for (const key of keysOf(values)) if (key === assertion) return true;
    return false;
  };
}

/** Any of several assertions (an OR of equalities on one attribute, e.g. Grafana's 500 uids). */
export function equalityAnyTest(rule: MatchingRule, assertions: ReadonlySet<MatchKey>): ValuesTest {
  const keysOf = keysFor(rule);
  return (values) => {
    for (const key of keysOf(values)) if (key !== undefined && assertions.has(key)) return true;
    return false;
  };
}

/** `>=` (ge), `<=` (le), or the extensible use of an ordering rule: value < assertion (lt). */
export function orderingTest(rule: MatchingRule, assertion: MatchKey, op: 'ge' | 'le' | 'lt'): ValuesTest {
  const keysOf = keysFor(rule);
  const accept =
    op === 'ge'
      ? (k: MatchKey): boolean => k >= assertion
      : op === 'le'
        ? (k: MatchKey): boolean => k <= assertion
        : (k: MatchKey): boolean => k < assertion;
  // Keys of one rule share a type (string, or number/bigint which compare with each other).
  return (values) => {
    for (const key of keysOf(values)) if (key !== undefined && accept(key)) return true;
    return false;
  };
}

export interface SubstringParts {
  readonly initial?: string;
  readonly any: readonly string[];
  readonly final?: string;
}

/**
 * Substrings match (RFC 4511 §4.5.1.7.2) with prepared components: `keyRule` normalises values
 * (the substrings rule itself, or distinguishedNameMatch for the DN fallback), `rule.component`
 * prepares each part; the initial part loses leading and the final part trailing spaces, as the
 * prepared value lost them (RFC 4518 §2.6.1).
 */
export function substringsTest(
  keyRule: MatchingRule,
  prepare: (value: string) => string,
  parts: SubstringParts,
): ValuesTest {
  const initial = parts.initial === undefined ? '' : prepare(parts.initial).trimStart();
  const final = parts.final === undefined ? '' : prepare(parts.final).trimEnd();
  const any = parts.any.map(prepare).filter((a) => a !== '');
  const keysOf = keysFor(keyRule);
  const matches = (v: string): boolean => {
    if (!v.startsWith(initial)) return false;
    let pos = initial.length;
    for (const a of any) {
      const at = v.indexOf(a, pos);
      if (at < 0) return false;
      pos = at + a.length;
    }
    return v.length - final.length >= pos && v.endsWith(final);
  };
  return (values) => {
    for (const key of keysOf(values)) if (typeof key === 'string' && matches(key)) return true;
    return false;
  };
}

/** Splits a SubstringAssertion (RFC 4517 §3.3.30) used as an extensible match value. */
export function parseSubstringAssertion(value: string): SubstringParts | undefined {
  const unescape = (s: string): string => s.replace(/\\(2a|5c)/gi, (_, h: string) => (h === '2a' || h === '2A' ? '*' : '\\'));
  const pieces = value.split('*').map(unescape);
  if (pieces.length < 2) return undefined;
  const initial = pieces[0] as string;
  const final = pieces[pieces.length - 1] as string;
  return {
    ...(initial === '' ? {} : { initial }),
    any: pieces.slice(1, -1),
    ...(final === '' ? {} : { final }),
  };
}
