import { invalid } from '../../domain/errors.js';
import { printable } from '../../domain/name-syntax.js';
import { PRINCIPAL_TYPES, type Principal, type PrincipalType } from '../../domain/team.js';
import type { StoreReader } from '../../store/store.js';
import { resolveGroup } from '../groups/group-ref.js';
import { resolveUser } from '../users/user-ref.js';

/** A principal as callers give it: a type, and for users and groups an id or name. */
export interface PrincipalInput {
  readonly type: unknown;
  readonly id?: unknown;
}

const isType = (value: unknown): value is PrincipalType =>
  typeof value === 'string' && (PRINCIPAL_TYPES as readonly string[]).includes(value);

/**
 * Resolves a principal to stored ids: users by id, username or email; groups by id or name (any
 * source: local, mirrored, SSO). Unknown type → 400 naming the types; unknown user/group → 404.
 */
export async function resolvePrincipal(reader: StoreReader, input: unknown, field = 'principal'): Promise<Principal> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(`${field} must be an object {type, id}`, field);
  }
  const { type, id } = input as PrincipalInput;
  const key = typeof type === 'string' ? type.trim().toLowerCase() : type;
  if (!isType(key)) {
    const shown = typeof type === 'string' ? `"${printable(type)}"` : String(type);
    throw invalid(`unknown principal type ${shown}; allowed types are ${PRINCIPAL_TYPES.join(', ')}`, `${field}.type`);
  }
  if (key === 'everyone') {
    if (id !== undefined && id !== null && id !== '') throw invalid('a grant to everyone takes no id', `${field}.id`);
    return { type: 'everyone' };
  }
  if (typeof id !== 'string' || id.trim() === '') throw invalid(`a ${key} principal needs an id or name`, `${field}.id`);
  if (key === 'user') return { type: 'user', id: (await resolveUser(reader, id, `${field}.id`)).id };
  return { type: 'group', id: (await resolveGroup(reader, id, 'read', `${field}.id`)).id };
}
