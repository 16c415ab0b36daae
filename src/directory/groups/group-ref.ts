import { conflict, invalid, notFound } from '../../domain/errors.js';
import type { Group } from '../../domain/model.js';
import { isBuiltinGroupName } from '../../domain/reserved-names.js';
import type { StoreReader } from '../../store/store.js';
import { findByIdOrName } from '../id-or-name.js';

/**
 * Finds a stored group by id or name (case-insensitive). The built-in groups `users` and `admins`
 * are computed, never stored (DESIGN §3): asking to change one is a conflict (409), reading one
 * here is not found with a message saying why.
 */
export async function resolveGroup(
  reader: StoreReader,
  ref: unknown,
  purpose: 'read' | 'change',
  field = 'group',
): Promise<Group> {
  if (typeof ref !== 'string' || ref.trim() === '') throw invalid(`${field} must be an id or a name`, field);
  const key = ref.trim().toLowerCase();
  if (isBuiltinGroupName(key)) {
    if (purpose === 'change') throw conflict(`group "${key}" is built in and maintained automatically`, field);
    throw notFound(`group "${key}" is built in: it is computed from users' roles and not stored`);
  }
  const group = await findByIdOrName(key, { byId: (id) => reader.getGroup(id), byName: (name) => reader.findGroupByName(name) });
  if (group === undefined) throw notFound(`no group "${ref.trim()}"`);
  return group;
}
