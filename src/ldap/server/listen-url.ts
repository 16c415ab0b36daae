import { isIP } from 'node:net';
import { DirectoryError } from '../../domain/errors.js';

/** One listener: `ldaps://host:port` (TLS from the first byte) or `ldap://host:port` (StartTLS). */
export interface ListenUrl {
  readonly url: string;
  readonly tls: boolean;
  /** Host to bind, brackets removed for IPv6 (`::`). */
  readonly host: string;
  readonly port: number;
}

const DEFAULT_PORT = { 'ldap:': 389, 'ldaps:': 636 } as const;

function fail(url: string, why: string): never {
  throw new DirectoryError('invalid', `listen URL '${url}': ${why}`, { field: 'ldap.listen' });
}

/** Parses a listen URL; throws DirectoryError('invalid') naming the URL. Port 0 picks a free port. */
export function parseListenUrl(url: string): ListenUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail(url, 'not a URL (expected ldap://host:port or ldaps://host:port)');
  }
  const scheme = parsed.protocol;
  if (scheme !== 'ldap:' && scheme !== 'ldaps:') fail(url, 'scheme must be ldap:// or ldaps://');
  if (parsed.username !== '' || parsed.password !== '') fail(url, 'must not contain credentials');
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.hash !== '') {
    fail(url, 'must not have a path, query or fragment');
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') fail(url, 'host is missing (use 0.0.0.0 or :: for every interface)');
  if (isIP(host) === 0 && !/^[a-z0-9.-]+$/i.test(host)) fail(url, `invalid host '${host}'`);
  const port = parsed.port === '' ? DEFAULT_PORT[scheme] : Number(parsed.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(url, `invalid port '${parsed.port}'`);
  return { url, tls: scheme === 'ldaps:', host, port };
}

/** The URL clients would use for a bound listener (with the real port when 0 was asked). */
export function formatListenUrl(listen: ListenUrl, port: number): string {
  const host = isIP(listen.host) === 6 ? `[${listen.host}]` : listen.host;
  return `${listen.tls ? 'ldaps' : 'ldap'}://${host}:${port}`;
}
