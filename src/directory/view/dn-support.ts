import { LdapError } from '../../domain/errors.js';
import { ResultCode } from '../../domain/result-code.js';

/**
 * TEMPORARY: the DN helpers the view needs, until src/domain/dn.ts lands (then this file only
 * adapts that module). RFC 4514 strings: RDNs separated by `,`, AVAs by `+`, `\` escapes.
 */
export interface Ava {
  /** Attribute type, lower case. */
  readonly type: string;
  /** Unescaped value. */
  readonly value: string;
}
export type Rdn = readonly Ava[];

const TYPE_ALIASES: Readonly<Record<string, string>> = { commonname: 'cn', userid: 'uid', domaincomponent: 'dc' };

/** Parses a DN; throws LdapError invalidDNSyntax (34) on malformed input. */
export function parseDnParts(dn: string): Rdn[] {
  const rdns: Ava[][] = [];
  if (dn.trim() === '') return rdns;
  let current: Ava[] = [];
  let i = 0;
  for (;;) {
    const { ava, next } = readAva(dn, i);
    current.push(ava);
    i = next;
    if (i >= dn.length) break;
    const sep = dn[i];
    i += 1;
    if (sep === ',' || sep === ';') {
      rdns.push(current);
      current = [];
    }
  }
  rdns.push(current);
  return rdns;
}

function bad(dn: string): LdapError {
  return new LdapError(ResultCode.invalidDNSyntax, `invalid DN: ${dn.slice(0, 80)}`);
}

function readAva(dn: string, start: number): { ava: Ava; next: number } {
  const eq = dn.indexOf('=', start);
  if (eq < 0) throw bad(dn);
  const rawType = dn.slice(start, eq).trim().toLowerCase();
  if (!/^([a-z][a-z0-9-]*|\d+(\.\d+)*)$/.test(rawType)) throw bad(dn);
  const type = TYPE_ALIASES[rawType] ?? rawType;
  const { value, next } = readValue(dn, eq + 1);
  return { ava: { type, value }, next };
}

function readValue(dn: string, start: number): { value: string; next: number } {
  let i = start;
  while (dn[i] === ' ') i += 1;
  if (dn[i] === '#') return readHexValue(dn, i + 1);
  const bytes: number[] = [];
  let lastSignificant = 0;
  for (; i < dn.length; i += 1) {
    const c = dn[i] as string;
    if (c === ',' || c === '+' || c === ';') break;
    if (c === '\\') {
      const pair = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(pair)) {
        bytes.push(parseInt(pair, 16));
        i += 2;
      } else if (i + 1 < dn.length) {
        bytes.push(...Buffer.from(dn[i + 1] as string, 'utf8'));
        i += 1;
      } else throw bad(dn);
      lastSignificant = bytes.length;
      continue;
    }
    if (c === '"' || c === '<' || c === '>' || c === '=') throw bad(dn);
    bytes.push(...Buffer.from(c, 'utf8'));
    if (c !== ' ') lastSignificant = bytes.length;
  }
  return { value: Buffer.from(bytes.slice(0, lastSignificant)).toString('utf8'), next: i };
}

function readHexValue(dn: string, start: number): { value: string; next: number } {
  let i = start;
  while (i < dn.length && /[0-9a-fA-F]/.test(dn[i] as string)) i += 1;
  const hex = dn.slice(start, i);
  if (hex.length === 0 || hex.length % 2 !== 0) throw bad(dn);
  while (dn[i] === ' ') i += 1;
  return { value: Buffer.from(hex, 'hex').toString('utf8'), next: i };
}

/** RFC 4514 §2.4 escaping of one attribute value. */
export function escapeRdnValue(value: string): string {
  let out = value.replace(/["+,;<>\\]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

export function formatRdns(rdns: readonly Rdn[]): string {
  return rdns.map((rdn) => rdn.map((a) => `${a.type}=${escapeRdnValue(a.value)}`).join('+')).join(',');
}

/** Case folding used for DN comparison (caseIgnoreMatch with insignificant spaces folded). */
export function foldValue(value: string): string {
  return value.normalize('NFKC').toUpperCase().toLowerCase().replace(/\s+/g, ' ').trim();
}

export function normalizeRdns(rdns: readonly Rdn[]): string {
  return rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.type}=${escapeRdnValue(foldValue(a.value))}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

/** Canonical (wire) spelling of a DN string. */
export function canonicalDn(dn: string): string {
  return formatRdns(parseDnParts(dn));
}

/** Normalised DN for comparisons. */
export function normalizeDn(dn: string): string {
  return normalizeRdns(parseDnParts(dn));
}
