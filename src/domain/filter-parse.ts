import { DirectoryError } from './errors.js';
import type { Filter } from './filter.js';

/**
 * RFC 4515 string filters to the Filter AST, for the CLI, tests and the connector (the LDAP codec
 * decodes BER filters itself). Accepts what real configurations contain: a bare `uid=x` without
 * parentheses (Proxmox), whitespace between list elements (Jenkins), `(&)`/`(|)` (RFC 4526) and
 * `\*`-style escapes of RFC 2254 besides `\2a`. Values are `\XX`-decoded to bytes, then UTF-8.
 */
export interface FilterParseLimits {
  /** Deepest nesting accepted; `(uid=x)` has depth 1. */
  readonly maxDepth?: number;
  /** Longest filter string accepted, in characters. */
  readonly maxLength?: number;
}

export const DEFAULT_FILTER_LIMITS = { maxDepth: 64, maxLength: 65_536 } as const;

const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/;
const RULE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const UTF8 = new TextDecoder('utf-8');
const SPACE = /\s/;

class Cursor {
  i = 0;
  constructor(
    readonly s: string,
    readonly maxDepth: number,
    readonly original: string,
  ) {}
  skipSpaces(): void {
    while (this.i < this.s.length && SPACE.test(this.s[this.i] as string)) this.i++;
  }
  fail(reason: string, at = this.i): DirectoryError {
    return invalidFilter(this.original, reason, at);
  }
}

function invalidFilter(input: string, reason: string, at?: number): DirectoryError {
  const shown = input.length > 200 ? `${input.slice(0, 200)}…` : input;
  const where = at === undefined ? '' : ` at position ${at}`;
  return new DirectoryError('invalid', `invalid filter "${shown}": ${reason}${where}`, { field: 'filter' });
}

/** Parses an RFC 4515 filter string. Throws DirectoryError('invalid', field 'filter'). */
export function parseFilter(input: string, limits: FilterParseLimits = {}): Filter {
  const maxLength = limits.maxLength ?? DEFAULT_FILTER_LIMITS.maxLength;
  if (input.length > maxLength) throw invalidFilter(input, `longer than ${maxLength} characters`);
  const trimmed = input.trim();
  if (trimmed === '') throw invalidFilter(input, 'empty filter');
  // Proxmox and nginx-ldap-auth templates send `uid=x` without the enclosing parentheses.
  const text = trimmed.startsWith('(') ? trimmed : `(${trimmed})`;
  const c = new Cursor(text, limits.maxDepth ?? DEFAULT_FILTER_LIMITS.maxDepth, input);
  const filter = parseOne(c, 1);
  c.skipSpaces();
  if (c.i < text.length) throw c.fail('unexpected text after the filter');
  return filter;
}

function parseOne(c: Cursor, depth: number): Filter {
  if (depth > c.maxDepth) throw c.fail(`nested deeper than ${c.maxDepth}`);
  if (c.s[c.i] !== '(') throw c.fail('"(" expected');
  c.i++;
  c.skipSpaces();
  const op = c.s[c.i];
  let filter: Filter;
  if (op === '&' || op === '|') {
    c.i++;
    filter = { type: op === '&' ? 'and' : 'or', filters: parseList(c, depth) };
  } else if (op === '!') {
    c.i++;
    c.skipSpaces();
    filter = { type: 'not', filter: parseOne(c, depth + 1) };
    c.skipSpaces();
  } else {
    filter = parseItem(c);
  }
  if (c.s[c.i] !== ')') throw c.fail('")" expected');
  c.i++;
  return filter;
}

function parseList(c: Cursor, depth: number): Filter[] {
  const filters: Filter[] = [];
  c.skipSpaces();
  while (c.s[c.i] === '(') {
    filters.push(parseOne(c, depth + 1));
    c.skipSpaces();
  }
  return filters;
}

/** The end of an assertion value: the first `)` not escaped RFC 2254-style. */
function valueEnd(c: Cursor, from: number): number {
  for (let j = from; j < c.s.length; j++) {
    const ch = c.s[j];
    if (ch === '\\') j++;
    else if (ch === ')') return j;
    else if (ch === '(') throw c.fail('unescaped "(" in value (write \\28)', j);
    else if (ch === '\u0000') throw c.fail('unescaped NUL in value (write \\00)', j);
  }
  throw c.fail('")" expected', c.s.length);
}

function parseItem(c: Cursor): Filter {
  const start = c.i;
  const eq = c.s.indexOf('=', start);
  const close = c.s.indexOf(')', start);
  if (eq < 0 || (close >= 0 && close < eq)) throw c.fail('"=" expected');
  const end = valueEnd(c, eq + 1);
  const left = c.s.slice(start, eq);
  const raw = c.s.slice(eq + 1, end);
  c.i = end;
  const last = left[left.length - 1];
  if (last === ':') return parseExtensible(c, left.slice(0, -1), raw, start);
  const ops = { '~': 'approx', '>': 'greaterOrEqual', '<': 'lessOrEqual' } as const;
  const op = last === '~' || last === '>' || last === '<' ? ops[last] : undefined;
  const attribute = op === undefined ? left : left.slice(0, -1);
  if (!ATTRIBUTE.test(attribute)) throw c.fail(`invalid attribute description "${attribute}"`, start);
  const at = eq + 1;
  if (op !== undefined) return { type: op, attribute, value: decodeValue(c, raw, at) };
  if (raw === '*') return { type: 'present', attribute };
  const pieces = splitStars(raw);
  if (pieces.length === 1) return { type: 'equality', attribute, value: decodeValue(c, raw, at) };
  return substrings(c, attribute, pieces, at);
}

function substrings(c: Cursor, attribute: string, pieces: string[], at: number): Filter {
  const decoded = pieces.map((p) => decodeValue(c, p, at));
  const initial = decoded[0] as string;
  const final = decoded[decoded.length - 1] as string;
  // RFC 4515 forbids `**`; an empty middle component adds no constraint, so it is dropped.
  const any = decoded.slice(1, -1).filter((s) => s !== '');
  if (initial === '' && final === '' && any.length === 0) return { type: 'present', attribute };
  return {
    type: 'substrings',
    attribute,
    ...(initial === '' ? {} : { initial }),
    any,
    ...(final === '' ? {} : { final }),
  };
}

/** Splits a raw value on the `*` that are not escaped. */
function splitStars(raw: string): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (let j = 0; j < raw.length; j++) {
    if (raw[j] === '\\') j++;
    else if (raw[j] === '*') {
      pieces.push(raw.slice(from, j));
      from = j + 1;
    }
  }
  pieces.push(raw.slice(from));
  return pieces;
}

function parseExtensible(c: Cursor, left: string, raw: string, at: number): Filter {
  const parts = left.split(':');
  const attribute = parts.shift() ?? '';
  let dnAttributes = false;
  if (parts[0]?.toLowerCase() === 'dn') {
    dnAttributes = true;
    parts.shift();
  }
  const matchingRule = parts.shift();
  if (parts.length > 0 || matchingRule === '') throw c.fail(`invalid extensible match "${left}:="`, at);
  if (attribute === '' && matchingRule === undefined) throw c.fail('extensible match needs a type or a rule', at);
  if (attribute !== '' && !ATTRIBUTE.test(attribute)) throw c.fail(`invalid attribute description "${attribute}"`, at);
  if (matchingRule !== undefined && !RULE.test(matchingRule)) throw c.fail(`invalid matching rule "${matchingRule}"`, at);
  return {
    type: 'extensible',
    ...(matchingRule === undefined ? {} : { matchingRule }),
    ...(attribute === '' ? {} : { attribute }),
    value: decodeValue(c, raw, at + left.length + 2),
    dnAttributes,
  };
}

/** Decodes `\XX` pairs (and RFC 2254 `\*`) into bytes and the whole value as UTF-8. */
function decodeValue(c: Cursor, raw: string, at: number): string {
  if (!raw.includes('\\')) return raw;
  const chunks: Buffer[] = [];
  let literal = 0; // start of the pending run of unescaped characters
  for (let j = 0; j < raw.length; j++) {
    if (raw[j] !== '\\') continue;
    chunks.push(Buffer.from(raw.slice(literal, j), 'utf8'));
    const pair = raw.slice(j + 1, j + 3);
    if (HEX_PAIR.test(pair)) {
      chunks.push(Buffer.from([parseInt(pair, 16)]));
      j += 2;
    } else if (/^[*()\\]$/.test(raw[j + 1] ?? '')) {
      chunks.push(Buffer.from(raw[j + 1] as string, 'latin1'));
      j += 1;
    } else {
      throw c.fail('invalid escape in value (use \\XX)', at + j);
    }
    literal = j + 1;
  }
  chunks.push(Buffer.from(raw.slice(literal), 'utf8'));
  return UTF8.decode(Buffer.concat(chunks));
}
