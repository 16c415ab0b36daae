import type { Actor } from '../../domain/actor.js';
import { invalid, notFound } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import { isUuid } from '../../domain/uuid.js';
import { may } from '../../domain/permissions.js';
import type { StoreReader } from '../../store/store.js';
import { findByIdOrName } from '../id-or-name.js';

/**
 * Finds a user by id (also as `uid-<id>`, the entry's cn), username or email, case-insensitively.
 * A value with `@` is an email; a UUID is tried as an id first, then as a username.
 */
export async function findUserByRef(reader: StoreReader, ref: string): Promise<User | undefined> {
  const key = ref.trim().toLowerCase();
  if (key.includes('@')) return reader.findUserByEmail(key);
  if (key.startsWith('uid-') && isUuid(key.slice(4))) return reader.getUser(key.slice(4));
  return findByIdOrName(key, { byId: (id) => reader.getUser(id), byName: (name) => reader.findUserByUsername(name) });
}

/** findUserByRef that throws DirectoryError('not_found', 'no user "x"') (or 'invalid' for no ref). */
export async function resolveUser(reader: StoreReader, ref: unknown, field = 'user'): Promise<User> {
  if (typeof ref !== 'string' || ref.trim() === '') throw invalid(`${field} must be an id, username or email`, field);
  const user = await findUserByRef(reader, ref);
  if (user === undefined) throw noUser(ref);
  return user;
}

const noUser = (ref: string): Error => notFound(`no user "${ref.trim()}"`);

/**
 * resolveUser on behalf of `actor`: a user the actor may not read answers exactly as a user that
 * does not exist (404, same message), so a plain user cannot tell "not yours" from "not there" and
 * cannot probe which ids, usernames or emails exist (issue 20). Callers check the action itself
 * afterwards (403 for a target the actor may see but not change).
 */
export async function resolveUserFor(reader: StoreReader, ref: unknown, actor: Actor, field = 'user'): Promise<User> {
  const user = await resolveUser(reader, ref, field);
  if (!may(actor, 'user.read', { id: user.id, role: user.role }).allowed) throw noUser(ref as string);
  return user;
}
