import { allAttributeTypes, type AttributeType } from './attribute-schema.js';
import { LDAP_SYNTAXES } from './ldap-syntaxes.js';
import { MATCHING_RULES, type MatchingRule } from './matching-rules.js';
import { allObjectClasses, type ObjectClass } from './object-class-schema.js';

/**
 * Values of the cn=Subschema attributes (RFC 4512 §4.2) in the description formats of RFC 4512
 * §4.1, generated from the same tables the evaluator uses, so what is published is what matches.
 */

/** qdstring (RFC 4512 §4.1): `'` and `\` escaped as `\27` and `\5C`. */
function qdstring(text: string): string {
  return `'${text.replace(/\\/g, '\\5C').replace(/'/g, '\\27')}'`;
}

function qdescrs(names: readonly string[]): string {
  return names.length === 1 ? qdstring(names[0] as string) : `( ${names.map(qdstring).join(' ')} )`;
}

function oids(list: readonly string[]): string {
  return list.length === 1 ? (list[0] as string) : `( ${list.join(' $ ')} )`;
}

function describe(oid: string, parts: readonly (string | false | undefined)[]): string {
  return `( ${[oid, ...parts.filter((p): p is string => typeof p === 'string')].join(' ')} )`;
}

function attributeTypeDescription(t: AttributeType): string {
  return describe(t.oid, [
    `NAME ${qdescrs(t.names)}`,
    t.desc !== undefined && `DESC ${qdstring(t.desc)}`,
    t.equality !== undefined && `EQUALITY ${t.equality}`,
    t.ordering !== undefined && `ORDERING ${t.ordering}`,
    t.substr !== undefined && `SUBSTR ${t.substr}`,
    `SYNTAX ${t.syntax}`,
    t.singleValue && 'SINGLE-VALUE',
    t.noUserModification && 'NO-USER-MODIFICATION',
    t.usage !== 'userApplications' && `USAGE ${t.usage}`,
  ]);
}

function objectClassDescription(c: ObjectClass): string {
  return describe(c.oid, [
    `NAME ${qdstring(c.name)}`,
    c.desc !== undefined && `DESC ${qdstring(c.desc)}`,
    c.sup !== undefined && `SUP ${c.sup}`,
    c.kind,
    c.must.length > 0 && `MUST ${oids(c.must)}`,
    c.may.length > 0 && `MAY ${oids(c.may)}`,
  ]);
}

function matchingRuleUseDescription(r: MatchingRule): string | undefined {
  const applies = allAttributeTypes()
    .filter((t) => r.appliesTo.includes(t.syntax))
    .map((t) => t.name);
  return applies.length === 0 ? undefined : describe(r.oid, [`NAME ${qdstring(r.name)}`, `APPLIES ${oids(applies)}`]);
}

let cache: Record<'at' | 'oc' | 'mr' | 'mru' | 'syn', readonly string[]> | undefined;

function values(): NonNullable<typeof cache> {
  cache ??= {
    at: Object.freeze(allAttributeTypes().map(attributeTypeDescription)),
    oc: Object.freeze(allObjectClasses().map(objectClassDescription)),
    mr: Object.freeze(MATCHING_RULES.map((r) => describe(r.oid, [`NAME ${qdstring(r.name)}`, `SYNTAX ${r.syntax}`]))),
    mru: Object.freeze(MATCHING_RULES.map(matchingRuleUseDescription).filter((d): d is string => d !== undefined)),
    syn: Object.freeze(LDAP_SYNTAXES.map((s) => describe(s.oid, [`DESC ${qdstring(s.desc)}`]))),
  };
  return cache;
}

/** `attributeTypes` values: every attribute pgdir emits or clients commonly filter on. */
export function subschemaAttributeTypes(): readonly string[] {
  return values().at;
}

/** `objectClasses` values. */
export function subschemaObjectClasses(): readonly string[] {
  return values().oc;
}

/** `matchingRules` values: the rules the evaluator implements. */
export function subschemaMatchingRules(): readonly string[] {
  return values().mr;
}

/** `matchingRuleUse` values: which attributes each rule applies to in extensible matches. */
export function subschemaMatchingRuleUse(): readonly string[] {
  return values().mru;
}

/** `ldapSyntaxes` values. */
export function subschemaLdapSyntaxes(): readonly string[] {
  return values().syn;
}
