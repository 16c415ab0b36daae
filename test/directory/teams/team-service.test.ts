import { describe, expect, it } from 'vitest';
import { userActor } from '../../../src/domain/actor.js';
import type { Role, User } from '../../../src/domain/model.js';
import { storeModes } from '../../helpers/databases.js';
import { CLI, uniq, useDirectoryFixture, type RefusalExpectation } from '../../helpers/directory-fixture.js';

describe.each(storeModes)('team service on $mode', ({ create }) => {
  const fx = useDirectoryFixture(create);
  const { store, dir } = fx;

  const someone = (role: Role = 'user'): Promise<User> => fx.someone(role, { password: 'correct horse battery' });

  /** Refused with nothing written: same revision, same audit length, same teams and grants. */
  const refused = (run: () => Promise<unknown>, expected: RefusalExpectation) => fx.refused(run, expected, () => Promise.all([store.listTeams(), store.listGrants()]));

  it('creates teams (lower case, audited) and refuses duplicates in any case, reserved and derived names', async () => {
    const name = uniq('Web');
    const team = await dir.teams.addTeam({ name: ` ${name} `, description: ' The web team ' }, CLI);
    expect(team).toMatchObject({ name: name.toLowerCase(), description: 'The web team' });
    expect((await store.listAudit({ limit: 1 }))[0]).toMatchObject({ action: 'team.create', target: team.id, details: { after: { name: name.toLowerCase() } } });
    await refused(() => dir.teams.addTeam({ name: name.toUpperCase() }, CLI), { kind: 'conflict', field: 'name' });
    await refused(() => dir.teams.addTeam({ name: 'organization' }, CLI), { kind: 'conflict' });
    await refused(() => dir.teams.addTeam({ name: 'users' }, CLI), { kind: 'conflict' });
    await refused(() => dir.teams.addTeam({ name: 'web.editor' }, CLI), { kind: 'invalid', message: /derived group/ });
    await refused(() => dir.teams.addTeam({ name: 'a b' }, CLI), { kind: 'invalid', field: 'name' });
    await refused(() => dir.teams.addTeam({ name: '' }, CLI), { kind: 'invalid' });
  });

  it('puts one grant per principal and scope, replacing the level, with before/after in the audit', async () => {
    const team = await dir.teams.addTeam({ name: uniq('t') }, CLI);
    const alice = await someone();
    const first = await dir.teams.putGrant(team.name, { principal: { type: 'user', id: alice.username }, level: 'viewer' }, CLI);
    expect(first).toMatchObject({ level: 'viewer', principal: { type: 'user', id: alice.id, name: alice.username }, scope: { type: 'team', id: team.id } });
    const second = await dir.teams.putGrant(team.id, { principal: { type: 'user', id: alice.email }, level: 'EDITOR' }, CLI);
    expect(second.id).toBe(first.id);
    expect(second.level).toBe('editor');
    expect(await store.listGrants({ teamId: team.id })).toHaveLength(1);
    expect((await store.listAudit({ limit: 1 }))[0]).toMatchObject({
      action: 'grant.put', target: team.id, details: { before: { level: 'viewer' }, after: { level: 'editor' } },
    });
  });

  it('answers 400 naming the levels and principal types, 404 for unknown teams, users, groups and grants', async () => {
    const team = await dir.teams.addTeam({ name: uniq('t') }, CLI);
    await refused(() => dir.teams.putGrant(team.name, { principal: { type: 'everyone' }, level: 'owner' }, CLI), {
      kind: 'invalid', field: 'level', message: /viewer, user, editor, publisher, admin/,
    });
    await refused(() => dir.teams.putGrant(team.name, { principal: { type: 'robot' }, level: 'user' }, CLI), { kind: 'invalid', message: /user, group, everyone/ });
    await refused(() => dir.teams.putGrant(team.name, { principal: { type: 'user' }, level: 'user' }, CLI), { kind: 'invalid' });
    await refused(() => dir.teams.putGrant('no-such-team', { principal: { type: 'everyone' }, level: 'user' }, CLI), { kind: 'not_found' });
    await refused(() => dir.teams.putGrant(team.name, { principal: { type: 'user', id: 'nobody' }, level: 'user' }, CLI), { kind: 'not_found' });
    await refused(() => dir.teams.putGrant(team.name, { principal: { type: 'group', id: 'nogroup' }, level: 'user' }, CLI), { kind: 'not_found' });
    await refused(() => dir.teams.deleteGrant(team.name, { type: 'everyone' }, CLI), { kind: 'not_found' });
    await refused(() => dir.teams.updateTeam('no-such-team', { description: 'x' }, CLI), { kind: 'not_found' });
  });

  it('computes the effective level as the maximum over direct, group, everyone and organisation grants, with the grants behind it', async () => {
    const [team, other] = [await dir.teams.addTeam({ name: uniq('t') }, CLI), await dir.teams.addTeam({ name: uniq('o') }, CLI)];
    const bob = await someone();
    const group = await dir.groups.addGroup({ name: uniq('g') }, CLI);
    await dir.groups.addMember(group.id, bob.id, CLI);
    await dir.teams.putGrant(team.id, { principal: { type: 'everyone' }, level: 'editor' }, CLI);
    await dir.teams.putGrant(team.id, { principal: { type: 'user', id: bob.id }, level: 'viewer' }, CLI);
    let report = await dir.teams.permissions(bob.id, CLI);
    const row = (name: string) => report.teams.find((t) => t.team.name === name);
    // Grants only add: the smaller direct grant does not lower the default.
    expect(row(team.name)).toMatchObject({ level: 'editor', because: [{ principal: { type: 'everyone' } }] });
    expect(row(other.name)).toBeUndefined();
    await dir.teams.putGrant(team.id, { principal: { type: 'group', id: group.name }, level: 'publisher' }, CLI);
    await dir.teams.putGrant(null, { principal: { type: 'user', id: bob.id }, level: 'user' }, CLI);
    report = await dir.teams.permissions(bob.username!, CLI);
    expect(report.organization).toBe('user');
    expect(row(team.name)).toMatchObject({ level: 'publisher', because: [{ principal: { type: 'group', name: group.name } }] });
    expect(row(other.name)).toMatchObject({ level: 'user', because: [{ scope: { type: 'organization' } }] });
    // Inactive users have no level at all.
    const admin = await someone('admin');
    await dir.users.setActive(bob.id, false, userActor(admin));
    report = await dir.teams.permissions(bob.id, CLI);
    expect(report).toMatchObject({ organization: null, teams: [] });
  });

  it('lets a team admin rename their team and manage its user and group grants, nothing more', async () => {
    const team = await dir.teams.addTeam({ name: uniq('t') }, CLI);
    const other = await dir.teams.addTeam({ name: uniq('o') }, CLI);
    const [lead, member, plain] = [await someone(), await someone(), await someone('usermanager')];
    await dir.teams.putGrant(team.id, { principal: { type: 'user', id: lead.id }, level: 'admin' }, CLI);
    const as = userActor(lead);
    const renamed = await dir.teams.updateTeam(team.id, { name: `${team.name}-x`, description: 'd' }, as);
    expect(renamed).toMatchObject({ id: team.id, name: `${team.name}-x` });
    expect((await store.listAudit({ limit: 1 }))[0]).toMatchObject({ action: 'team.update', details: { before: { name: team.name, description: '' }, after: { name: `${team.name}-x` } } });
    await dir.teams.putGrant(team.id, { principal: { type: 'user', id: member.id }, level: 'admin' }, as);
    await dir.teams.deleteGrant(team.id, { type: 'user', id: member.id }, as);
    expect((await dir.teams.listTeams(as)).map((t) => t.id)).toEqual([team.id]);
    await refused(() => dir.teams.putGrant(team.id, { principal: { type: 'everyone' }, level: 'viewer' }, as), { kind: 'forbidden' });
    await refused(() => dir.teams.putGrant(other.id, { principal: { type: 'user', id: member.id }, level: 'viewer' }, as), { kind: 'forbidden' });
    await refused(() => dir.teams.putGrant(null, { principal: { type: 'user', id: member.id }, level: 'viewer' }, as), { kind: 'forbidden' });
    await refused(() => dir.teams.deleteTeam(team.id, as), { kind: 'forbidden' });
    await refused(() => dir.teams.addTeam({ name: uniq('n') }, as), { kind: 'forbidden' });
    await refused(() => dir.teams.updateTeam(other.id, { description: 'x' }, userActor(plain)), { kind: 'forbidden' });
    // Others read only their own permissions: someone else's is absent for a plain user, 403 for a manager.
    const own = await dir.teams.permissions(member.id, userActor(member));
    expect(own.user.id).toBe(member.id);
    expect(own.teams.find((t) => t.team.id === team.id)).toBeUndefined();
    await expect(dir.teams.permissions(lead.id, userActor(member))).rejects.toMatchObject({ kind: 'not_found' });
    await expect(dir.teams.permissions(lead.id, userActor(plain))).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('gives organisation admins everything and a read-only token of an admin nothing to change', async () => {
    const orgAdmin = await someone();
    await dir.teams.putGrant(null, { principal: { type: 'user', id: orgAdmin.id }, level: 'admin' }, CLI);
    const as = userActor(orgAdmin);
    const team = await dir.teams.addTeam({ name: uniq('t') }, as);
    await dir.teams.putGrant(team.id, { principal: { type: 'everyone' }, level: 'viewer' }, as);
    await dir.teams.putGrant(null, { principal: { type: 'everyone' }, level: 'viewer' }, as);
    expect((await dir.teams.listGrants(null, as)).length).toBeGreaterThanOrEqual(2);
    await dir.teams.deleteGrant(null, { type: 'everyone' }, as);
    const admin = await someone('admin');
    await refused(() => dir.teams.addTeam({ name: uniq('t') }, userActor(admin, { readOnly: true })), { kind: 'forbidden' });
    await dir.teams.deleteTeam(team.id, as);
  });

  it('deletes a team with its grants in one transaction, audited with what it held', async () => {
    const team = await dir.teams.addTeam({ name: uniq('t') }, CLI);
    const carol = await someone();
    await dir.teams.putGrant(team.id, { principal: { type: 'user', id: carol.id }, level: 'user' }, CLI);
    await dir.teams.putGrant(team.id, { principal: { type: 'everyone' }, level: 'viewer' }, CLI);
    const before = await store.revision();
    const removed = await dir.teams.deleteTeam(team.name.toUpperCase(), CLI);
    expect(removed.grants).toHaveLength(2);
    expect(await store.listGrants({ teamId: team.id })).toEqual([]);
    expect(await store.getTeam(team.id)).toBeUndefined();
    const changes = await store.changesSince(before);
    expect(changes.map((c) => [c.kind, c.op])).toEqual([['grant', 'delete'], ['grant', 'delete'], ['team', 'delete']]);
    expect((await store.listAudit({ limit: 1 }))[0]).toMatchObject({ action: 'team.delete', details: { before: { name: team.name, grants: [{}, {}] } } });
  });

  it('renames in one revision, keeping the id; a rename onto another name in any case is 409', async () => {
    const [a, b] = [await dir.teams.addTeam({ name: uniq('a') }, CLI), await dir.teams.addTeam({ name: uniq('b') }, CLI)];
    const before = await store.revision();
    await dir.teams.updateTeam(a.id, { name: `${a.name}-new` }, CLI);
    expect(await store.revision()).toBe(before + 1);
    expect((await store.getTeam(a.id))?.name).toBe(`${a.name}-new`);
    await refused(() => dir.teams.updateTeam(a.id, { name: b.name.toUpperCase() }, CLI), { kind: 'conflict', field: 'name' });
    await refused(() => dir.teams.updateTeam(a.id, { colour: 'red' } as never, CLI), { kind: 'invalid' });
  });

  it('drops grants with their user or group (foreign keys)', async () => {
    const team = await dir.teams.addTeam({ name: uniq('t') }, CLI);
    const dave = await someone();
    const group = await dir.groups.addGroup({ name: uniq('g') }, CLI);
    await dir.teams.putGrant(team.id, { principal: { type: 'user', id: dave.id }, level: 'user' }, CLI);
    await dir.teams.putGrant(team.id, { principal: { type: 'group', id: group.id }, level: 'user' }, CLI);
    await dir.users.deleteUser(dave.id, CLI);
    await dir.groups.deleteGroup(group.id, CLI);
    expect(await store.listGrants({ teamId: team.id })).toEqual([]);
  });
});
