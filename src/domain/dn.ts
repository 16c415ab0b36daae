import { parseDn, type Ava, type Rdn } from './dn-parse.js';
import { prepareString } from './string-prep.js';

export { parseDn, invalidDn, type Ava, type Rdn } from './dn-parse.js';

/**
 * Distinguished names (RFC 4514). pgdir emits one spelling everywhere (DESIGN §3): lower-case
 * attribute types, no spaces, RFC 4514 escaping. Comparisons and index keys use the normalised
 * form, which additionally lower-cases and space-folds values (caseIgnoreMatch, RFC 4518) and
 * orders the AVAs of multi-valued RDNs.
 */

const NEEDS_BACKSLASH = new Set(['"', '+', ',', ';', '<', '>', '\\']);

function hexEscape(ch: string): string {
  return `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** Values that need no escape at all (ids, most names): returned as they are, no copy built. */
const NOTHING_TO_ESCAPE = /^[\w.@-]*$/;

/** RFC 4514 §2.4 escaping of one attribute value (control characters as `\XX`). */
export function escapeDnValue(value: string): string {
  if (NOTHING_TO_ESCAPE.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const code = ch.charCodeAt(0);
    if (NEEDS_BACKSLASH.has(ch)) out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += hexEscape(ch);
    else if ((i === 0 && (ch === ' ' || ch === '#')) || (i === value.length - 1 && ch === ' ')) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

function formatAva(ava: Ava): string {
  return `${ava.type}=${ava.hex ? ava.value : escapeDnValue(ava.value)}`;
}

/** Canonical string form: lower-case types, no spaces, RFC 4514 escaping, AVA order kept. */
export function formatDn(rdns: readonly Rdn[]): string {
  return rdns.map((rdn) => rdn.map(formatAva).join('+')).join(',');
}

/** Canonical form of a DN string (see formatDn). Throws invalidDNSyntax (34). */
export function canonicalDn(dn: string): string {
  return formatDn(parseDn(dn));
}

function normalizeAva(ava: Ava): Ava {
  return ava.hex ? ava : { type: ava.type, value: prepareString(ava.value, true) };
}

function compareAvas(a: Ava, b: Ava): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** The RDNs of a DN with values case- and space-folded and multi-valued RDNs sorted. */
export function normalizeRdns(rdns: readonly Rdn[]): Rdn[] {
  return rdns.map((rdn) => (rdn.length === 1 ? rdn.map(normalizeAva) : rdn.map(normalizeAva).sort(compareAvas)));
}

/**
 * DNs pgdir itself emits (`cn=uid-<uuid>,ou=users,dc=example,dc=com`, lower-case group names) are
 * already normalised; recognising them skips the parser on the evaluator's hot path.
 */
const ALREADY_NORMAL = /^(?:cn|uid|ou|dc|o)=[a-z0-9._@-]+(?:,(?:cn|uid|ou|dc|o)=[a-z0-9._@-]+)*$/;

/**
 * Normalised DN for comparisons and index keys (distinguishedNameMatch): any case, spacing or
 * escaping of the same name gives the same string. Throws invalidDNSyntax (34).
 */
export function normalizeDn(dn: string): string {
  if (ALREADY_NORMAL.test(dn)) return dn;
  return formatDn(normalizeRdns(parseDn(dn)));
}

/** normalizeDn, or undefined for a string that is not a DN (filter assertions never throw). */
export function tryNormalizeDn(dn: string): string | undefined {
  try {
    return normalizeDn(dn);
  } catch {
    return undefined;
  }
}

/** Index of the first RDN separator of a canonical/normalised DN, or -1 for a single RDN. */
function firstSeparator(dn: string): number {
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i];
    if (ch === '\\') i++;
    else if (ch === ',') return i;
  }
  return -1;
}

/**
 * Parent of a canonical or normalised DN (`''` for a single RDN, undefined for the root DSE).
 * Works on the string; parse and format first when the input may be spelt loosely.
 */
export function parentDn(dn: string): string | undefined {
  if (dn === '') return undefined;
  const sep = firstSeparator(dn);
  return sep < 0 ? '' : dn.slice(sep + 1);
}

/** Is `normDn` strictly below `normBase`? Both normalised (or both canonical) DN strings. */
export function isDescendant(normDn: string, normBase: string): boolean {
  if (normBase === '') return normDn !== '';
  const sep = normDn.length - normBase.length - 1;
  if (sep < 1 || normDn[sep] !== ',' || !normDn.endsWith(normBase)) return false;
  let backslashes = 0;
  for (let j = sep - 1; j >= 0 && normDn[j] === '\\'; j--) backslashes++;
  return backslashes % 2 === 0; // an odd count means the comma is escaped inside a value
}

/** Is `normDn` equal to or below `normBase` (subtree scope, RFC 4511 §4.5.1.2)? */
export function isInSubtree(normDn: string, normBase: string): boolean {
  return normDn === normBase || isDescendant(normDn, normBase);
}
