import { lookupAttribute } from './attribute-schema.js';
import { tryNormalizeDn } from './dn.js';
import { parseGeneralizedTime } from './generalized-time.js';
import { Syntax } from './ldap-syntaxes.js';
import { lookupObjectClass } from './object-class-schema.js';
import { prepareString, prepareSubstring } from './string-prep.js';

/**
 * Matching rules (RFC 4517 §4.2, RFC 4530 §3) as normalisers: each turns an attribute value or an
 * assertion value into a key; equality compares keys with `===`, ordering with `<`. A key of
 * undefined means "not a valid value of this rule's syntax", which the evaluator turns into
 * Undefined (RFC 4511 §4.5.1.7).
 */
export type MatchKey = string | number | bigint;
export type RuleKind = 'equality' | 'ordering' | 'substrings';

export interface MatchingRule {
  readonly oid: string;
  readonly name: string;
  /** Assertion syntax (published in matchingRules). */
  readonly syntax: string;
  readonly kind: RuleKind;
  /** Attribute syntaxes the rule applies to (matchingRuleUse, extensible match without a type). */
  readonly appliesTo: readonly string[];
  readonly key: (value: string) => MatchKey | undefined;
  /** Substrings rules: prepared form of one assertion component (RFC 4518 §2.6.1, untrimmed). */
  readonly component?: (value: string) => string;
}

const INTEGER = /^\s*([+-]?)0*(\d+)\s*$/;

/** integerMatch key: a number when exact, a bigint beyond 2^53 (they compare with each other). */
export function integerKey(value: string): number | bigint | undefined {
  const m = INTEGER.exec(value);
  if (m === null || m[2] === undefined || m[1] === '+') return undefined;
  const digits = m[1] === '-' && m[2] !== '0' ? `-${m[2]}` : m[2];
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : BigInt(digits);
}

const UUID = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/;

/** UUIDMatch key: lower-case RFC 4122 form (hyphens optional on input). */
export function uuidKey(value: string): string | undefined {
  const m = UUID.exec(value.trim().toLowerCase());
  return m === null ? undefined : m.slice(1).join('-');
}

/** objectIdentifierMatch key: descriptors of known classes and attributes resolve to their OID. */
export function oidKey(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return lookupObjectClass(v)?.oid ?? lookupAttribute(v)?.oid ?? v.toLowerCase();
}

function booleanKey(value: string): string | undefined {
  const v = value.trim().toUpperCase();
  return v === 'TRUE' || v === 'FALSE' ? v : undefined;
}

/** First component of a schema description `( 2.5.4.3 NAME ...`, or the assertion itself. */
function firstComponent(value: string): string {
  const v = value.trim();
  if (!v.startsWith('(')) return v;
  return v.slice(1).trimStart().split(/[\s)]/, 1)[0] ?? '';
}

/** uniqueMemberMatch: DN plus the optional `#'0101'B` UID (RFC 4517 §3.3.21). */
function uniqueMemberKey(value: string): string | undefined {
  const m = /^(.*)#'([01]*)'B$/.exec(value);
  const dn = tryNormalizeDn(m?.[1] ?? value);
  return dn === undefined ? undefined : m ? `${dn}#'${m[2]}'B` : dn;
}

const foldIgnore = (v: string): string => prepareString(v, true);
const foldExact = (v: string): string => prepareString(v, false);
const phone = (v: string): string => prepareSubstring(v, true).replace(/[ -]/g, '');

const STRINGS = [Syntax.directoryString, Syntax.ia5String];
const DESCRIPTIONS = [
  Syntax.attributeTypeDescription, Syntax.objectClassDescription, Syntax.matchingRuleDescription,
  Syntax.matchingRuleUseDescription, Syntax.ldapSyntaxDescription, Syntax.ditContentRuleDescription,
  Syntax.nameFormDescription,
];

function rule(
  oid: string,
  name: string,
  kind: RuleKind,
  syntax: string,
  appliesTo: readonly string[],
  key: MatchingRule['key'],
  component?: MatchingRule['component'],
): MatchingRule {
  return Object.freeze({ oid, name, kind, syntax, appliesTo, key, ...(component ? { component } : {}) });
}

const IA5_RULE = '1.3.6.1.4.1.1466.109.114.';
export const MATCHING_RULES: readonly MatchingRule[] = [
  rule('2.5.13.0', 'objectIdentifierMatch', 'equality', Syntax.oid, [Syntax.oid], oidKey),
  rule('2.5.13.1', 'distinguishedNameMatch', 'equality', Syntax.dn, [Syntax.dn, Syntax.nameAndOptionalUid], tryNormalizeDn),
  rule('2.5.13.2', 'caseIgnoreMatch', 'equality', Syntax.directoryString, STRINGS, foldIgnore),
  rule('2.5.13.3', 'caseIgnoreOrderingMatch', 'ordering', Syntax.directoryString, STRINGS, foldIgnore),
  rule('2.5.13.4', 'caseIgnoreSubstringsMatch', 'substrings', Syntax.substringAssertion, STRINGS, foldIgnore,
    (v) => prepareSubstring(v, true)),
  rule('2.5.13.5', 'caseExactMatch', 'equality', Syntax.directoryString, STRINGS, foldExact),
  rule('2.5.13.6', 'caseExactOrderingMatch', 'ordering', Syntax.directoryString, STRINGS, foldExact),
  rule('2.5.13.7', 'caseExactSubstringsMatch', 'substrings', Syntax.substringAssertion, STRINGS, foldExact,
    (v) => prepareSubstring(v, false)),
  rule('2.5.13.13', 'booleanMatch', 'equality', Syntax.boolean, [Syntax.boolean], booleanKey),
  rule('2.5.13.14', 'integerMatch', 'equality', Syntax.integer, [Syntax.integer], integerKey),
  rule('2.5.13.15', 'integerOrderingMatch', 'ordering', Syntax.integer, [Syntax.integer], integerKey),
  rule('2.5.13.17', 'octetStringMatch', 'equality', Syntax.octetString, [Syntax.octetString], (v) => v),
  rule('2.5.13.20', 'telephoneNumberMatch', 'equality', Syntax.telephoneNumber, [Syntax.telephoneNumber], phone),
  rule('2.5.13.21', 'telephoneNumberSubstringsMatch', 'substrings', Syntax.substringAssertion,
    [Syntax.telephoneNumber], phone, phone),
  rule('2.5.13.23', 'uniqueMemberMatch', 'equality', Syntax.nameAndOptionalUid, [Syntax.nameAndOptionalUid], uniqueMemberKey),
  rule('2.5.13.27', 'generalizedTimeMatch', 'equality', Syntax.generalizedTime, [Syntax.generalizedTime], parseGeneralizedTime),
  rule('2.5.13.28', 'generalizedTimeOrderingMatch', 'ordering', Syntax.generalizedTime, [Syntax.generalizedTime],
    parseGeneralizedTime),
  rule('2.5.13.29', 'integerFirstComponentMatch', 'equality', Syntax.integer, [Syntax.ditStructureRuleDescription],
    (v) => integerKey(firstComponent(v))),
  rule('2.5.13.30', 'objectIdentifierFirstComponentMatch', 'equality', Syntax.oid, DESCRIPTIONS,
    (v) => oidKey(firstComponent(v))),
  rule(`${IA5_RULE}1`, 'caseExactIA5Match', 'equality', Syntax.ia5String, [Syntax.ia5String], foldExact),
  rule(`${IA5_RULE}2`, 'caseIgnoreIA5Match', 'equality', Syntax.ia5String, [Syntax.ia5String], foldIgnore),
  rule(`${IA5_RULE}3`, 'caseIgnoreIA5SubstringsMatch', 'substrings', Syntax.substringAssertion, [Syntax.ia5String],
    foldIgnore, (v) => prepareSubstring(v, true)),
  rule('1.3.6.1.1.16.2', 'UUIDMatch', 'equality', Syntax.uuid, [Syntax.uuid], uuidKey),
  rule('1.3.6.1.1.16.3', 'UUIDOrderingMatch', 'ordering', Syntax.uuid, [Syntax.uuid], uuidKey),
];

const BY_NAME: ReadonlyMap<string, MatchingRule> = new Map(
  MATCHING_RULES.flatMap((r) => [
    [r.name.toLowerCase(), r],
    [r.oid, r],
  ]),
);

/** A matching rule by name or OID in any case, or undefined when pgdir does not implement it. */
export function lookupMatchingRule(nameOrOid: string): MatchingRule | undefined {
  return BY_NAME.get(nameOrOid.trim().toLowerCase());
}

/** The rule named by an attribute type's EQUALITY/ORDERING/SUBSTR field; throws on a typo. */
export function requireMatchingRule(name: string): MatchingRule {
  const found = lookupMatchingRule(name);
  if (found === undefined) throw new Error(`schema names unknown matching rule ${name}`);
  return found;
}
