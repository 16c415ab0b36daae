import { notFound } from '../../domain/errors.js';
import type { ServiceAccount } from '../../domain/model.js';
import type { StoreReader } from '../../store/store.js';
import { findByIdOrName } from '../id-or-name.js';

/** Finds a service account by id or name (case-insensitive); 404 `no service account "x"`. */
export async function resolveServiceAccount(reader: StoreReader, ref: string): Promise<ServiceAccount> {
  const account = await findByIdOrName(ref, { byId: (id) => reader.getServiceAccount(id), byName: (name) => reader.findServiceAccountByName(name) });
  if (account === undefined) throw notFound(`no service account "${ref}"`);
  return account;
}
