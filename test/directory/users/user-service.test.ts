import { describe, expect, it } from 'vitest';
import { userActor } from '../../../src/domain/actor.js';
import { DirectoryError } from '../../../src/domain/errors.js';
import type { Role } from '../../../src/domain/model.js';
import { storeModes } from '../../helpers/databases.js';
import { CLI, uniq, useDirectoryFixture } from '../../helpers/directory-fixture.js';

describe.each(storeModes)('user service on $mode', ({ create }) => {
  const { store, dir, someone, refused, lastAudit } = useDirectoryFixture(create);

  describe('addUser', () => {
    it('creates a user with normalised fields, a verifiable hash and an audit entry', async () => {
      const name = uniq('Alice');
      const user = await dir.users.addUser(
        { username: ` ${name} `, email: ` ${name}@Example.COM`, name: '  Alice   Smith ', password: 'correct horse' },
        CLI,
      );
      expect(user).toMatchObject({
        username: name.toLowerCase(),
        email: `${name.toLowerCase()}@example.com`,
        displayName: 'Alice Smith',
        role: 'user',
        active: true,
        source: 'local',
      });
      expect(user.uidNumber).toBeGreaterThanOrEqual(10000);
      expect(await dir.hasher.verify('correct horse', user.passwordHash)).toBe(true);
      expect(await store.getUser(user.id)).toEqual(user);
      const audit = await lastAudit();
      expect(audit).toMatchObject({ actor: 'cli', action: 'user.create', target: user.id, result: 'ok' });
      expect(audit?.details).toMatchObject({ after: { username: name.toLowerCase(), role: 'user' }, password: true });
      expect(JSON.stringify(audit)).not.toContain('$2b$');
    });

    it('creates an invited user without username or password', async () => {
      const email = `${uniq('invitee')}@example.com`;
      const user = await dir.users.addUser({ username: '', email }, CLI);
      expect(user).toMatchObject({ username: null, email, passwordHash: null });
    });

    it('gives roles: admins choose, user managers only create plain users', async () => {
      const admin = await someone('admin');
      const manager = await someone('usermanager');
      const name = uniq('m');
      const made = await dir.users.addUser({ username: name, email: `${name}@x.org`, role: 'mailmanager' }, userActor(admin));
      expect(made.role).toBe('mailmanager');
      const plain = await dir.users.addUser({ username: uniq('p'), email: `${uniq('p')}@x.org` }, userActor(manager));
      expect(plain.role).toBe('user');
      await refused(() => dir.users.addUser({ username: uniq('q'), email: `${uniq('q')}@x.org`, role: 'admin' }, userActor(manager)), {
        kind: 'forbidden', status: 403, message: 'only admins and owners can create users with a role other than user',
      });
      await refused(() => dir.users.addUser({ username: uniq('q'), email: `${uniq('q')}@x.org`, role: 'owner' }, userActor(admin)), {
        kind: 'forbidden', message: /higher than your own/,
      });
      const plainActor = userActor(plain);
      await refused(() => dir.users.addUser({ username: uniq('q'), email: `${uniq('q')}@x.org` }, plainActor), {
        kind: 'forbidden', message: 'user.create needs role usermanager or higher',
      });
    });

    it.each([
      [{ username: 'root', email: 'r@x.org' }, 'invalid', 'username', 'username "root" is reserved'],
      [{ username: 'bad name', email: 'r@x.org' }, 'invalid', 'username', /may contain only letters/],
      [{ username: 'ok1', email: 'not-an-email' }, 'invalid', 'email', 'email "not-an-email" is not a valid email address'],
      [{ username: 'ok1', email: 'a@x.org', fallbackEmail: 'nope' }, 'invalid', 'fallbackEmail', /not a valid email/],
      [{ username: 'ok1', email: 'a@x.org', role: 'superuser' }, 'invalid', 'role', 'unknown role "superuser"; valid roles are user, usermanager, mailmanager, admin, owner'],
      [{ username: 'ok1', email: 'a@x.org', password: 'short' }, 'invalid', 'password', 'password must be at least 8 characters'],
      [{ username: 'ok1', email: 'a@x.org', name: 'a\u0000b' }, 'invalid', 'name', /control characters/],
      [{ username: 'ok1', email: 'a@x.org', active: 'yes' }, 'invalid', 'active', 'active must be true or false'],
    ])('refuses %j: %s %s', async (input, kind, field, message) => {
      await refused(() => dir.users.addUser(input as never, CLI), { kind, field, message, status: 400 });
    });

    it('refuses non-object input', async () => {
      await refused(() => dir.users.addUser(null as never, CLI), { kind: 'invalid', message: 'user details must be an object' });
    });

    it('refuses duplicate usernames and emails in any case', async () => {
      const existing = await someone();
      await refused(() => dir.users.addUser({ username: existing.username?.toUpperCase(), email: `${uniq('n')}@x.org` }, CLI), {
        kind: 'conflict', status: 409, field: 'username', message: `username "${existing.username}" is already taken`,
      });
      await refused(() => dir.users.addUser({ username: uniq('n'), email: existing.email.toUpperCase() }, CLI), {
        kind: 'conflict', field: 'email', message: `email "${existing.email}" is already in use`,
      });
    });
  });

  describe('concurrent creates', () => {
    it('let exactly one of two identical adds win; the other is a conflict on the field', async () => {
      const name = uniq('race');
      const input = { username: name, email: `${name}@example.com`, password: 'long-enough' };
      const results = await Promise.allSettled([dir.users.addUser(input, CLI), dir.users.addUser({ ...input, email: `${name}@EXAMPLE.com` }, CLI)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failure.reason).toBeInstanceOf(DirectoryError);
      expect(failure.reason).toMatchObject({ kind: 'conflict', status: 409 });
      expect(['username', 'email']).toContain(failure.reason.field);
      expect((await dir.users.listUsers({ search: name })).total).toBe(1);
      expect((await store.listAudit({ action: 'user.create', limit: 10_000 })).filter((a) => a.details['after'] && (a.details['after'] as { username?: string }).username === name)).toHaveLength(1);
    });
  });

  describe('finding users', () => {
    it('finds by id, uid-<id>, username and email in any case', async () => {
      const user = await someone();
      for (const ref of [user.id, user.id.toUpperCase(), `uid-${user.id}`, user.username!.toUpperCase(), ` ${user.email.toUpperCase()} `]) {
        expect((await dir.users.getUser(ref)).id).toBe(user.id);
      }
    });

    it('says which user is unknown', async () => {
      await refused(() => dir.users.getUser('nobody-here'), { kind: 'not_found', status: 404, message: 'no user "nobody-here"' });
      await refused(() => dir.users.getUser('00000000-0000-4000-8000-000000000000'), { kind: 'not_found' });
      await refused(() => dir.users.getUser(''), { kind: 'invalid', field: 'user' });
    });

    it('lets users read themselves; managers read everyone', async () => {
      const [a, b, manager] = await Promise.all([someone(), someone(), someone('usermanager')]);
      expect((await dir.users.getUser(a.id, userActor(a))).id).toBe(a.id);
      expect((await dir.users.getUser(a.id, userActor(manager))).id).toBe(a.id);
      // Issue 20: "not yours" answers as "not there", so plain users cannot probe ids.
      await refused(() => dir.users.getUser(b.id, userActor(a)), { kind: 'not_found', message: `no user "${b.id}"` });
    });

    it('lists with search, role and paging; checks the query', async () => {
      const tag = uniq('tag');
      await dir.users.addUser({ username: `${tag}-1`, email: `${tag}-1@x.org`, role: 'admin' }, CLI);
      await dir.users.addUser({ username: `${tag}-2`, email: `${tag}-2@x.org` }, CLI);
      const all = await dir.users.listUsers({ search: tag.toUpperCase() });
      expect(all.total).toBe(2);
      expect(all.users.map((u) => u.username)).toEqual([`${tag}-1`, `${tag}-2`]);
      expect((await dir.users.listUsers({ search: tag, role: 'admin' as Role })).users.map((u) => u.username)).toEqual([`${tag}-1`]);
      await refused(() => dir.users.listUsers({ limit: 0 }), { kind: 'invalid', field: 'limit' });
      await refused(() => dir.users.listUsers({ role: 'boss' as Role }), { kind: 'invalid', field: 'role' });
      await refused(() => dir.users.listUsers({}, userActor(all.users[1]!)), { kind: 'forbidden' });
    });
  });

  describe('updateUser', () => {
    it('changes profile fields and audits only what changed', async () => {
      const [user, manager] = await Promise.all([someone(), someone('usermanager')]);
      const email = `${uniq('new')}@Example.org`;
      const updated = await dir.users.updateUser(user.username!, { email, name: 'New Name' }, userActor(manager));
      expect(updated).toMatchObject({ id: user.id, email: email.toLowerCase(), displayName: 'New Name', username: user.username });
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime());
      expect(await lastAudit()).toMatchObject({
        actor: manager.id, action: 'user.update', target: user.id,
        details: { before: { email: user.email, displayName: '' }, after: { email: email.toLowerCase(), displayName: 'New Name' } },
      });
    });

    it('refuses clashes, bad fields, higher roles and external users, changing nothing', async () => {
      const [user, other, manager, admin] = await Promise.all([someone(), someone(), someone('usermanager'), someone('admin')]);
      const by = userActor(manager);
      await refused(() => dir.users.updateUser(user.id, { email: other.email.toUpperCase() }, by), {
        kind: 'conflict', field: 'email', message: `email "${other.email}" is already in use`,
      });
      await refused(() => dir.users.updateUser(user.id, { username: other.username! }, by), { kind: 'conflict', field: 'username' });
      await refused(() => dir.users.updateUser(user.id, { username: 'postmaster' }, by), { kind: 'invalid', field: 'username' });
      await refused(() => dir.users.updateUser(user.id, { role: 'admin' } as never, by), { kind: 'invalid', field: 'role', message: /cannot change "role"/ });
      await refused(() => dir.users.updateUser(user.id, {}, by), { kind: 'invalid', message: /nothing to change/ });
      await refused(() => dir.users.updateUser(admin.id, { name: 'X' }, by), { kind: 'forbidden', message: /higher role admin/ });
      await refused(() => dir.users.updateUser(manager.id, { name: 'X' }, userActor(user)), { kind: 'not_found' });
      const external = await store.write((tx) =>
        tx.insertUser({ username: uniq('ext'), email: `${uniq('ext')}@x.org`, source: 'ldap', sourceId: uniq('s') }),
      );
      await refused(() => dir.users.updateUser(external.id, { email: `${uniq('e')}@x.org` }, by), {
        kind: 'conflict', field: 'email', message: /managed by the external directory/,
      });
    });

    it('keeps its own email when re-sending it in another case', async () => {
      const user = await someone();
      const same = await dir.users.updateUser(user.id, { email: user.email.toUpperCase() }, CLI);
      expect(same.email).toBe(user.email);
    });
  });

  describe('setPassword', () => {
    it('lets users set their own and managers set others', async () => {
      const [user, manager] = await Promise.all([someone('user', { password: 'first-password' }), someone('usermanager')]);
      const own = await dir.users.setPassword(user.id, 'second-password', userActor(user));
      expect(await dir.hasher.verify('second-password', own.passwordHash)).toBe(true);
      expect(await dir.hasher.verify('first-password', own.passwordHash)).toBe(false);
      expect(own.passwordChangedAt!.getTime()).toBeGreaterThanOrEqual(user.passwordChangedAt!.getTime());
      const audit = await lastAudit();
      expect(audit).toMatchObject({ actor: user.id, action: 'user.setPassword', target: user.id, details: {} });
      const reset = await dir.users.setPassword(user.email, 'third-password', userActor(manager));
      expect(await dir.hasher.verify('third-password', reset.passwordHash)).toBe(true);
    });

    it('refuses weak passwords, other users and higher roles', async () => {
      const [user, other, manager, admin] = await Promise.all([
        someone('user', { password: 'first-password' }), someone(), someone('usermanager'), someone('admin'),
      ]);
      await refused(() => dir.users.setPassword(user.id, 'short', userActor(user)), { kind: 'invalid', field: 'password' });
      await refused(() => dir.users.setPassword(other.id, 'long-enough', userActor(user)), { kind: 'not_found' });
      await refused(() => dir.users.setPassword(admin.id, 'long-enough', userActor(manager)), { kind: 'forbidden' });
      await refused(() => dir.users.setPassword('ghost', 'long-enough', CLI), { kind: 'not_found', message: 'no user "ghost"' });
      expect(await dir.hasher.verify('first-password', (await store.getUser(user.id))!.passwordHash)).toBe(true);
    });
  });

  describe('changePassword', () => {
    it('changes the own password when the current one is right', async () => {
      const user = await someone('user', { password: 'first-password' });
      const changed = await dir.users.changePassword(user.username!, { oldPassword: 'first-password', newPassword: 'second-password' }, userActor(user));
      expect(await dir.hasher.verify('second-password', changed.passwordHash)).toBe(true);
      expect(await lastAudit()).toMatchObject({ actor: user.id, action: 'user.changePassword', target: user.id, details: {} });
    });

    it('refuses a wrong current password (400, LDAP 53), weak new ones and other users', async () => {
      const [user, manager] = await Promise.all([someone('user', { password: 'first-password' }), someone('usermanager')]);
      const wrong = await refused(
        () => dir.users.changePassword(user.id, { oldPassword: 'not-the-password', newPassword: 'second-password' }, userActor(user)),
        { kind: 'invalid', status: 400, field: 'oldPassword', message: 'the current password is wrong' },
      );
      expect(wrong.resultCode).toBe(53);
      await refused(() => dir.users.changePassword(user.id, { oldPassword: 'first-password', newPassword: 'short' }, userActor(user)), {
        kind: 'invalid', field: 'newPassword',
      });
      await refused(() => dir.users.changePassword(user.id, { oldPassword: 'first-password', newPassword: 'second-password' }, userActor(manager)), {
        kind: 'forbidden', message: 'only the user can change their own password',
      });
      const invited = await dir.users.addUser({ email: `${uniq('inv')}@x.org` }, CLI);
      await refused(() => dir.users.changePassword(invited.id, { oldPassword: '', newPassword: 'second-password' }, userActor(invited)), {
        kind: 'invalid', field: 'oldPassword',
      });
      expect(await dir.hasher.verify('first-password', (await store.getUser(user.id))!.passwordHash)).toBe(true);
    });
  });

  describe('setActive', () => {
    it('deactivates and reactivates, auditing the flag', async () => {
      const [user, manager] = await Promise.all([someone(), someone('usermanager')]);
      const off = await dir.users.setActive(user.username!, false, userActor(manager));
      expect(off.active).toBe(false);
      expect(await lastAudit()).toMatchObject({
        action: 'user.setActive', target: user.id, details: { before: { active: true }, after: { active: false } },
      });
      const revision = await store.revision();
      expect((await dir.users.setActive(user.id, false, userActor(manager))).active).toBe(false); // no-op: no write
      expect(await store.revision()).toBe(revision);
      expect((await dir.users.setActive(user.id, true, CLI)).active).toBe(true);
    });

    it('refuses self (409), higher roles (403) and non-booleans (400)', async () => {
      const [manager, admin] = await Promise.all([someone('usermanager'), someone('admin')]);
      await refused(() => dir.users.setActive(manager.id, false, userActor(manager)), {
        kind: 'conflict', status: 409, message: 'you cannot change your own active flag',
      });
      await refused(() => dir.users.setActive(admin.id, false, userActor(manager)), { kind: 'forbidden', status: 403 });
      await refused(() => dir.users.setActive(admin.id, 'no' as never, CLI), { kind: 'invalid', field: 'active' });
    });
  });

  describe('setRole', () => {
    it('lets admins change roles up to their own', async () => {
      const [user, admin] = await Promise.all([someone(), someone('admin')]);
      const promoted = await dir.users.setRole(user.id, ' UserManager ', userActor(admin));
      expect(promoted.role).toBe('usermanager');
      expect(await lastAudit()).toMatchObject({
        actor: admin.id, action: 'user.setRole', details: { before: { role: 'user' }, after: { role: 'usermanager' } },
      });
      await refused(() => dir.users.setRole(user.id, 'owner', userActor(admin)), { kind: 'forbidden', message: /higher than your own/ });
    });

    it('refuses managers, self, unknown roles', async () => {
      const [user, manager, admin] = await Promise.all([someone(), someone('usermanager'), someone('admin')]);
      await refused(() => dir.users.setRole(user.id, 'admin', userActor(manager)), { kind: 'forbidden', message: 'user.setRole needs role admin or higher' });
      await refused(() => dir.users.setRole(admin.id, 'user', userActor(admin)), { kind: 'conflict', status: 409, message: 'you cannot change your own role' });
      await refused(() => dir.users.setRole(user.id, 'root', userActor(admin)), { kind: 'invalid', field: 'role', message: /valid roles are user, usermanager/ });
    });
  });

  describe('deleteUser', () => {
    it('deletes the user and their memberships, auditing the record', async () => {
      const [user, manager] = await Promise.all([someone(), someone('usermanager')]);
      const group = await dir.groups.addGroup({ name: uniq('g') }, CLI);
      await dir.groups.addMember(group.id, user.id, CLI);
      const gone = await dir.users.deleteUser(user.email, userActor(manager));
      expect(gone.id).toBe(user.id);
      expect(await store.getUser(user.id)).toBeUndefined();
      expect(await store.groupMemberIds(group.id)).toEqual([]);
      expect(await lastAudit()).toMatchObject({ action: 'user.delete', target: user.id, details: { before: { username: user.username } } });
    });

    it('refuses self-deletion (409), higher roles and unknown users', async () => {
      const [manager, admin] = await Promise.all([someone('usermanager'), someone('admin')]);
      await refused(() => dir.users.deleteUser(manager.id, userActor(manager)), { kind: 'conflict', status: 409, message: 'you cannot delete yourself' });
      await refused(() => dir.users.deleteUser(admin.id, userActor(manager)), { kind: 'forbidden' });
      await refused(() => dir.users.deleteUser('nobody', CLI), { kind: 'not_found', message: 'no user "nobody"' });
      expect(await store.getUser(manager.id)).toBeDefined();
    });
  });

  describe('the last active owner', () => {
    it('cannot be deleted, deactivated or demoted, even by the CLI; a second owner can', async () => {
      expect((await store.listUsers({ role: 'owner' })).total).toBe(0); // no other test makes owners
      const owner = await someone('owner');
      await refused(() => dir.users.deleteUser(owner.id, CLI), { kind: 'conflict', message: 'the last active owner must stay an active owner' });
      await refused(() => dir.users.setActive(owner.id, false, CLI), { kind: 'conflict', field: 'active' });
      await refused(() => dir.users.setRole(owner.id, 'admin', CLI), { kind: 'conflict', field: 'role' });
      expect((await dir.users.setRole(owner.id, 'owner', CLI)).role).toBe('owner'); // no change is fine
      const second = await someone('owner');
      expect((await dir.users.setRole(owner.id, 'admin', userActor(second))).role).toBe('admin');
      await refused(() => dir.users.deleteUser(second.id, CLI), { kind: 'conflict' });
    });
  });
});
