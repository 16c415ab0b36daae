import { lookupAttribute } from './attribute-schema.js';
import { DirectoryError } from './errors.js';
import { ResultCode } from './result-code.js';

/** One attribute type and value of an RDN. `type` is the lower-case canonical attribute name. */
export interface Ava {
  readonly type: string;
  /** The decoded value; for `hex`, the `#`-prefixed lower-case hexstring of RFC 4514 §2.4. */
  readonly value: string;
  readonly hex?: true;
}
/** A relative distinguished name: one or more AVAs joined by `+`. */
export type Rdn = readonly Ava[];

export function invalidDn(input: string, reason: string, at?: number): DirectoryError {
  const where = at === undefined ? '' : ` at position ${at}`;
  return new DirectoryError('invalid', `invalid DN "${input}": ${reason}${where}`, {
    resultCode: ResultCode.invalidDNSyntax,
  });
}

const TYPE = /(?:oid\.)?([A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)/iy;
const HEXSTRING = /#((?:[0-9A-Fa-f]{2})+)/y;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const ALNUM = /^[0-9A-Za-z]$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** BER string tags a `#` value may carry: OCTET, UTF8, Printable, Teletex, IA5, Visible String. */
const STRING_TAGS = new Set([0x04, 0x0c, 0x13, 0x14, 0x16, 0x1a]);

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string | undefined {
    return this.s[this.i];
  }
  skipSpaces(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
  fail(reason: string): DirectoryError {
    return invalidDn(this.s, reason, this.i);
  }
}

/**
 * Parses an RFC 4514 string DN into RDNs, most specific first. Lenient where real clients are
 * sloppy (RFC 4514 §4 allows it): spaces around `,` `+` `=`, `;` as a separator (RFC 2253),
 * unescaped `"` `<` `>`, `OID.` prefixes. Attribute types are resolved to their lower-case
 * canonical names (aliases and known OIDs included). Throws invalidDNSyntax (34) otherwise.
 */
export function parseDn(input: string): Rdn[] {
  const c = new Cursor(input);
  const rdns: Rdn[] = [];
  c.skipSpaces();
  if (c.done) return rdns;
  for (;;) {
    rdns.push(parseRdn(c));
    c.skipSpaces();
    if (c.done) return rdns;
    const sep = c.peek();
    if (sep !== ',' && sep !== ';') throw c.fail(`unexpected "${sep}"`);
    c.i++;
    c.skipSpaces();
  }
}

function parseRdn(c: Cursor): Rdn {
  const avas: Ava[] = [parseAva(c)];
  c.skipSpaces();
  while (c.peek() === '+') {
    c.i++;
    c.skipSpaces();
    avas.push(parseAva(c));
    c.skipSpaces();
  }
  return avas;
}

function parseAva(c: Cursor): Ava {
  TYPE.lastIndex = c.i;
  const m = TYPE.exec(c.s);
  if (m === null || m[1] === undefined) throw c.fail('attribute type expected');
  c.i = TYPE.lastIndex;
  const rawType = m[1];
  const type = lookupAttribute(rawType)?.key ?? rawType.toLowerCase();
  c.skipSpaces();
  if (c.peek() !== '=') throw c.fail('"=" expected');
  c.i++;
  c.skipSpaces();
  if (c.peek() === '#') return { type, ...parseHexValue(c) };
  return { type, value: parseStringValue(c) };
}

function parseHexValue(c: Cursor): { value: string; hex?: true } {
  HEXSTRING.lastIndex = c.i;
  const m = HEXSTRING.exec(c.s);
  if (m === null || m[1] === undefined) throw c.fail('hexstring expected after "#"');
  c.i = HEXSTRING.lastIndex;
  const hex = m[1].toLowerCase();
  const decoded = decodeBerString(Buffer.from(hex, 'hex'));
  return decoded === undefined ? { value: `#${hex}`, hex: true } : { value: decoded };
}

/** The string inside a BER-encoded string value, or undefined for anything else (kept as hex). */
function decodeBerString(ber: Buffer): string | undefined {
  const tag = ber[0], first = ber[1];
  if (tag === undefined || first === undefined || !STRING_TAGS.has(tag)) return undefined;
  let length = first, offset = 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 3 || ber.length < 2 + n) return undefined;
    length = ber.readUIntBE(2, n);
    offset = 2 + n;
  }
  if (offset + length !== ber.length) return undefined;
  try {
    const text = UTF8.decode(ber.subarray(offset));
    // A NUL stays hex: no decoded value may carry one (see parseEscape).
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}

/** An RFC 4514 `string` value up to the next unescaped `,` `;` `+`; trailing spaces dropped. */
function parseStringValue(c: Cursor): string {
  let out = '';
  let significant = 0; // length of `out` up to its last character that is not an unescaped space
  while (!c.done) {
    const ch = c.s[c.i] as string;
    if (ch === ',' || ch === ';' || ch === '+') break;
    if (ch === '\\') {
      out += parseEscape(c);
      significant = out.length;
      continue;
    }
    if (ch === '\u0000') throw c.fail('unescaped NUL');
    out += ch;
    if (ch !== ' ') significant = out.length;
    c.i++;
  }
  return out.slice(0, significant);
}

/** `\` + special character, or a run of `\XX` hex pairs decoded together as UTF-8. */
function parseEscape(c: Cursor): string {
  const bytes: number[] = [];
  while (c.s[c.i] === '\\' && HEX_PAIR.test(c.s.slice(c.i + 1, c.i + 3))) {
    bytes.push(parseInt(c.s.slice(c.i + 1, c.i + 3), 16));
    c.i += 3;
  }
  if (bytes.length > 0) {
    const start = c.i - bytes.length * 3;
    // No entry can hold NUL (PostgreSQL text refuses it): `\00` is refused like an unescaped NUL.
    if (bytes.includes(0)) throw invalidDn(c.s, 'escaped NUL', start);
    try {
      return UTF8.decode(Uint8Array.from(bytes));
    } catch {
      throw invalidDn(c.s, 'escaped bytes are not UTF-8', start);
    }
  }
  const next = c.s[c.i + 1];
  if (next === undefined) throw c.fail('dangling "\\"');
  // RFC 4514 §3: `\` escapes a special character or starts a hex pair; letters never follow it.
  if (ALNUM.test(next)) throw c.fail(`invalid escape "\\${next}"`);
  c.i += 2;
  return next;
}
