import { lookupAttribute } from '../../domain/attribute-schema.js';
import { requireMatchingRule } from '../../domain/matching-rules.js';
import type { IndexKey } from './equality-index.js';
import type { ViewEntry } from './view-entry.js';

/**
 * How index keys are made: with the attribute's own EQUALITY rule (RFC 4517 §4.2), the very
 * normaliser the filter evaluator applies to both sides, so an index lookup finds exactly the
 * entries an equality (or approx, DESIGN §5) assertion can match. Every candidate is re-checked
 * anyway. `undefined` means the value is not valid for the rule: the evaluator then yields
 * Undefined, and the planner leaves such assertions to a scan.
 */
export type IndexKeyFn = (value: string) => IndexKey | undefined;

function equalityKey(attribute: string): IndexKeyFn {
  const name = lookupAttribute(attribute)?.equality;
  if (name === undefined) throw new Error(`indexed attribute ${attribute} has no equality rule`);
  const rule = requireMatchingRule(name);
  return (value) => {
    const key = rule.key(value);
    // Integer keys are numbers, or bigints beyond 2^53 (keyed by their decimal string).
    return typeof key === 'bigint' ? String(key) : key;
  };
}

/**
 * Equality indexes: attribute key → how its values are keyed. entryUUID needs none (it is the
 * id the entries are kept by). Left out, and answered by the planner instead (candidate-plan.ts):
 * users' `cn` (always `uid-<id>`, found by id) and `gidnumber` (always the users group's), two
 * index slots less per user; and the built-in groups' `memberuid` (every user), which would
 * otherwise be re-indexed, 100,000 values at a time, on every user change.
 */
export const INDEXED: ReadonlyMap<string, IndexKeyFn> = new Map(
  ['uid', 'mail', 'cn', 'memberuid', 'uidnumber', 'gidnumber'].map((k) => [k, equalityKey(k)]),
);
const NOT_INDEXED_FOR_USERS: ReadonlySet<string> = new Set(['cn', 'gidnumber']);

export function indexPolicy(builtinIds: ReadonlySet<string>, teamsNorm?: string): (entry: ViewEntry, key: string) => boolean {
  return (entry, key) => {
    if (entry.kind === 'user') return !NOT_INDEXED_FOR_USERS.has(key);
    // Derived team groups list up to every user, like the built-ins (candidate-plan.ts adds them).
    if (key === 'memberuid' && entry.parent === teamsNorm) return false;
    return !(key === 'memberuid' && entry.kind === 'group' && builtinIds.has(entry.id));
  };
}

/**
 * Attributes answered from another attribute's index: a user's uid, username and sAMAccountName
 * are the same value (user-entry.ts), no other entry carries username or sAMAccountName, and all
 * three use caseIgnoreMatch.
 */
export const INDEX_ALIAS: ReadonlyMap<string, string> = new Map([
  ['username', 'uid'],
  ['samaccountname', 'uid'],
]);

/** The index key of a value of an indexed attribute (aliases resolved), if valid. */
export function indexKey(attribute: string, value: string): IndexKey | undefined {
  return INDEXED.get(INDEX_ALIAS.get(attribute) ?? attribute)?.(value);
}
