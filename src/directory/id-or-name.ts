import { isUuid } from '../domain/uuid.js';

export interface IdOrNameLookups<T> {
  byId(id: string): Promise<T | undefined>;
  byName(name: string): Promise<T | undefined>;
}

/**
 * The one way a user, group or service account is named in a request: by id or by name,
 * case-insensitively. A UUID is tried as an id first, then as a name (a name may look like one).
 */
export async function findByIdOrName<T>(ref: string, lookups: IdOrNameLookups<T>): Promise<T | undefined> {
  const key = ref.trim().toLowerCase();
  return (isUuid(key) ? await lookups.byId(key) : undefined) ?? (await lookups.byName(key));
}
