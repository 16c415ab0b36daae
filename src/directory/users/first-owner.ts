import { actorLabel, type Actor } from '../../domain/actor.js';
import { conflict, invalid } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import { assertMay } from '../../domain/permissions.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { Store } from '../../store/store.js';
import { auditUser } from '../audit-record.js';
import { assertUniqueUser } from './user-guards.js';
import { parseAddUser } from './user-input.js';

/** Why the first owner was not created: one exists (or another set-up is creating one). */
export const OWNER_EXISTS = 'owner';

/**
 * The first-run owner (the console's `/setup`): created only while no owner exists. The check and
 * the insert are one transaction, and that transaction runs under a store-wide lock (a PostgreSQL
 * advisory lock across replicas; in-process on PGlite): under READ COMMITTED two transactions
 * could each see no owner and each insert one, so two racing set-ups would both succeed without it.
 * The loser is refused with a 409 whether it lost the lock or found the winner's owner.
 */
export async function addFirstOwner(
  deps: { readonly store: Store; readonly hasher: PasswordHasher },
  input: { readonly username: string; readonly email: string; readonly password: string },
  actor: Actor,
): Promise<User> {
  const parsed = parseAddUser({ ...input, role: 'owner' });
  if (parsed.password === null) throw invalid('a password is required', 'password');
  assertMay(actor, 'user.create', { newRole: 'owner' });
  const passwordHash = await deps.hasher.hash(parsed.password);
  const { store } = deps;
  const outcome = await store.withAdvisoryLock('pgdir first owner', () =>
    store.write(async (tx) => {
      if ((await tx.listUsers({ role: 'owner', limit: 1 })).total > 0) throw conflict('an owner exists already: sign in instead', OWNER_EXISTS);
      await assertUniqueUser(tx, parsed);
      const { password: _omit, ...fields } = parsed;
      const user = await tx.insertUser({ ...fields, passwordHash });
      await tx.appendAudit({ actor: actorLabel(actor), action: 'user.create', target: user.id, result: 'ok', details: { after: auditUser(user), password: true, firstOwner: true } });
      return user;
    }),
  );
  if (!outcome.acquired) throw conflict('another owner set-up is under way: wait a moment and reload', OWNER_EXISTS);
  return outcome.value;
}
