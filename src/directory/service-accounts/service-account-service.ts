import { actorLabel, type Actor } from '../../domain/actor.js';
import { conflict } from '../../domain/errors.js';
import { parseAllowlist } from '../../domain/ip-allowlist.js';
import type { ServiceAccount } from '../../domain/model.js';
import { normalizeName } from '../../domain/name-syntax.js';
import type { Store } from '../../store/store.js';
import { generateSecret } from '../auth/admin-secret.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import { resolveServiceAccount } from './service-account-ref.js';

/**
 * Service accounts `cn=<name>,ou=system` (DESIGN §3): applications bind as them. The secret is
 * generated here (256 bits), stored as a bcrypt hash like passwords (binds verify it with the same
 * hasher) and shown once, on creation and on rotation. Unchecked: callers get these through
 * DirectoryServices.as(actor) (access/actor-services.ts), which asks may() first.
 */
export interface ServiceAccountInput {
  readonly name: string;
  readonly allowedCidrs?: readonly string[] | undefined;
  readonly privileged?: boolean | undefined;
}

function checkCidrs(cidrs: readonly string[] | undefined): string[] | undefined {
  if (cidrs === undefined) return undefined;
  const list = parseAllowlist(cidrs.map((c, i) => c.trim() || `(empty entry ${i + 1})`));
  return [...list.entries];
}

const audited = (a: ServiceAccount) => ({ id: a.id, name: a.name, allowedCidrs: [...a.allowedCidrs], privileged: a.privileged });

export type ServiceAccountService = ReturnType<typeof createServiceAccounts>;

export function createServiceAccounts(store: Store, hasher: PasswordHasher) {
  return {
    list: (): Promise<ServiceAccount[]> => store.listServiceAccounts(),
    get: (ref: string): Promise<ServiceAccount> => resolveServiceAccount(store, ref),

    async create(input: ServiceAccountInput, actor: Actor): Promise<{ account: ServiceAccount; secret: string }> {
      const name = normalizeName(input.name, 'service account name', 'name');
      if (name === 'admin') throw conflict('cn=admin is the built-in directory admin', 'name');
      const allowedCidrs = checkCidrs(input.allowedCidrs) ?? [];
      const secret = generateSecret();
      const secretHash = await hasher.hash(secret);
      const account = await store.write(async (tx) => {
        if ((await tx.findServiceAccountByName(name)) !== undefined) throw conflict(`service account "${name}" already exists`, 'name');
        const created = await tx.insertServiceAccount({ name, secretHash, allowedCidrs, privileged: input.privileged ?? false });
        await tx.appendAudit({ actor: actorLabel(actor), action: 'serviceAccount.create', target: created.id, details: { after: audited(created) } });
        return created;
      });
      return { account, secret };
    },

    async update(ref: string, changes: Omit<ServiceAccountInput, 'name'>, actor: Actor): Promise<ServiceAccount> {
      const allowedCidrs = checkCidrs(changes.allowedCidrs);
      return store.write(async (tx) => {
        const before = await resolveServiceAccount(tx, ref);
        const patch = { ...(allowedCidrs === undefined ? {} : { allowedCidrs }), ...(changes.privileged === undefined ? {} : { privileged: changes.privileged }) };
        const after = await tx.updateServiceAccount(before.id, patch);
        await tx.appendAudit({ actor: actorLabel(actor), action: 'serviceAccount.update', target: before.id, details: { before: audited(before), after: audited(after) } });
        return after;
      });
    },

    async rotate(ref: string, actor: Actor): Promise<{ account: ServiceAccount; secret: string }> {
      const secret = generateSecret();
      const secretHash = await hasher.hash(secret);
      const account = await store.write(async (tx) => {
        const current = await resolveServiceAccount(tx, ref);
        const updated = await tx.updateServiceAccount(current.id, { secretHash });
        await tx.appendAudit({ actor: actorLabel(actor), action: 'serviceAccount.rotateSecret', target: current.id });
        return updated;
      });
      return { account, secret };
    },

    async remove(ref: string, actor: Actor): Promise<ServiceAccount> {
      return store.write(async (tx) => {
        const account = await resolveServiceAccount(tx, ref);
        await tx.deleteServiceAccount(account.id);
        await tx.appendAudit({ actor: actorLabel(actor), action: 'serviceAccount.delete', target: account.id, details: { before: audited(account) } });
        return account;
      });
    },
  };
}
