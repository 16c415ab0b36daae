import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { parseFilter } from '../../../src/domain/filter-parse.js';
import type { User } from '../../../src/domain/model.js';
import { createDirectoryServices, type DirectoryServices } from '../../../src/directory/directory-services.js';
import { createPasswordHasher } from '../../../src/crypto/password-hasher.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { createDirectoryView, type DirectoryView } from '../../../src/directory/view/index.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';

/**
 * Issue 13 in the view: ou=teams, derived groups with cumulative membership and memberOf follow
 * the change feed (never a query at search time), renames move DNs in the same revision, deletes
 * take the derived groups along. Both stores.
 */
const S = 'dc=example,dc=com';
const CLI = systemActor('cli');
const T = `ou=teams,${S}`;

describe.each(storeModes)('teams in the directory view on $mode', ({ create }) => {
  let fixture: StoreFixture;
  let store: Store;
  let dir: DirectoryServices;
  let view: DirectoryView;
  const userDn = (u: User): string => `cn=uid-${u.id},ou=users,${S}`;

  beforeAll(async () => {
    fixture = await create();
    store = await openStore(fixture.options);
    dir = createDirectoryServices({ store, hasher: createPasswordHasher({ cost: 4 }) });
    view = createDirectoryView({ store, suffix: S });
    await view.load();
  });
  afterAll(async () => {
    view?.close();
    await store?.close();
    await fixture?.cleanup();
  });

  const synced = async (): Promise<void> => {
    expect(await view.waitForRevision(await store.revision(), 10_000)).toBe(true);
  };
  const person = (name: string): Promise<User> =>
    dir.users.addUser({ username: name, email: `${name}@example.com`, password: 'correct horse battery' }, CLI);
  const members = (cn: string): readonly string[] | undefined => view.findEntry(`cn=${cn},${T}`)?.attributes.get('memberuid');
  const memberOf = (u: User): readonly string[] => view.findEntry(userDn(u))?.attributes.get('memberof') ?? [];
  const search = (filter: string, base = S, scope = 2): string[] => {
    const out = view.search(base, scope as 0 | 1 | 2, parseFilter(filter));
    return out.found ? [...out.cursor].map((e) => e.dn) : [];
  };

  it('shows teams and cumulative derived groups, memberOf and levelOnTeam from grants of every kind', async () => {
    const [ann, ben, cat] = [await person('ann'), await person('ben'), await person('cat')];
    const web = await dir.teams.addTeam({ name: 'web', description: 'Web team' }, CLI);
    const devs = await dir.groups.addGroup({ name: 'devs' }, CLI);
    await dir.groups.addMember(devs.id, ben.id, CLI);
    await dir.teams.putGrant('web', { principal: { type: 'user', id: 'ann' }, level: 'publisher' }, CLI);
    await dir.teams.putGrant('web', { principal: { type: 'group', id: 'devs' }, level: 'editor' }, CLI);
    await dir.teams.putGrant('web', { principal: { type: 'everyone' }, level: 'viewer' }, CLI);
    await synced();
    expect(view.findEntry(`cn=web,${T}`)?.attributes.get('description')).toEqual(['Web team']);
    expect(view.findEntry(`cn=web,${T}`)?.attributes.get('entryuuid')).toEqual([web.id]);
    expect(members('web.viewer')).toEqual(['ann', 'ben', 'cat']);
    expect(members('web.user')).toEqual(['ann', 'ben']);
    expect(members('web.editor')).toEqual(['ann', 'ben']);
    expect(members('web.publisher')).toEqual(['ann']);
    expect(members('web.admin')).toBeUndefined();
    expect(memberOf(ann)).toEqual(expect.arrayContaining([`cn=web.viewer,${T}`, `cn=web.user,${T}`, `cn=web.editor,${T}`, `cn=web.publisher,${T}`]));
    expect(memberOf(ann)).not.toContain(`cn=web.admin,${T}`);
    expect(memberOf(cat).filter((dn) => dn.endsWith(T))).toEqual([`cn=web.viewer,${T}`]);
    // Filters clients use (Grafana, Gitea, Nextcloud) through the planner and by scan.
    expect(search(`(&(objectClass=person)(memberOf=cn=web.editor,${T}))`)).toEqual([userDn(ann), userDn(ben)]);
    expect(search(`(member=${userDn(cat)})`, T, 1)).toEqual([`cn=web.viewer,${T}`]);
    expect(search('(memberUid=ben)', T, 1)).toEqual([`cn=web.viewer,${T}`, `cn=web.user,${T}`, `cn=web.editor,${T}`]);
    expect(search(`(memberOf:1.2.840.113556.1.4.1941:=cn=web.publisher,${T})`)).toEqual([userDn(ann)]);
    expect(search('(objectClass=*)', T, 1)).toEqual([`cn=web,${T}`, ...['viewer', 'user', 'editor', 'publisher', 'admin'].map((l) => `cn=web.${l},${T}`)]);
    expect(view.levelOnTeam(ann.id, 'web')).toBe('publisher');
    expect(view.levelOnTeam(ben.id, web.id)).toBe('editor');
    expect(view.levelOnTeam(cat.id, 'WEB')).toBe('viewer');
    expect(view.levelOnTeam(cat.id, 'nope')).toBeNull();
  });

  it('follows grant changes, group membership, deactivation and organisation grants', async () => {
    const cat = (await store.findUserByUsername('cat'))!;
    const ben = (await store.findUserByUsername('ben'))!;
    await dir.teams.putGrant('web', { principal: { type: 'user', id: 'cat' }, level: 'admin' }, CLI);
    await synced();
    expect(members('web.admin')).toEqual(['cat']);
    await dir.groups.removeMember('devs', 'ben', CLI);
    await synced();
    expect(members('web.editor')).toEqual(['ann', 'cat']);
    expect(view.levelOnTeam(ben.id, 'web')).toBe('viewer');
    await dir.users.setActive(cat.id, false, CLI);
    await synced();
    expect(members('web.admin')).toBeUndefined();
    expect(members('web.viewer')).toEqual(['ann', 'ben']);
    expect(view.levelOnTeam(cat.id, 'web')).toBeNull();
    await dir.users.setActive(cat.id, true, CLI);
    await dir.teams.addTeam({ name: 'ops' }, CLI);
    await dir.teams.putGrant(null, { principal: { type: 'user', id: 'ben' }, level: 'user' }, CLI);
    await synced();
    expect(members('organization.user')).toEqual(['ben']);
    expect(members('organization.viewer')).toEqual(['ben']);
    expect(members('ops.user')).toEqual(['ben']);
    expect(memberOf(ben)).toEqual(expect.arrayContaining([`cn=organization.user,${T}`, `cn=ops.viewer,${T}`, `cn=ops.user,${T}`]));
    await dir.teams.deleteGrant(null, { type: 'user', id: 'ben' }, CLI);
    await synced();
    expect(members('ops.user')).toBeUndefined();
    expect(memberOf(ben)).not.toContain(`cn=ops.viewer,${T}`);
  });

  it('moves a renamed team and its derived groups in the same revision, keeping ids; delete removes them', async () => {
    const ann = (await store.findUserByUsername('ann'))!;
    const before = view.findEntry(`cn=web.viewer,${T}`)?.attributes.get('entryuuid');
    await dir.teams.updateTeam('web', { name: 'site' }, CLI);
    const revision = await store.revision();
    expect(await view.waitForRevision(revision)).toBe(true);
    expect(view.revision).toBe(revision);
    expect(view.findEntry(`cn=web,${T}`)).toBeUndefined();
    expect(view.findEntry(`cn=web.viewer,${T}`)).toBeUndefined();
    expect(view.findEntry(`cn=site.viewer,${T}`)?.attributes.get('entryuuid')).toEqual(before);
    expect(memberOf(ann)).toContain(`cn=site.publisher,${T}`);
    expect(memberOf(ann).some((dn) => dn.includes('cn=web.'))).toBe(false);
    await dir.teams.deleteTeam('site', CLI);
    await synced();
    expect(search('(cn=site*)', T, 1)).toEqual([]);
    expect(memberOf(ann).some((dn) => dn.includes('cn=site.'))).toBe(false);
  });

  it('loads the same state from a snapshot as it reached by following', async () => {
    await dir.teams.addTeam({ name: 'qa' }, CLI);
    await dir.teams.putGrant('qa', { principal: { type: 'everyone' }, level: 'editor' }, CLI);
    await dir.teams.putGrant(null, { principal: { type: 'group', id: 'devs' }, level: 'viewer' }, CLI);
    await synced();
    const fresh = createDirectoryView({ store, suffix: S });
    await fresh.load();
    try {
      const dump = (v: DirectoryView) => {
        const out = v.search(S, 2, parseFilter('(objectClass=*)'));
        return out.found ? [...out.cursor].map((e) => [e.dn, [...e.attributes].filter(([k]) => k !== 'modifytimestamp')]) : [];
      };
      expect(dump(fresh)).toEqual(dump(view));
    } finally {
      fresh.close();
    }
  });
});
