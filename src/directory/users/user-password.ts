import { conflict, DirectoryError, forbidden } from '../../domain/errors.js';
import type { User } from '../../domain/model.js';
import { checkPassword } from '../../domain/password-rules.js';
import { assertMay } from '../../domain/permissions.js';
import { ResultCode } from '../../domain/result-code.js';
import type { Store } from '../../store/store.js';
import { actorLabel, type Actor } from '../../domain/actor.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import { assertLocalIdentity } from './user-guards.js';
import { resolveUser, resolveUserFor } from './user-ref.js';

interface Deps {
  readonly store: Store;
  readonly hasher: PasswordHasher;
}

/**
 * Stores a new hash for `user` if, inside the transaction, the user still passes `check`. Hashing
 * happens before (bcrypt takes ~70 ms; no transaction should wait for it).
 */
async function storeHash(deps: Deps, user: User, password: string, actor: Actor, action: string, check: (u: User) => void): Promise<User> {
  const passwordHash = await deps.hasher.hash(password);
  return deps.store.write(async (tx) => {
    const current = await resolveUser(tx, user.id); // role or hash may have changed meanwhile
    check(current);
    const updated = await tx.updateUser(current.id, { passwordHash });
    await tx.appendAudit({ actor: actorLabel(actor), action, target: current.id, result: 'ok', details: {} });
    return updated;
  });
}

export async function setPassword(deps: Deps, ref: string, password: string, actor: Actor): Promise<User> {
  checkPassword(password);
  const check = (u: User): void => {
    assertMay(actor, 'user.setPassword', { id: u.id, role: u.role });
    assertLocalIdentity(u, 'password');
  };
  const user = await resolveUserFor(deps.store, ref, actor);
  check(user);
  return storeHash(deps, user, password, actor, 'user.setPassword', check);
}

export async function changePassword(
  deps: Deps,
  ref: string,
  passwords: { oldPassword: string; newPassword: string },
  actor: Actor,
): Promise<User> {
  const newPassword = checkPassword(passwords?.newPassword, 'newPassword');
  const user = await resolveUserFor(deps.store, ref, actor);
  if (actor.kind === 'user' && actor.id !== user.id) throw forbidden('only the user can change their own password');
  assertMay(actor, 'user.setPassword', { id: user.id, role: user.role });
  assertLocalIdentity(user, 'password');
  if (!(await deps.hasher.verify(passwords.oldPassword, user.passwordHash))) {
    throw new DirectoryError('invalid', 'the current password is wrong', {
      field: 'oldPassword',
      resultCode: ResultCode.unwillingToPerform, // slapd: "unwilling to verify old password"
    });
  }
  return storeHash(deps, user, newPassword, actor, 'user.changePassword', (current) => {
    if (current.passwordHash !== user.passwordHash) throw conflict('the password changed meanwhile; try again', 'oldPassword');
  });
}
