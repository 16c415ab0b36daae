import { DirectoryError } from './errors.js';

/**
 * Source-address allowlist (DESIGN §6): IPv4 and IPv6 addresses and CIDR ranges. IPv4-mapped IPv6
 * addresses (`::ffff:1.2.3.4`, what a dual-stack listener reports for IPv4 clients) are matched as
 * the IPv4 address they carry, both in entries and in checked addresses. Pure: no I/O, no DNS.
 */
export interface IpAllowlist {
  /** The entries as given (trimmed), in order. */
  readonly entries: readonly string[];
  /** True when `address` (textual IPv4 or IPv6, optional `%zone`) falls in any entry. */
  allows(address: string): boolean;
}

interface Range {
  readonly v6: boolean;
  readonly base: bigint;
  readonly mask: bigint;
}

type Ip = { readonly v6: boolean; readonly value: bigint };

const V4_BITS = 32;
const V6_BITS = 128;
const MAPPED_PREFIX = 0xffffn << 32n;

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Decimal only, no leading zeros: `010` is octal to some parsers, so refuse the ambiguity.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseV4(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(BigInt(`0x${part}`));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  // An embedded IPv4 part may only end the address.
  if (halves.length > 2 || (halves.length === 2 && (halves[0] ?? '').includes('.'))) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<bigint>(missing).fill(0n), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses a textual address; IPv4-mapped IPv6 comes back as IPv4. */
function parseIp(text: string): Ip | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { v6: false, value: v4 };
  const v6 = parseV6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { v6: false, value: v6 & 0xffffffffn };
  return { v6: true, value: v6 };
}

/** Returns an address in the form the rest of pgdir logs and compares: IPv4-mapped stripped. */
export function normalizeIp(address: string): string {
  const bare = address.replace(/%.*$/, '');
  const ip = parseIp(bare);
  if (ip === undefined || ip.v6) return bare.toLowerCase();
  const v = ip.value;
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

function prefixMask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

function parseRange(entry: string): Range | string {
  const slash = entry.indexOf('/');
  const addressText = slash < 0 ? entry : entry.slice(0, slash);
  const ip = parseIp(addressText);
  if (ip === undefined) return `'${entry}' is not an IPv4 or IPv6 address or CIDR range`;
  const mapped = !ip.v6 && addressText.includes(':');
  const bits = ip.v6 || mapped ? V6_BITS : V4_BITS;
  let prefix = bits;
  if (slash >= 0) {
    const prefixText = entry.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      return `'${entry}' has an invalid prefix length (0-${bits})`;
    }
    prefix = Number(prefixText);
  }
  if (mapped) {
    // `::ffff:10.0.0.0/104` is the IPv4 range 10.0.0.0/8; shorter prefixes also cover real IPv6.
    if (prefix < 96) {
      const mask = prefixMask(V6_BITS, prefix);
      return { v6: true, base: (MAPPED_PREFIX | ip.value) & mask, mask };
    }
    prefix -= 96;
  }
  const mask = prefixMask(ip.v6 ? V6_BITS : V4_BITS, prefix);
  // Host bits set under the prefix (10.1.2.3/8) are ignored, as most tools do.
  return { v6: ip.v6, base: ip.value & mask, mask };
}

function contains(range: Range, ip: Ip): boolean {
  if (range.v6 === ip.v6) return (ip.value & range.mask) === range.base;
  // A short IPv6 prefix such as ::/0 or ::ffff:0:0/96 also covers IPv4 clients (mapped form).
  if (range.v6 && !ip.v6) return ((MAPPED_PREFIX | ip.value) & range.mask) === range.base;
  return false;
}

function build(entries: readonly string[], ranges: readonly Range[]): IpAllowlist {
  return {
    entries,
    allows(address: string): boolean {
      const ip = parseIp(address.replace(/%.*$/, ''));
      return ip !== undefined && ranges.some((range) => contains(range, ip));
    },
  };
}

function parseAll(items: readonly { text: string; label: string }[]): IpAllowlist {
  const ranges: Range[] = [];
  for (const { text, label } of items) {
    const range = parseRange(text);
    if (typeof range === 'string') throw new DirectoryError('invalid', `${label}: ${range}`, { field: 'allowlist' });
    ranges.push(range);
  }
  return build(items.map((i) => i.text), ranges);
}

/** Parses a list of addresses/CIDR ranges; throws DirectoryError('invalid') naming the bad entry. */
export function parseAllowlist(entries: readonly string[]): IpAllowlist {
  return parseAll(entries.map((e, i) => ({ text: e.trim(), label: `entry ${i + 1}` })));
}

/** Parses the text form: one address or CIDR per line, `#` starts a comment, blank lines ignored. */
export function parseAllowlistText(text: string): IpAllowlist {
  const items = text.split(/\r?\n/).flatMap((line, i) => {
    const content = line.replace(/#.*$/, '').trim();
    return content === '' ? [] : [{ text: content, label: `line ${i + 1}` }];
  });
  return parseAll(items);
}
