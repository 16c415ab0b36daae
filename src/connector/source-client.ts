import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, ResultCodeError } from 'ldapts';
import { DirectoryError } from '../domain/errors.js';
import { ResultCode } from '../domain/result-code.js';
import type { ConnectorConfig } from './connector-config.js';

/**
 * Connections to the source directory (the only ldapts user in pgdir, DESIGN §2.5). Every
 * connection has a connect timeout and an operation timeout, and verifies the server's
 * certificate against the system store, `ca_file`, or — only when `accept_self_signed` is set —
 * not at all.
 */

/** LDAP result codes that mean "the source cannot answer now" rather than "no" (RFC 4511 §A.2). */
const UNAVAILABLE_CODES = new Set([51, 52, 80]); // busy, unavailable, other

function tlsOptions(config: ConnectorConfig): ConnectionOptions {
  if (config.acceptSelfSigned) return { rejectUnauthorized: false };
  if (config.caFile === undefined) return { rejectUnauthorized: true };
  let ca: string;
  try {
    ca = readFileSync(config.caFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new DirectoryError('invalid', `connector.ca_file: cannot read ${config.caFile} (${code})`, { field: 'connector.ca_file' });
  }
  return { ca, rejectUnauthorized: true };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

const CODE_NAMES = new Map<number, string>(Object.entries(ResultCode).map(([name, code]) => [code, name]));

/** `LDAP result 49 (invalidCredentials)` for results, the first line of the message otherwise. */
export function describeSourceError(error: unknown): string {
  if (error instanceof ResultCodeError) return `LDAP result ${error.code} (${CODE_NAMES.get(error.code) ?? 'unknown'})`;
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/** Anything but an LDAP result from the server: refused, reset, timed out, TLS failure. */
export function isTransportError(error: unknown): boolean {
  return !(error instanceof ResultCodeError) || UNAVAILABLE_CODES.has(error.code);
}

/** The source could not be reached or answered "unavailable": 52 over LDAP, 503 over HTTP. */
export function sourceUnavailable(config: ConnectorConfig, error: unknown): DirectoryError {
  return new DirectoryError('unavailable', `the external directory ${config.url} is unavailable: ${describeSourceError(error)}`, { cause: error });
}

/** A connected client (StartTLS done when configured), not yet bound. */
export async function connectSource(config: ConnectorConfig): Promise<Client> {
  const host = hostOf(config.url);
  // SNI carries host names only (RFC 6066 §3); certificates for IPs are still checked by IP SAN.
  const tls = { ...tlsOptions(config), ...(isIP(host) === 0 ? { servername: host } : {}) };
  const secure = config.url.toLowerCase().startsWith('ldaps:');
  // ldapts breaks StartTLS when an ldap:// client also has tlsOptions; give them only to ldaps://.
  const client = new Client({
    url: config.url,
    timeout: config.timeoutMs,
    connectTimeout: config.timeoutMs,
    ...(secure ? { tlsOptions: tls } : {}),
    strictDN: false,
  });
  if (config.startTls) {
    try {
      await client.startTLS({ ...tls });
    } catch (error) {
      await closeQuietly(client);
      throw sourceUnavailable(config, error);
    }
  }
  return client;
}

export async function closeQuietly(client: Client): Promise<void> {
  await client.unbind().catch(() => undefined);
}

/**
 * Runs `fn` on a connection bound with the configured service account (anonymous when none).
 * Transport failures become DirectoryError('unavailable'); a rejected service bind becomes
 * DirectoryError('invalid') naming connector.bind_dn, since it is a configuration problem.
 */
export async function withSource<T>(config: ConnectorConfig, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectSource(config);
  try {
    if (config.bindDn !== undefined) {
      try {
        await client.bind(config.bindDn, config.bindPassword ?? '');
      } catch (error) {
        if (isTransportError(error)) throw sourceUnavailable(config, error);
        throw new DirectoryError('invalid', `connector.bind_dn: the source refused the service account (${describeSourceError(error)})`, {
          field: 'connector.bind_dn',
          cause: error,
        });
      }
    }
    try {
      return await fn(client);
    } catch (error) {
      if (error instanceof DirectoryError || !isTransportError(error)) throw error;
      throw sourceUnavailable(config, error);
    }
  } finally {
    await closeQuietly(client);
  }
}
