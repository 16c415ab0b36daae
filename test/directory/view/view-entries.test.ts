import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../src/domain/model.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { createDirectoryView, type DirectoryView, type ViewEntry } from '../../../src/directory/view/index.js';
import { createPGliteDataDir } from '../../helpers/databases.js';

/** Every attribute of every kind of entry (DESIGN §3), read from a view over a real PGlite store. */
const SUFFIX = 'dc=example,dc=com';
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIME = /^\d{14}Z$/;
const gt = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

describe('directory view entries', () => {
  let dir: Awaited<ReturnType<typeof createPGliteDataDir>>;
  let store: Store;
  let view: DirectoryView;
  let alice: User;
  let bob: User;
  let carol: User;
  let invited: User;
  let disabled: User;
  let devsId: string;

  beforeAll(async () => {
    dir = await createPGliteDataDir();
    store = await openStore({ dataDir: dir.path });
    alice = await store.write((tx) =>
      tx.insertUser({ username: 'alice', email: 'Alice@Example.com', fallbackEmail: 'alice@home.example', displayName: 'Alice Pleasance Liddell', role: 'owner', passwordHash: 'h' }),
    );
    bob = await store.write((tx) => tx.insertUser({ username: 'bob', email: 'bob@example.com', displayName: 'Bob', source: 'ldap' }));
    carol = await store.write((tx) => tx.insertUser({ username: 'carol', email: 'carol@example.com', role: 'admin', source: 'ldap' }));
    invited = await store.write((tx) => tx.insertUser({ username: null, email: 'new@example.com' }));
    disabled = await store.write((tx) => tx.insertUser({ username: 'dave', email: 'dave@example.com', active: false, passwordHash: 'h' }));
    devsId = await store.write(async (tx) => {
      const devs = await tx.insertGroup({ name: 'devs', description: 'Developers' });
      await tx.insertGroup({ name: 'empty' });
      await tx.setMembers(devs.id, [bob.id, alice.id, disabled.id]);
      await tx.insertServiceAccount({ name: 'gitea', secretHash: 'secret-hash', allowedCidrs: ['10.0.0.0/8'] });
      return devs.id;
    });
    view = createDirectoryView({ store, suffix: 'DC=Example, DC=Com', homePrefix: '/srv/home/', loginShell: '/bin/zsh' });
    await view.load();
  });
  afterAll(async () => {
    view?.close();
    await store?.close();
    await dir?.remove();
  });

  const entry = (dn: string): ViewEntry => {
    const found = view.findEntry(dn);
    if (found === undefined) throw new Error(`no entry ${dn}`);
    return found;
  };
  const attrs = (e: ViewEntry): Record<string, readonly string[]> => Object.fromEntries(e.attributes);
  const userDn = (u: User): string => `cn=uid-${u.id},ou=users,dc=Example,dc=Com`;

  it('builds a user entry attribute by attribute', async () => {
    const e = entry(userDn(alice));
    // Joining devs moved her updatedAt (memberOf changed, RFC 4512 §3.4): the entry shows the stored value.
    const stored = (await store.getUser(alice.id)) as User;
    expect(stored.updatedAt.getTime()).toBeGreaterThanOrEqual(alice.updatedAt.getTime());
    expect(e.dn).toBe(`cn=uid-${alice.id},ou=users,dc=Example,dc=Com`);
    expect(e.normDn).toBe(`cn=uid-${alice.id},ou=users,${SUFFIX}`);
    expect(attrs(e)).toEqual({
      objectclass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'user', 'posixAccount', 'shadowAccount'],
      objectcategory: ['person'],
      cn: [`uid-${alice.id}`],
      uid: ['alice'],
      username: ['alice'],
      samaccountname: ['alice'],
      mail: ['alice@example.com'],
      mailalternateaddress: ['alice@home.example'],
      displayname: ['Alice Pleasance Liddell'],
      givenname: ['Alice'],
      sn: ['Liddell'],
      memberof: ['cn=users,ou=groups,dc=Example,dc=Com', 'cn=admins,ou=groups,dc=Example,dc=Com', 'cn=devs,ou=groups,dc=Example,dc=Com'],
      uidnumber: [String(alice.uidNumber)],
      gidnumber: ['9000'],
      homedirectory: ['/srv/home/alice'],
      loginshell: ['/bin/zsh'],
      gecos: ['Alice Pleasance Liddell'],
      entryuuid: [alice.id],
      entrydn: [e.dn],
      createtimestamp: [gt(alice.createdAt)],
      modifytimestamp: [gt(stored.updatedAt)],
      pwdchangedtime: [gt(alice.passwordChangedAt as Date)],
      structuralobjectclass: ['inetOrgPerson'],
      hassubordinates: ['FALSE'],
      subschemasubentry: ['cn=Subschema'],
    });
  });

  it('shows the username for an empty name, omits sn for one word and absent optional values', () => {
    const c = attrs(entry(userDn(carol)));
    expect(c).toMatchObject({ displayname: ['carol'], givenname: ['carol'], gecos: ['carol'] });
    expect(c).not.toHaveProperty('sn');
    expect(c).not.toHaveProperty('mailalternateaddress');
    expect(c).not.toHaveProperty('pwdchangedtime');
    expect(c['memberof']).toEqual(['cn=users,ou=groups,dc=Example,dc=Com', 'cn=admins,ou=groups,dc=Example,dc=Com']);
    const b = attrs(entry(userDn(bob)));
    expect(b).toMatchObject({ displayname: ['Bob'], givenname: ['Bob'], memberof: ['cn=users,ou=groups,dc=Example,dc=Com', 'cn=devs,ou=groups,dc=Example,dc=Com'] });
    expect(b).not.toHaveProperty('sn');
  });

  it('leaves out users without a username and inactive users, also from groups', () => {
    expect(view.findEntry(userDn(invited))).toBeUndefined();
    expect(view.findEntry(userDn(disabled))).toBeUndefined();
    expect(view.resolveBind(`uid=dave,ou=users,${SUFFIX}`)).toBeUndefined();
    expect(view.resolveBind(`mail=new@example.com,ou=users,${SUFFIX}`)).toBeUndefined();
    expect(entry(`cn=devs,ou=groups,${SUFFIX}`).attributes.get('memberuid')).toEqual(['alice', 'bob']);
    expect(view.stats()).toMatchObject({ users: 3, groups: 4, serviceAccounts: 1 });
  });

  it('builds a stored group: single cn, same member and uniqueMember DNs, memberUid, timestamps', async () => {
    const devs = await store.getGroup(devsId);
    const e = entry('CN=Devs, OU=Groups, DC=example, DC=com');
    expect(e.dn).toBe('cn=devs,ou=groups,dc=Example,dc=Com');
    const members = [userDn(alice), userDn(bob)];
    expect(attrs(e)).toEqual({
      objectclass: ['top', 'group', 'groupOfNames', 'groupOfUniqueNames', 'posixGroup'],
      cn: ['devs'],
      gidnumber: [String(devs?.gidNumber)],
      description: ['Developers'],
      member: members,
      uniquemember: members,
      memberuid: ['alice', 'bob'],
      entryuuid: [devsId],
      entrydn: [e.dn],
      createtimestamp: [gt(devs!.createdAt)],
      modifytimestamp: [gt(devs!.updatedAt)],
      structuralobjectclass: ['groupOfNames'],
      hassubordinates: ['FALSE'],
      subschemasubentry: ['cn=Subschema'],
    });
    // Byte-identical DNs everywhere (DESIGN §3).
    expect(entry(userDn(bob)).attributes.get('memberof')).toContain(e.dn);
    expect(e.attributes.get('member')?.[1]).toBe(entry(userDn(bob)).dn);
    const empty = attrs(entry(`cn=empty,ou=groups,${SUFFIX}`));
    expect(empty).not.toHaveProperty('member');
    expect(empty).not.toHaveProperty('uniquemember');
    expect(empty).not.toHaveProperty('memberuid');
    expect(empty).not.toHaveProperty('description');
  });

  it('maintains the built-in groups users (every listed user) and admins (admin and owner)', async () => {
    const users = attrs(entry(`cn=users,ou=groups,${SUFFIX}`));
    expect(users).toMatchObject({ cn: ['users'], gidnumber: ['9000'], memberuid: ['alice', 'bob', 'carol'] });
    expect(users['member']).toEqual([alice, bob, carol].map(userDn));
    expect(users['entryuuid']?.[0]).toMatch(UUID_V5);
    // Membership is a function of every user row, listed or not: the newest of them gives the time.
    const rows = await Promise.all([alice, bob, carol, invited, disabled].map(async (u) => (await store.getUser(u.id)) as User));
    expect(users['modifytimestamp']?.[0]).toBe(gt(new Date(Math.max(...rows.map((u) => u.updatedAt.getTime())))));
    const admins = attrs(entry(`cn=admins,ou=groups,${SUFFIX}`));
    expect(admins).toMatchObject({ cn: ['admins'], gidnumber: ['9001'], memberuid: ['alice', 'carol'] });
    expect(admins['entryuuid']).not.toEqual(users['entryuuid']);
    expect(admins['modifytimestamp']).toEqual(users['modifytimestamp']);
    expect(admins['createtimestamp']).toEqual([gt(alice.createdAt)]);
  });

  it('keeps derived entryUUIDs stable for the same suffix and distinct for another', async () => {
    const again = createDirectoryView({ store, suffix: SUFFIX });
    const other = createDirectoryView({ store, suffix: 'dc=other,dc=org' });
    await Promise.all([again.load(), other.load()]);
    try {
      const uuid = (v: DirectoryView, dn: string): string | undefined => v.findEntry(dn)?.attributes.get('entryuuid')?.[0];
      expect(uuid(again, `cn=users,ou=groups,${SUFFIX}`)).toBe(uuid(view, `cn=users,ou=groups,${SUFFIX}`));
      expect(uuid(again, SUFFIX)).toBe(uuid(view, SUFFIX));
      expect(uuid(other, 'cn=users,ou=groups,dc=other,dc=org')).not.toBe(uuid(view, `cn=users,ou=groups,${SUFFIX}`));
    } finally {
      again.close();
      other.close();
    }
  });

  it('builds the suffix, the three containers and the service accounts without secrets', () => {
    expect(attrs(entry(SUFFIX))).toMatchObject({
      objectclass: ['top', 'dcObject', 'organization'],
      dc: ['Example'],
      o: ['Example'],
      hassubordinates: ['TRUE'],
      structuralobjectclass: ['organization'],
    });
    for (const ou of ['users', 'groups', 'system']) {
      const e = entry(`ou=${ou},${SUFFIX}`);
      expect(e.dn).toBe(`ou=${ou},dc=Example,dc=Com`);
      expect(attrs(e)).toMatchObject({ objectclass: ['top', 'organizationalUnit'], ou: [ou], hassubordinates: ['TRUE'] });
      expect(attrs(e)['entryuuid']?.[0]).toMatch(UUID_V5);
    }
    const gitea = attrs(entry(`cn=gitea,ou=system,${SUFFIX}`));
    expect(gitea).toMatchObject({ objectclass: ['top', 'organizationalRole', 'simpleSecurityObject'], cn: ['gitea'], hassubordinates: ['FALSE'] });
    expect(JSON.stringify(gitea)).not.toMatch(/secret-hash|10\.0\.0\.0/);
    expect(attrs(entry(`cn=admin,ou=system,${SUFFIX}`))).toMatchObject({ cn: ['admin'] });
    for (const e of [entry(userDn(alice)), entry(`cn=gitea,ou=system,${SUFFIX}`)]) {
      for (const values of e.attributes.values()) expect(values.length).toBeGreaterThan(0);
      expect([...e.attributes.keys()].filter((k) => /password|secret|totp/.test(k))).toEqual([]);
    }
  });

  it('uses GeneralizedTime for every timestamp', () => {
    for (const e of [entry(userDn(alice)), entry(`cn=devs,ou=groups,${SUFFIX}`), entry(`cn=users,ou=groups,${SUFFIX}`)]) {
      for (const k of ['createtimestamp', 'modifytimestamp']) expect(e.attributes.get(k)?.[0]).toMatch(TIME);
    }
  });

  it('resolves bind DNs by Cloudron rule and keeps the password hash only on the record', () => {
    const dns = [
      `uid=alice,ou=users,${SUFFIX}`,
      `cn=ALICE , ou=users, dc=example,dc=com`,
      `mail=alice@example.com,ou=users,${SUFFIX}`,
      `cn=Alice@Example.COM,ou=users,${SUFFIX}`,
      `cn=uid-${alice.id.toUpperCase()},ou=users,${SUFFIX}`,
      userDn(alice),
    ];
    for (const dn of dns) {
      const target = view.resolveBind(dn);
      expect(target?.kind, dn).toBe('user');
      if (target?.kind === 'user') {
        expect(target.entry.dn).toBe(userDn(alice));
        expect(target.user.passwordHash).toBe('h');
        expect(target.totpToken).toBeUndefined();
      }
    }
    const withToken = view.resolveBind(`cn=alice+totpToken=123456,ou=users,${SUFFIX}`);
    expect(withToken?.kind === 'user' && withToken.totpToken).toBe('123456');
    expect(view.resolveBind(`uid=alice,ou=groups,${SUFFIX}`)).toBeUndefined();
    expect(view.resolveBind(`uid=nobody,ou=users,${SUFFIX}`)).toBeUndefined();
    expect(view.resolveBind('not a dn')).toBeUndefined();
    expect(view.resolveBind(`cn=Admin,ou=System,${SUFFIX}`)?.kind).toBe('admin');
    const service = view.resolveBind(`cn=gitea,ou=system,${SUFFIX}`);
    expect(service?.kind === 'service' && service.account.secretHash).toBe('secret-hash');
  });
});
