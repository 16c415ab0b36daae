import { foldValue } from './dn-support.js';

/**
 * How index keys are made from values. Each must be at least as coarse as the attribute's
 * equality rule (RFC 4517 §4.2) so that an index lookup never misses an entry the filter evaluator
 * would match; the evaluator re-checks every candidate, so coarser is always safe.
 * `undefined` means "cannot tell from the index": the search then scans its scope.
 */
export type IndexKeyFn = (value: string) => string | undefined;

/** caseIgnoreMatch / caseIgnoreIA5Match with insignificant-space folding (RFC 4518 §2.6.1). */
export const caseIgnoreKey: IndexKeyFn = (value) => foldValue(value);

/** integerMatch: `010000` and `10000` are the same value (RFC 4517 §4.2.19). */
export const integerKey: IndexKeyFn = (value) => {
  const trimmed = value.trim();
  if (!/^[-+]?\d{1,30}$/.test(trimmed)) return undefined;
  return BigInt(trimmed).toString();
};

/** uuidMatch (RFC 4530 §2.1): case-insensitive hex. */
export const uuidKey: IndexKeyFn = (value) => value.trim().toLowerCase();

/** Equality indexes: attribute key → how its values are keyed. */
export const INDEXED: ReadonlyMap<string, IndexKeyFn> = new Map([
  ['uid', caseIgnoreKey],
  ['mail', caseIgnoreKey],
  ['cn', caseIgnoreKey],
  ['memberuid', caseIgnoreKey],
  ['entryuuid', uuidKey],
  ['uidnumber', integerKey],
  ['gidnumber', integerKey],
]);

/**
 * Attributes answered from another attribute's index: a user's uid, username and sAMAccountName
 * are the same value (user-entry.ts), and no other entry carries username or sAMAccountName.
 */
export const INDEX_ALIAS: ReadonlyMap<string, string> = new Map([
  ['username', 'uid'],
  ['samaccountname', 'uid'],
]);
