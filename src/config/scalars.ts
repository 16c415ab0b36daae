import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDuration } from './duration.js';

/*
 * Scalar types for the configuration schema. Each also accepts the string spelling of its value,
 * because environment overrides (PGDIR_*) are always strings: `"10"` for a number, `"true"` for a
 * boolean, `"a,b"` for a list.
 */

export const text = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, 'must not be empty');

/** A nested section; unknown keys inside it are errors. */
export const mapping = <S extends z.core.$ZodLooseShape>(shape: S) => z.strictObject(shape, { error: 'must be a mapping of keys' });

export const integer = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: (issue) => `must be an integer (got ${JSON.stringify(issue.input)})` })
      .int('must be an integer')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, yes: true, on: true, '1': true, false: false, no: false, off: false, '0': false };
export const boolean = () =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (BOOLEAN_WORDS[v.trim().toLowerCase()] ?? v) : v),
    z.boolean({ error: 'must be true or false' }),
  );

export const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : v),
    z.array(item, { error: 'must be a list' }),
  );

export const duration = () =>
  z.union([z.number(), z.string()], { error: 'must be a duration such as 30s, 15m, 1h or a number of milliseconds' }).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 30s, 15m, 1h or a number of milliseconds (got ${JSON.stringify(v)})` });
      return z.NEVER;
    }
    return ms;
  });

/** An IPv4/IPv6 address or CIDR range (`10.0.0.0/8`, `fd00::/8`). */
export const ipOrCidr = () => checked(isIpOrCidr, 'is not an IP address or CIDR range');

export function isIpOrCidr(value: string): boolean {
  const [address = '', prefix, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** An LDAP listener URL: `ldaps://host:port` or `ldap://host:port` (no DN, no query). */
export const ldapListenUrl = () =>
  text().superRefine((v, ctx) => {
    const problem = ldapUrlProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)}: ${problem}` });
  });

function ldapUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL (expected e.g. ldaps://127.0.0.1:6360)';
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') return 'scheme must be ldap:// or ldaps://';
  if (url.hostname === '') return 'has no host';
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') return 'must not have a path or query';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  return undefined;
}

/** `host:port` or `[ipv6]:port`; port 0 asks the system for a free port. */
export const hostPort = () =>
  checked((v) => parseHostPort(v) !== undefined, 'must be host:port, e.g. 127.0.0.1:8080 or [::1]:8080');

export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port };
}

/** A distinguished name made of attribute=value pairs, e.g. `dc=example,dc=com`. */
export const dn = () =>
  checked((v) => /^[a-z][a-z0-9-]*=[^,=]+(,\s*[a-z][a-z0-9-]*=[^,=]+)*$/i.test(v), 'is not a DN such as dc=example,dc=com');

/** A non-empty string that satisfies `predicate`; the message quotes the bad value. */
function checked(predicate: (value: string) => boolean, problem: string) {
  return text().superRefine((v, ctx) => {
    if (!predicate(v)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} ${problem}` });
  });
}
