import { describe, expect, it } from 'vitest';
import { userActor } from '../../../src/domain/actor.js';
import { storeModes } from '../../helpers/databases.js';
import { CLI, uniq, useDirectoryFixture } from '../../helpers/directory-fixture.js';

describe.each(storeModes)('group service on $mode', ({ create }) => {
  const { store, dir, someone, refused, lastAudit } = useDirectoryFixture(create);
  const sorted = (ids: readonly string[]) => [...ids].sort();

  it('creates groups with a lower-case name, a gid number and an audit entry', async () => {
    const manager = await someone('usermanager');
    const name = uniq('Staff');
    const group = await dir.groups.addGroup({ name: ` ${name} `, description: '  The staff ' }, userActor(manager));
    expect(group).toMatchObject({ name: name.toLowerCase(), description: 'The staff', source: 'local', memberIds: [] });
    expect(group.gidNumber).toBeGreaterThanOrEqual(10000);
    expect(await store.getGroup(group.id)).toMatchObject({ name: name.toLowerCase() });
    expect(await lastAudit()).toMatchObject({
      actor: manager.id, action: 'group.create', target: group.id, details: { after: { name: name.toLowerCase() } },
    });
  });

  it.each([
    [{ name: 'users' }, 'conflict', 409, 'group "users" is built in and maintained automatically'],
    [{ name: 'Admins' }, 'conflict', 409, 'group "admins" is built in and maintained automatically'],
    [{ name: 'dev ops' }, 'invalid', 400, /may contain only letters, digits/],
    [{ name: '' }, 'invalid', 400, 'group name must not be empty'],
    [{ name: 'ok', description: 'a\u0007b' }, 'invalid', 400, /control characters/],
  ])('refuses %j', async (input, kind, status, message) => {
    const field = 'description' in input ? 'description' : 'name';
    await refused(() => dir.groups.addGroup(input, CLI), { kind, status, field, message });
  });

  it('refuses duplicate names in any case, and plain users', async () => {
    const group = await dir.groups.addGroup({ name: uniq('dup') }, CLI);
    await refused(() => dir.groups.addGroup({ name: group.name.toUpperCase() }, CLI), {
      kind: 'conflict', field: 'name', message: `group name "${group.name}" is already taken`,
    });
    const plain = await someone();
    await refused(() => dir.groups.addGroup({ name: uniq('x') }, userActor(plain)), {
      kind: 'forbidden', status: 403, message: 'group.create needs role usermanager or higher',
    });
    await refused(() => dir.groups.addMember(group.id, plain.id, userActor(plain)), { kind: 'forbidden' });
  });

  it('adds and removes members by username, email or id; repeats change nothing', async () => {
    const [a, b] = await Promise.all([someone(), someone()]);
    const group = await dir.groups.addGroup({ name: uniq('team') }, CLI);
    const withA = await dir.groups.addMember(group.name.toUpperCase(), a.username!.toUpperCase(), CLI);
    expect(withA.memberIds).toEqual([a.id]);
    expect(await lastAudit()).toMatchObject({ action: 'group.addMember', target: group.id, details: { userId: a.id } });
    const both = await dir.groups.addMember(group.id, b.email, CLI);
    expect(sorted(both.memberIds)).toEqual(sorted([a.id, b.id]));
    const revision = await store.revision();
    const audits = (await store.listAudit({ limit: 10_000 })).length;
    expect(sorted((await dir.groups.addMember(group.id, a.id, CLI)).memberIds)).toEqual(sorted([a.id, b.id]));
    expect(await store.revision()).toBe(revision);
    expect((await store.listAudit({ limit: 10_000 })).length).toBe(audits);
    expect((await dir.groups.removeMember(group.id, a.id, CLI)).memberIds).toEqual([b.id]);
    expect(await lastAudit()).toMatchObject({ action: 'group.removeMember', details: { userId: a.id } });
    expect(await store.userGroupIds(a.id)).toEqual([]);
  });

  it('refuses membership changes on built-in and unknown groups or users', async () => {
    const [user, group] = await Promise.all([someone(), dir.groups.addGroup({ name: uniq('g') }, CLI)]);
    await refused(() => dir.groups.addMember('users', user.id, CLI), { kind: 'conflict', status: 409, message: 'group "users" is built in and maintained automatically' });
    await refused(() => dir.groups.removeMember('ADMINS', user.id, CLI), { kind: 'conflict', status: 409 });
    await refused(() => dir.groups.addMember('no-such-group', user.id, CLI), { kind: 'not_found', message: 'no group "no-such-group"' });
    await refused(() => dir.groups.addMember(group.id, 'ghost@example.com', CLI), { kind: 'not_found', message: 'no user "ghost@example.com"' });
  });

  it('replaces members all-or-nothing', async () => {
    const [a, b, c] = await Promise.all([someone(), someone(), someone()]);
    const group = await dir.groups.addGroup({ name: uniq('set') }, CLI);
    await dir.groups.addMember(group.id, a.id, CLI);
    const set = await dir.groups.setMembers(group.name, [b.username!, c.email, b.id], userActor(await someone('usermanager')));
    expect(sorted(set.memberIds)).toEqual(sorted([b.id, c.id]));
    expect(await lastAudit()).toMatchObject({ action: 'group.setMembers', details: { added: expect.any(Array), removed: [a.id] } });
    const err = await refused(() => dir.groups.setMembers(group.id, [a.id, 'nobody-at-all'], CLI), {
      kind: 'not_found', message: 'no user "nobody-at-all"',
    });
    expect(err.status).toBe(404);
    expect(sorted(await store.groupMemberIds(group.id))).toEqual(sorted([b.id, c.id]));
    await refused(() => dir.groups.setMembers(group.id, 'x' as never, CLI), { kind: 'invalid', field: 'members' });
    await refused(() => dir.groups.setMembers(group.id, [''], CLI), { kind: 'invalid', field: 'members[0]' });
  });

  it('renames and describes; refuses clashes and built-in names', async () => {
    const [g1, g2] = await Promise.all([dir.groups.addGroup({ name: uniq('r') }, CLI), dir.groups.addGroup({ name: uniq('r') }, CLI)]);
    const renamed = await dir.groups.updateGroup(g1.name, { name: `${g1.name}-new`, description: 'Renamed' }, CLI);
    expect(renamed).toMatchObject({ id: g1.id, name: `${g1.name}-new`, description: 'Renamed', gidNumber: g1.gidNumber });
    expect(await lastAudit()).toMatchObject({
      action: 'group.update', details: { before: { name: g1.name, description: '' }, after: { name: `${g1.name}-new` } },
    });
    await refused(() => dir.groups.updateGroup(g1.id, { name: g2.name.toUpperCase() }, CLI), { kind: 'conflict', field: 'name' });
    await refused(() => dir.groups.updateGroup(g1.id, { name: 'users' }, CLI), { kind: 'conflict', field: 'name' });
    await refused(() => dir.groups.updateGroup(g1.id, { gid: 5 } as never, CLI), { kind: 'invalid', field: 'gid' });
    await refused(() => dir.groups.updateGroup(g1.id, {}, CLI), { kind: 'invalid', message: /nothing to change/ });
    await refused(() => dir.groups.updateGroup('admins', { description: 'x' }, CLI), { kind: 'conflict', status: 409 });
  });

  it('deletes groups but not their members', async () => {
    const user = await someone();
    const group = await dir.groups.addGroup({ name: uniq('del') }, CLI);
    await dir.groups.addMember(group.id, user.id, CLI);
    const gone = await dir.groups.deleteGroup(group.name, CLI);
    expect(gone).toMatchObject({ id: group.id, memberIds: [user.id] });
    expect(await store.getGroup(group.id)).toBeUndefined();
    expect(await store.getUser(user.id)).toBeDefined();
    expect(await lastAudit()).toMatchObject({ action: 'group.delete', target: group.id, details: { before: { memberIds: [user.id] } } });
    await refused(() => dir.groups.deleteGroup(group.id, CLI), { kind: 'not_found' });
    await refused(() => dir.groups.deleteGroup('users', CLI), { kind: 'conflict', status: 409 });
  });

  it('lists and reads groups with member ids; built-in groups are not stored', async () => {
    const user = await someone();
    const group = await dir.groups.addGroup({ name: uniq('list') }, CLI);
    await dir.groups.addMember(group.id, user.id, CLI);
    const listed = (await dir.groups.listGroups()).find((g) => g.id === group.id);
    expect(listed?.memberIds).toEqual([user.id]);
    expect((await dir.groups.getGroup(group.name.toUpperCase())).memberIds).toEqual([user.id]);
    await refused(() => dir.groups.getGroup('users'), { kind: 'not_found', message: /built in/ });
    await refused(() => dir.groups.listGroups(userActor(user)), { kind: 'forbidden' });
    expect((await dir.groups.groupsOfUser(user.email, userActor(user))).map((g) => g.id)).toEqual([group.id]);
    const other = await someone();
    expect(await dir.groups.groupsOfUser(other.id)).toEqual([]);
    // Issue 20: a user one may not read answers like an unknown one.
    await refused(() => dir.groups.groupsOfUser(user.id, userActor(other)), { kind: 'not_found', message: `no user "${user.id}"` });
  });

  it('refuses to change groups mirrored from an external directory', async () => {
    const user = await someone();
    const external = await store.write((tx) => tx.insertGroup({ name: uniq('ext'), source: 'ldap', sourceId: uniq('s') }));
    await refused(() => dir.groups.addMember(external.id, user.id, CLI), { kind: 'conflict', message: /managed by the external directory/ });
    await refused(() => dir.groups.deleteGroup(external.name, CLI), { kind: 'conflict' });
  });
});
