import { createHash } from 'node:crypto';

/** Namespace for pgdir's derived identifiers (a random v4 uuid fixed once, never to change). */
const PGDIR_NAMESPACE = Buffer.from('5b7f0c2e8d6a4f1e9a3c1b2d4e6f8a0c', 'hex');

/**
 * A name-based (version 5, RFC 4122 §4.3) uuid for entries that have no row of their own (suffix,
 * containers, built-in groups, the admin account): stable for a given suffix across restarts and
 * replicas, so entryUUID stays what clients such as Nextcloud and Keycloak keyed on.
 */
export function nameUuid(name: string): string {
  const hash = createHash('sha1').update(PGDIR_NAMESPACE).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
