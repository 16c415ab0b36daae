import { conflict } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import type { StoreReader } from '../../store/store.js';

/** Username and email are unique case-insensitively; say which one clashes before the insert does. */
export async function assertUniqueUser(
  reader: StoreReader,
  fields: { readonly username?: string | null; readonly email?: string },
  exceptId?: string,
): Promise<void> {
  if (fields.username !== undefined && fields.username !== null) {
    const other = await reader.findUserByUsername(fields.username);
    if (other !== undefined && other.id !== exceptId) {
      throw conflict(`username "${fields.username}" is already taken`, 'username');
    }
  }
  if (fields.email !== undefined) {
    const other = await reader.findUserByEmail(fields.email);
    if (other !== undefined && other.id !== exceptId) throw conflict(`email "${fields.email}" is already in use`, 'email');
  }
}

/**
 * Refuses to delete, deactivate or demote the last active owner: nobody (not even the CLI) could
 * then manage owner-level settings, and `owner-login` would have nobody to log in as.
 */
export async function assertNotLastOwner(reader: StoreReader, user: User, field: string): Promise<void> {
  if (user.role !== 'owner' || !user.active) return;
  const { users } = await reader.listUsers({ role: 'owner', active: true, limit: 2 });
  if (!users.some((u) => u.id !== user.id)) throw conflict('the last active owner must stay an active owner', field);
}

/**
 * Users mirrored from an external directory get their identity from it (DESIGN §9). Self-registered
 * users (issue 14) are edited like local ones.
 */
export function assertLocalIdentity(user: User, field: string): void {
  if (user.source === 'ldap') {
    throw conflict(`user "${user.username ?? user.email}" is managed by the external directory`, field);
  }
}
