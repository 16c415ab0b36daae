import { ResultCodeError } from 'ldapts';
import type { User } from '../domain/model.js';
import type { ConnectorConfig } from './connector-config.js';
import { closeQuietly, connectSource, isTransportError, sourceUnavailable } from './source-client.js';

/**
 * Pass-through authentication (DESIGN §9): a mirrored user's password is checked by binding to the
 * source as the user's source DN, on a fresh connection with the configured timeouts and TLS
 * verification. "No" from the source is false; a source that cannot answer throws
 * DirectoryError('unavailable') (LDAP 52, HTTP 503) — never a success.
 */

/**
 * Binds as `dn` with `password`. An empty password is refused here: to an LDAP server a simple bind
 * with a DN and no password is an unauthenticated bind that "succeeds" (RFC 4513 §5.1.2).
 */
export async function sourceAccepts(config: ConnectorConfig, dn: string, password: string): Promise<boolean> {
  if (password === '' || dn.trim() === '') return false;
  const client = await connectSource(config);
  try {
    await client.bind(dn, password);
    return true;
  } catch (error) {
    if (isTransportError(error)) throw sourceUnavailable(config, error);
    // 49 invalidCredentials (also AD's disabled/expired/locked variants), 53, 32...: all mean no.
    if (error instanceof ResultCodeError) return false;
    throw error;
  } finally {
    await closeQuietly(client);
  }
}

/** The ExternalPasswordVerifier of src/directory/auth/bind-service.ts for one configuration. */
export async function verifyMirroredUser(config: ConnectorConfig, user: User, password: string): Promise<boolean> {
  if (user.source !== 'ldap' || user.sourceDn === null) return false;
  return sourceAccepts(config, user.sourceDn, password);
}
