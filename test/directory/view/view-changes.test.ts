import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from '../../../src/domain/filter-parse.js';
import type { User } from '../../../src/domain/model.js';
import { openStore } from '../../../src/store/open-store.js';
import type { NewUser, Store } from '../../../src/store/store.js';
import { createDirectoryView, type DirectoryView, type DirectoryViewOptions } from '../../../src/directory/view/index.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';

/**
 * The view follows the store's change feed (DESIGN §2.3): every kind of write shows up on both
 * sides of a membership and in the built-in groups; lost notifications, reconnects, gaps and
 * failures are caught up by revision. Runs against PostgreSQL and PGlite.
 */
const S = 'dc=example,dc=com';
/** Any stored hash: a local user without one is an open invite and is not listed. */
const HASH = '$2b$04$abcdefghijklmnopqrstuuJ0ZIAlVzRm4d2MBl2dx6lYjf1S3gn8G';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

/** The real store with some methods replaced (private fields need the original `this`). */
function wrapStore(store: Store, overrides: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property in overrides) return overrides[property as keyof Store];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Everything a view serves, for comparing two views. */
function dump(view: DirectoryView): unknown {
  const out = view.search(S, 2, parseFilter('(objectClass=*)'));
  if (!out.found) return 'no suffix';
  return [...out.cursor].map((e) => [e.dn, [...e.attributes]]);
}

describe.each(storeModes)('directory view following the store on $mode', ({ mode, create }) => {
  let fixture: StoreFixture;
  let store: Store;
  let view: DirectoryView;
  const views: DirectoryView[] = [];
  const userDn = (u: User): string => `cn=uid-${u.id},ou=users,${S}`;

  async function openView(options: Partial<DirectoryViewOptions> = {}): Promise<DirectoryView> {
    const v = createDirectoryView({ store, suffix: S, ...options });
    views.push(v);
    await v.load();
    return v;
  }
  async function synced(v: DirectoryView = view): Promise<void> {
    expect(await v.waitForRevision(await store.revision(), 5000)).toBe(true);
  }
  const uids = (filter: string, base = S): string[] => {
    const out = view.search(base, 2, parseFilter(filter));
    return out.found ? [...out.cursor].map((e) => e.attributes.get('uid')?.[0] ?? e.attributes.get('cn')?.[0] ?? e.dn) : [];
  };
  const attr = (dn: string, key: string): readonly string[] | undefined => view.findEntry(dn)?.attributes.get(key);
  const newUser = (username: string | null, extra: Partial<NewUser> = {}) =>
    store.write((tx) => tx.insertUser({ username, email: `${username ?? 'invitee'}${Math.random()}@example.com`.replace(/0\./, ''), passwordHash: HASH, ...extra }));

  beforeAll(async () => {
    fixture = await create();
    store = await openStore(fixture.options);
    view = await openView();
  });
  afterAll(async () => {
    for (const v of views) v.close();
    await store?.close();
    await fixture?.cleanup();
  });

  it('picks up commits from notifications alone', async () => {
    const before = view.stats().catchUps;
    const user = await newUser('notified');
    const revision = await store.revision();
    await until(() => view.revision >= revision);
    expect(view.stats().catchUps).toBeGreaterThan(before);
    expect(uids('(uid=notified)')).toEqual(['notified']);
    expect(attr(`cn=users,ou=groups,${S}`, 'memberuid')).toContain('notified');
    await store.write((tx) => tx.deleteUser(user.id));
    await synced();
  });

  it('adds, disables, re-enables, renames and deletes users everywhere they appear', async () => {
    const erin = await newUser('erin');
    const group = await store.write(async (tx) => {
      const g = await tx.insertGroup({ name: 'ops' });
      await tx.addMember(g.id, erin.id);
      return g;
    });
    await synced();
    expect(uids('(uid=erin)')).toEqual(['erin']);
    expect(attr(`cn=ops,ou=groups,${S}`, 'memberuid')).toEqual(['erin']);

    await store.write((tx) => tx.updateUser(erin.id, { active: false }));
    await synced();
    expect(view.findEntry(userDn(erin))).toBeUndefined();
    expect(attr(`cn=ops,ou=groups,${S}`, 'member')).toBeUndefined();
    expect(attr(`cn=users,ou=groups,${S}`, 'memberuid') ?? []).not.toContain('erin');
    expect(view.resolveBind(`uid=erin,ou=users,${S}`)).toBeUndefined();

    await store.write((tx) => tx.updateUser(erin.id, { active: true, username: 'erin2', email: 'Erin2@example.com' }));
    await synced();
    expect(uids('(uid=erin)')).toEqual([]);
    expect(uids('(mail=erin2@EXAMPLE.com)')).toEqual(['erin2']);
    expect(view.findEntry(userDn(erin))?.dn).toBe(userDn(erin)); // the DN survives renames
    expect(attr(`cn=ops,ou=groups,${S}`, 'memberuid')).toEqual(['erin2']);
    expect(attr(`cn=ops,ou=groups,${S}`, 'member')).toEqual([userDn(erin)]);
    expect(view.resolveBind(`uid=erin2,ou=users,${S}`)?.kind).toBe('user');

    await store.write((tx) => tx.deleteUser(erin.id));
    await synced();
    expect(view.findEntry(userDn(erin))).toBeUndefined();
    expect(uids('(memberUid=erin2)')).toEqual([]);
    expect(attr(`cn=ops,ou=groups,${S}`, 'member')).toBeUndefined();
    await store.write((tx) => tx.deleteGroup(group.id));
    await synced();
  });

  it('lists an invited user once the invite is accepted and moves role changes into admins', async () => {
    const invitee = await newUser(null, { passwordHash: null });
    await synced();
    expect(view.findEntry(userDn(invitee))).toBeUndefined();
    await store.write((tx) => tx.updateUser(invitee.id, { username: 'frank' }));
    await synced();
    expect(view.findEntry(userDn(invitee)), 'a username alone does not list an open invite').toBeUndefined();
    expect(attr(`cn=users,ou=groups,${S}`, 'memberuid') ?? []).not.toContain('frank');
    await store.write((tx) => tx.updateUser(invitee.id, { passwordHash: HASH }));
    await synced();
    expect(uids('(uid=frank)')).toEqual(['frank']);
    expect(attr(userDn(invitee), 'memberof')).toEqual([`cn=users,ou=groups,${S}`]);
    await store.write((tx) => tx.updateUser(invitee.id, { role: 'admin' }));
    await synced();
    expect(attr(userDn(invitee), 'memberof')).toEqual([`cn=users,ou=groups,${S}`, `cn=admins,ou=groups,${S}`]);
    expect(attr(`cn=admins,ou=groups,${S}`, 'memberuid')).toContain('frank');
    expect(uids(`(memberOf=cn=admins,ou=groups,${S})`)).toContain('frank');
    await store.write((tx) => tx.deleteUser(invitee.id));
    await synced();
    expect(attr(`cn=admins,ou=groups,${S}`, 'memberuid') ?? []).not.toContain('frank');
  });

  it('updates both sides of a membership, and members on group rename and delete', async () => {
    const [gina, hank] = [await newUser('gina'), await newUser('hank')];
    const team = await store.write((tx) => tx.insertGroup({ name: 'team', description: 'A team' }));
    await synced();
    const created = attr(`cn=team,ou=groups,${S}`, 'modifytimestamp')?.[0];
    await sleep(1100); // GeneralizedTime has whole seconds
    await store.write((tx) => tx.addMember(team.id, gina.id));
    await synced();
    expect(attr(userDn(gina), 'memberof')).toContain(`cn=team,ou=groups,${S}`);
    const touched = attr(`cn=team,ou=groups,${S}`, 'modifytimestamp')?.[0];
    expect(created).toMatch(/^\d{14}Z$/);
    expect(touched! > created!, 'a member change moves the group modifyTimestamp').toBe(true);
    expect((await store.getGroup(team.id))?.updatedAt.getTime()).toBeGreaterThan((team.updatedAt as Date).getTime());
    expect(attr(`cn=team,ou=groups,${S}`, 'uniquemember')).toEqual([userDn(gina)]);
    expect(uids(`(member=uid=gina,ou=users,${S})`, `ou=groups,${S}`)).toEqual(['users', 'team']);

    await store.write((tx) => tx.setMembers(team.id, [hank.id, gina.id]));
    await store.write((tx) => tx.removeMember(team.id, gina.id));
    await synced();
    expect(attr(userDn(gina), 'memberof')).toEqual([`cn=users,ou=groups,${S}`]);
    expect(attr(userDn(hank), 'memberof')).toContain(`cn=team,ou=groups,${S}`);
    expect(attr(`cn=team,ou=groups,${S}`, 'memberuid')).toEqual(['hank']);

    await store.write((tx) => tx.updateGroup(team.id, { name: 'crew', description: '' }));
    await synced();
    expect(view.findEntry(`cn=team,ou=groups,${S}`)).toBeUndefined();
    expect(attr(`cn=crew,ou=groups,${S}`, 'entryuuid')).toEqual([team.id]);
    expect(attr(`cn=crew,ou=groups,${S}`, 'description')).toBeUndefined();
    expect(attr(userDn(hank), 'memberof')).toEqual([`cn=users,ou=groups,${S}`, `cn=crew,ou=groups,${S}`]);
    expect(uids(`(memberOf=cn=crew,ou=groups,${S})`)).toEqual(['hank']);

    await store.write((tx) => tx.deleteGroup(team.id));
    await synced();
    expect(attr(userDn(hank), 'memberof')).toEqual([`cn=users,ou=groups,${S}`]);
    expect(uids(`(memberOf=cn=crew,ou=groups,${S})`)).toEqual([]);
    await store.write(async (tx) => {
      await tx.deleteUser(gina.id);
      await tx.deleteUser(hank.id);
    });
    await synced();
  });

  // RFC 4512 §3.4: modifyTimestamp moves whenever the entry's values do (SSSD and Keycloak re-read
  // by `(modifyTimestamp>=...)`). User entries carry their record, so times compare to the
  // millisecond with the store (which the HTTP API shows); one sleep per test proves the
  // GeneralizedTime (whole seconds) moves too.
  const viewTime = (u: User): number | undefined => view.findEntry(userDn(u))?.user?.updatedAt.getTime();
  const storeTime = async (u: User): Promise<number> => ((await store.getUser(u.id)) as User).updatedAt.getTime();
  const groupTime = async (id: string): Promise<number> => ((await store.getGroup(id)) as { updatedAt: Date }).updatedAt.getTime();
  const gt = (ms: number): string => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  /** Runs a write after the user's last change and checks the store and the view moved together. */
  async function movesUser(u: User, write: () => Promise<unknown>, what: string): Promise<void> {
    const before = await storeTime(u);
    await sleep(3);
    await write();
    await synced();
    const after = await storeTime(u);
    expect(after, `${what} moves the stored updatedAt`).toBeGreaterThan(before);
    expect(viewTime(u), `${what}: the view shows the stored time`).toBe(after);
    expect(attr(userDn(u), 'modifytimestamp')).toEqual([gt(after)]);
  }
  async function movesGroup(id: string, dn: string, write: () => Promise<unknown>, what: string): Promise<void> {
    const before = await groupTime(id);
    await sleep(3);
    await write();
    await synced();
    const after = await groupTime(id);
    expect(after, `${what} moves the stored updatedAt`).toBeGreaterThan(before);
    expect(attr(dn, 'modifytimestamp'), `${what}: the view shows the stored time`).toEqual([gt(after)]);
  }

  it('moves a user\'s modifyTimestamp whenever its memberOf changes', async () => {
    const [kim, lee] = [await newUser('kim'), await newUser('lee')];
    const club = await store.write((tx) => tx.insertGroup({ name: 'club' }));
    await synced();
    const shown = attr(userDn(kim), 'modifytimestamp')?.[0] as string;
    await sleep(1100); // GeneralizedTime has whole seconds
    await movesUser(kim, () => store.write((tx) => tx.addMember(club.id, kim.id)), 'addMember');
    expect((attr(userDn(kim), 'modifytimestamp')?.[0] as string) > shown).toBe(true);
    await movesUser(kim, () => store.write((tx) => tx.removeMember(club.id, kim.id)), 'removeMember');
    await movesUser(lee, () => store.write((tx) => tx.setMembers(club.id, [kim.id, lee.id])), 'setMembers (add)');
    await movesUser(kim, () => store.write((tx) => tx.setMembers(club.id, [lee.id])), 'setMembers (remove)');
    await movesUser(lee, () => store.write((tx) => tx.updateGroup(club.id, { name: 'club2' })), 'a group rename');
    expect(attr(userDn(lee), 'memberof')).toContain(`cn=club2,ou=groups,${S}`);
    const leeBefore = await storeTime(lee);
    await store.write((tx) => tx.updateGroup(club.id, { name: 'club2', description: 'same name' }));
    await store.write((tx) => tx.updateGroup(club.id, { description: 'no rename' }));
    await synced();
    expect(await storeTime(lee), 'a group change other than its name leaves memberOf alone').toBe(leeBefore);
    expect(viewTime(lee)).toBe(leeBefore);
    await movesUser(lee, () => store.write((tx) => tx.deleteGroup(club.id)), 'a group delete');
    expect(attr(userDn(lee), 'memberof')).toEqual([`cn=users,ou=groups,${S}`]);
    await store.write(async (tx) => {
      await tx.deleteUser(kim.id);
      await tx.deleteUser(lee.id);
    });
    await synced();
  });

  it('moves a group\'s modifyTimestamp when a member is renamed, disabled, enabled, deleted or accepts an invite', async () => {
    const mia = await newUser('mia');
    const ned = await newUser(null, { passwordHash: null });
    const crew = await store.write(async (tx) => {
      const g = await tx.insertGroup({ name: 'crew2' });
      await tx.setMembers(g.id, [mia.id, ned.id]);
      return g;
    });
    const dn = `cn=crew2,ou=groups,${S}`;
    await synced();
    const shown = attr(dn, 'modifytimestamp')?.[0] as string;
    await sleep(1100); // GeneralizedTime has whole seconds
    await movesGroup(crew.id, dn, () => store.write((tx) => tx.updateUser(mia.id, { username: 'mia2' })), 'a member rename');
    expect(attr(dn, 'memberuid')).toEqual(['mia2']);
    expect((attr(dn, 'modifytimestamp')?.[0] as string) > shown).toBe(true);
    await movesGroup(crew.id, dn, () => store.write((tx) => tx.updateUser(mia.id, { active: false })), 'disabling a member');
    expect(attr(dn, 'member')).toBeUndefined();
    await movesGroup(crew.id, dn, () => store.write((tx) => tx.updateUser(mia.id, { active: true })), 'enabling a member');
    await store.write((tx) => tx.updateUser(ned.id, { username: 'ned' }));
    await movesGroup(crew.id, dn, () => store.write((tx) => tx.updateUser(ned.id, { passwordHash: HASH })), 'accepting an invite');
    expect(attr(dn, 'memberuid')).toEqual(['mia2', 'ned']);
    const before = await groupTime(crew.id);
    await store.write(async (tx) => {
      await tx.updateUser(mia.id, { email: 'mia.new@example.com', displayName: 'Mia', passwordHash: `${HASH}x` });
      await tx.updateUser(ned.id, { username: 'NED' }); // uid values are lower case: nothing shows
    });
    await synced();
    expect(await groupTime(crew.id), 'changes the group does not show leave it alone').toBe(before);
    await movesGroup(crew.id, dn, () => store.write((tx) => tx.deleteUser(mia.id)), 'deleting a member');
    expect(attr(dn, 'memberuid')).toEqual(['ned']);
    await store.write(async (tx) => {
      await tx.deleteGroup(crew.id);
      await tx.deleteUser(ned.id);
    });
    await synced();
  });

  it('never moves the built-in groups\' modifyTimestamp back, and moves it when their members change', async () => {
    const builtin = (name: string, v: DirectoryView = view): string => v.findEntry(`cn=${name},ou=groups,${S}`)?.attributes.get('modifytimestamp')?.[0] ?? '';
    const [olga, pete] = [await newUser('olga', { role: 'admin' }), await newUser('pete')];
    await synced();
    const shown = builtin('users');
    expect(shown).toBe(gt(await storeTime(pete)));
    await sleep(1100); // GeneralizedTime has whole seconds
    // pete is the newest member: a maximum over members would go back here.
    await store.write((tx) => tx.deleteUser(pete.id));
    await synced();
    const deleted = builtin('users');
    expect(deleted > shown, 'a deleted member moves it forward').toBe(true);
    expect(builtin('admins')).toBe(deleted);
    await view.reload();
    expect(builtin('users'), 'a reload keeps it').toBe(deleted);
    await sleep(1100);
    await store.write((tx) => tx.updateUser(olga.id, { role: 'user' }));
    await synced();
    expect(attr(`cn=admins,ou=groups,${S}`, 'memberuid') ?? []).not.toContain('olga');
    expect(builtin('admins') > deleted, 'leaving admins moves it').toBe(true);
    expect(builtin('admins')).toBe(gt(await storeTime(olga)));
    await store.write((tx) => tx.deleteUser(olga.id));
    await synced();
  });

  it('applies a large setMembers (read group-wise) and its undoing on both sides', async () => {
    const many = await store.write(async (tx) => {
      const out: User[] = [];
      for (let i = 0; i < 40; i++) out.push(await tx.insertUser({ username: `many${i}`, email: `many${i}@example.com`, passwordHash: HASH }));
      return out;
    });
    const big = await store.write((tx) => tx.insertGroup({ name: 'big' }));
    await synced();
    const deaf = wrapStore(store, { subscribe: () => () => undefined });
    const batched = await openView({ store: deaf });
    await store.write((tx) => tx.setMembers(big.id, many.map((u) => u.id)));
    await store.write((tx) => tx.setMembers(big.id, many.slice(0, 3).map((u) => u.id)));
    await store.write((tx) => tx.addMember(big.id, many[39]!.id));
    await batched.catchUp();
    await synced();
    for (const v of [view, batched]) {
      expect(v.findEntry(`cn=big,ou=groups,${S}`)?.attributes.get('memberuid')).toEqual(['many0', 'many1', 'many2', 'many39']);
      expect(v.findEntry(userDn(many[1]!))?.attributes.get('memberof')).toContain(`cn=big,ou=groups,${S}`);
      expect(v.findEntry(userDn(many[20]!))?.attributes.get('memberof')).toEqual([`cn=users,ou=groups,${S}`]);
      // Members re-read group-wise are not re-read themselves: their times come from the change rows.
      for (const u of [many[1]!, many[20]!, many[39]!]) expect(v.findEntry(userDn(u))?.user?.updatedAt.getTime()).toBe(await storeTime(u));
      expect(v.findEntry(`cn=big,ou=groups,${S}`)?.attributes.get('modifytimestamp')).toEqual([gt(await groupTime(big.id))]);
    }
    expect(dump(batched)).toEqual(dump(view));
    await store.write(async (tx) => {
      await tx.deleteGroup(big.id);
      for (const u of many) await tx.deleteUser(u.id);
    });
    await synced();
  });

  it('follows service accounts under ou=system', async () => {
    const account = await store.write((tx) => tx.insertServiceAccount({ name: 'nextcloud', secretHash: 'h1' }));
    await synced();
    const target = view.resolveBind(`cn=NextCloud,ou=system,${S}`);
    expect(target?.kind === 'service' && target.account.secretHash).toBe('h1');
    await store.write((tx) => tx.updateServiceAccount(account.id, { secretHash: 'h2' }));
    await synced();
    const rotated = view.resolveBind(`cn=nextcloud,ou=system,${S}`);
    expect(rotated?.kind === 'service' && rotated.account.secretHash).toBe('h2');
    await store.write((tx) => tx.deleteServiceAccount(account.id));
    await synced();
    expect(view.findEntry(`cn=nextcloud,ou=system,${S}`)).toBeUndefined();
  });

  it('catches up after lost notifications: on reconnect and when waited for', async () => {
    let reconnect: (() => void) | undefined;
    const deaf = wrapStore(store, {
      subscribe: (_listener, onReconnect) => {
        reconnect = onReconnect;
        return () => undefined;
      },
    });
    const lagging = await openView({ store: deaf });
    const ivan = await newUser('ivan');
    const revision = await store.revision();
    await sleep(100);
    expect(lagging.revision).toBeLessThan(revision);
    expect(lagging.search(S, 2, parseFilter('(uid=ivan)'))).toMatchObject({ found: true });
    expect(lagging.findEntry(userDn(ivan))).toBeUndefined();
    reconnect?.();
    await until(() => lagging.revision >= revision);
    expect(lagging.findEntry(userDn(ivan))?.attributes.get('uid')).toEqual(['ivan']);

    await store.write((tx) => tx.updateUser(ivan.id, { displayName: 'Ivan Ivanov' }));
    expect(await lagging.waitForRevision(await store.revision(), 5000)).toBe(true);
    expect(lagging.findEntry(userDn(ivan))?.attributes.get('sn')).toEqual(['Ivanov']);
    expect(await lagging.waitForRevision((await store.revision()) + 1000, 50)).toBe(false);
    await store.write((tx) => tx.deleteUser(ivan.id));
    await synced();
  });

  it('reloads the whole state when the log has a gap or too many changes are pending', async () => {
    const deaf = wrapStore(store, { subscribe: () => () => undefined });
    const small = await openView({ store: deaf, batchSize: 2, maxGap: 3 });
    for (let i = 0; i < 6; i++) await newUser(`bulk${i}`);
    await small.catchUp();
    expect(small.stats().reloads).toBe(1);
    expect(small.revision).toBe(await store.revision());
    expect(dump(small)).toEqual(dump(await openView()));

    const hidden = (await store.revision()) + 1;
    const holey = wrapStore(store, {
      subscribe: () => () => undefined,
      changesSince: async (after, limit) => (await store.changesSince(after, limit)).filter((c) => c.revision !== hidden),
    });
    const gapped = await openView({ store: holey });
    // Revisions are gapless (change-log.ts): a missing one means rows were pruned.
    await newUser('gapped');
    await newUser('gapped2');
    await gapped.catchUp();
    expect(gapped.stats().reloads).toBe(1);
    expect(gapped.findEntry(`uid=gapped,ou=users,${S}`)).toBeDefined();
    await synced();
  });

  it('keeps serving the last state while catch-ups fail, then recovers', async () => {
    let failing = true;
    const flaky = wrapStore(store, {
      changesSince: async (after, limit) => {
        if (failing) throw new Error('database is down');
        return store.changesSince(after, limit);
      },
    });
    failing = false;
    const patient = await openView({ store: flaky, retryMs: 20 });
    failing = true;
    const judy = await newUser('judy');
    await until(() => patient.stats().catchUpFailures > 0);
    expect(patient.stats().lastError).toBe('database is down');
    expect(patient.search(S, 0, parseFilter('(objectClass=*)'))).toMatchObject({ found: true });
    failing = false;
    await until(() => patient.findEntry(userDn(judy)) !== undefined);
    await store.write((tx) => tx.deleteUser(judy.id));
    await synced();
  });

  it('ends up equal to a fresh load after a burst of concurrent writes', async () => {
    const users = await Promise.all(Array.from({ length: 12 }, (_, i) => newUser(`burst${i}`)));
    const group = await store.write((tx) => tx.insertGroup({ name: 'burst' }));
    await Promise.all(
      users.map((u, i) =>
        store.write(async (tx) => {
          if (i % 2 === 0) await tx.addMember(group.id, u.id);
          if (i % 3 === 0) await tx.updateUser(u.id, { displayName: `Burst User ${i}`, role: i % 4 === 0 ? 'admin' : 'user' });
          if (i % 5 === 0) await tx.updateUser(u.id, { active: false });
        }),
      ),
    );
    await store.write((tx) => tx.updateGroup(group.id, { name: 'burst2' }));
    await synced();
    expect(dump(view)).toEqual(dump(await openView()));
    expect([...(attr(`cn=burst2,ou=groups,${S}`, 'memberuid') ?? [])].sort()).toEqual(['burst2', 'burst4', 'burst6', 'burst8']);
  });

  it('stamps a renamed group\'s members when the rename commits while the view reads the group', async () => {
    // The race the burst above hit under load: a catch-up re-reads a new group after its rename
    // committed, so the view never sees the old name and cannot infer the members' new
    // modifyTimestamp; the rename's own membership rows give it.
    const member = await newUser('racer');
    await synced();
    let groupId = '';
    let renamed = false;
    let committed = false;
    const racing = wrapStore(store, {
      getGroup: async (id: string) => {
        if (id === groupId && !renamed) {
          renamed = true;
          await sleep(1100); // a different second from the membership's (GeneralizedTime has seconds)
          await store.write((tx) => tx.updateGroup(id, { name: 'raced2' }));
          committed = true;
        }
        return store.getGroup(id);
      },
    });
    const v = await openView({ store: racing });
    await store.write(async (tx) => {
      const g = await tx.insertGroup({ name: 'raced' });
      groupId = g.id;
      await tx.addMember(g.id, member.id);
    });
    await until(() => committed, 10_000);
    await synced(v);
    const fresh = await openView();
    expect(v.findEntry(userDn(member))?.attributes.get('modifytimestamp')).toEqual(fresh.findEntry(userDn(member))?.attributes.get('modifytimestamp'));
    expect(dump(v)).toEqual(dump(fresh));
    await store.write((tx) => tx.deleteGroup(groupId));
    await store.write((tx) => tx.deleteUser(member.id));
    await synced();
  });

  it.runIf(mode === 'postgres')('catches up after the notification connection is cut and restored', async () => {
    const url = fixture.url as string;
    const writer = await openStore({ ...fixture.options, listen: false });
    try {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgdir-listen' AND datname = current_database()`);
        expect(killed.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      const kate = await writer.write((tx) => tx.insertUser({ username: 'kate', email: 'kate@example.com', passwordHash: HASH }));
      const revision = await writer.revision();
      await until(() => view.revision >= revision, 10_000);
      expect(view.findEntry(userDn(kate))).toBeDefined();
      await writer.write((tx) => tx.deleteUser(kate.id));
    } finally {
      await writer.close();
    }
    await synced();
  });

  it.runIf(mode === 'postgres')('reloads when the change log was pruned past its revision', async () => {
    const deaf = wrapStore(store, { subscribe: () => () => undefined });
    const behind = await openView({ store: deaf });
    const from = behind.revision;
    const liam = await newUser('liam');
    await newUser('liam2');
    const client = new pg.Client({ connectionString: fixture.url as string });
    await client.connect();
    try {
      await client.query('DELETE FROM change_log WHERE revision = $1', [from + 1]);
    } finally {
      await client.end();
    }
    await behind.catchUp();
    expect(behind.stats().reloads).toBe(1);
    expect(behind.findEntry(userDn(liam))?.attributes.get('uid')).toEqual(['liam']);
  });
});
