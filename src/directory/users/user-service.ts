import { invalid } from '../../domain/errors.js';
import type { Role, User } from '../../domain/model.js';
import { assertMay, type Action } from '../../domain/permissions.js';
import { parseRole } from '../../domain/roles.js';
import type { Store, StoreTx, UserQuery } from '../../store/store.js';
import { actorLabel, type Actor } from '../../domain/actor.js';
import { auditDiff, auditUser } from '../audit-record.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import { parseAddUser, parseUpdateUser, type AddUserInput, type UpdateUserInput } from './user-input.js';
import { assertLocalIdentity, assertNotLastOwner, assertUniqueUser } from './user-guards.js';
import { changePassword, setPassword } from './user-password.js';
import { resolveUser, resolveUserFor } from './user-ref.js';
import { parseUserQuery } from './user-query.js';

/**
 * User use cases shared by the CLI, the HTTP API and LDAP (DESIGN §7). Each one validates its input,
 * checks `may`, writes in one transaction with its audit entry, and returns the stored user.
 * Users are named by id, username or email (case-insensitive). Errors are DirectoryErrors.
 */
export interface UserService {
  addUser(input: AddUserInput, actor: Actor): Promise<User>;
  /** With an actor, also checks that the actor may read this user. */
  getUser(ref: string, actor?: Actor): Promise<User>;
  listUsers(query?: UserQuery, actor?: Actor): Promise<{ users: User[]; total: number }>;
  updateUser(ref: string, changes: UpdateUserInput, actor: Actor): Promise<User>;
  /** A manager (or the user) sets a password without knowing the old one. */
  setPassword(ref: string, password: string, actor: Actor): Promise<User>;
  /**
   * The user changes their own password, proving the current one (profile page, RFC 3062 Password
   * Modify with oldPasswd). A wrong current password: 400 / LDAP 53, as OpenLDAP answers.
   */
  changePassword(ref: string, passwords: { oldPassword: string; newPassword: string }, actor: Actor): Promise<User>;
  setActive(ref: string, active: boolean, actor: Actor): Promise<User>;
  setRole(ref: string, role: string, actor: Actor): Promise<User>;
  /** Returns the user as it was before deletion. */
  deleteUser(ref: string, actor: Actor): Promise<User>;
}

export interface UserServiceDeps {
  readonly store: Store;
  readonly hasher: PasswordHasher;
}

const auditor =
  (actor: Actor) =>
  (tx: StoreTx, action: string, target: string, details: Record<string, unknown>): Promise<void> =>
    tx.appendAudit({ actor: actorLabel(actor), action, target, result: 'ok', details });

export function createUserService({ store, hasher }: UserServiceDeps): UserService {
  return {
    async addUser(input, actor) {
      const parsed = parseAddUser(input);
      assertMay(actor, 'user.create', { newRole: parsed.role });
      const passwordHash = parsed.password === null ? null : await hasher.hash(parsed.password);
      return store.write(async (tx) => {
        await assertUniqueUser(tx, parsed);
        const { password: _omit, ...fields } = parsed;
        const user = await tx.insertUser({ ...fields, passwordHash });
        await auditor(actor)(tx, 'user.create', user.id, { after: auditUser(user), password: passwordHash !== null });
        return user;
      });
    },

    async getUser(ref, actor) {
      if (actor === undefined) return resolveUser(store, ref);
      return resolveUserFor(store, ref, actor);
    },

    async listUsers(query, actor) {
      if (actor !== undefined) assertMay(actor, 'user.list');
      return store.listUsers(parseUserQuery(query));
    },

    async updateUser(ref, changes, actor) {
      const patch = parseUpdateUser(changes);
      return change(store, ref, actor, 'user.update', async (tx, user) => {
        const identity = (['username', 'email', 'displayName'] as const).find((k) => patch[k] !== undefined);
        if (identity !== undefined) assertLocalIdentity(user, identity === 'displayName' ? 'name' : identity);
        await assertUniqueUser(tx, patch, user.id);
        return tx.updateUser(user.id, patch);
      });
    },

    setPassword: (ref, password, actor) => setPassword({ store, hasher }, ref, password, actor),
    changePassword: (ref, passwords, actor) => changePassword({ store, hasher }, ref, passwords, actor),

    async setActive(ref, active, actor) {
      if (typeof active !== 'boolean') throw invalid('active must be true or false', 'active');
      return change(store, ref, actor, 'user.setActive', async (tx, user) => {
        if (!active) await assertNotLastOwner(tx, user, 'active');
        return user.active === active ? user : tx.updateUser(user.id, { active });
      });
    },

    async setRole(ref, role, actor) {
      const newRole = parseRole(role);
      return change(store, ref, actor, 'user.setRole', async (tx, user) => {
        if (newRole !== 'owner') await assertNotLastOwner(tx, user, 'role');
        return user.role === newRole ? user : tx.updateUser(user.id, { role: newRole });
      }, newRole);
    },

    deleteUser: (ref, actor) =>
      store.write(async (tx) => {
        const user = await resolveUserFor(tx, ref, actor);
        assertMay(actor, 'user.delete', { id: user.id, role: user.role });
        await assertNotLastOwner(tx, user, 'user');
        await tx.deleteUser(user.id);
        await auditor(actor)(tx, 'user.delete', user.id, { before: auditUser(user) });
        return user;
      }),
  };
}

/**
 * One transaction: resolve the user, check `may` against their current role, apply `apply`, and
 * audit the fields that changed. Nothing is written (not even audit) when nothing changed.
 */
function change(
  store: Store,
  ref: string,
  actor: Actor,
  action: Action,
  apply: (tx: StoreTx, user: User) => Promise<User>,
  newRole?: Role,
): Promise<User> {
  return store.write(async (tx) => {
    const user = await resolveUserFor(tx, ref, actor);
    assertMay(actor, action, { id: user.id, role: user.role, ...(newRole === undefined ? {} : { newRole }) });
    const updated = await apply(tx, user);
    if (updated !== user) await auditor(actor)(tx, action, user.id, auditDiff(auditUser(user), auditUser(updated)));
    return updated;
  });
}
