import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/actor.js';
import { createGroupService } from '../../src/directory/groups/group-service.js';
import { createDirectoryView, SearchScope, type DirectoryView } from '../../src/directory/view/index.js';
import { DirectoryError } from '../../src/domain/errors.js';
import { parseFilter } from '../../src/domain/filter-parse.js';
import type { User } from '../../src/domain/model.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createPGliteDataDir } from '../helpers/databases.js';

/**
 * `ldap.builtin_groups` renames the built-in groups in LDAP (issue: Debian's local `users` and
 * `staff` groups win over LDAP ones in nsswitch). Their gidNumbers and entryUUIDs stay, memberOf
 * follows, and the configured names are reserved like `users` and `admins`.
 */
const NAMES = { users: 'ldap-users', admins: 'ldap-admins' };

describe('configurable built-in group names', () => {
  let dir: Awaited<ReturnType<typeof createPGliteDataDir>>;
  let store: Store;
  let view: DirectoryView;
  let plainView: DirectoryView;
  let alice: User;

  beforeAll(async () => {
    dir = await createPGliteDataDir();
    store = await openStore({ dataDir: dir.path });
    alice = await store.write((tx) => tx.insertUser({ username: 'alice', email: 'alice@example.com', role: 'admin', passwordHash: 'h' }));
    view = createDirectoryView({ store, suffix: 'dc=example,dc=com', builtinNames: NAMES });
    plainView = createDirectoryView({ store, suffix: 'dc=example,dc=com' });
    await view.load();
    await plainView.load();
  });
  afterAll(async () => {
    view?.close();
    plainView?.close();
    await store?.close();
    await dir?.remove();
  });

  const search = (v: DirectoryView, filter: string): string[] => {
    const outcome = v.search('ou=groups,dc=example,dc=com', SearchScope.sub, parseFilter(filter));
    return outcome.found ? outcome.cursor.take(100).map((e) => e.dn) : [];
  };

  it('lists the built-ins under their configured names, with the same ids and gidNumbers', () => {
    const renamed = view.findEntry('cn=ldap-users,ou=groups,dc=example,dc=com');
    const original = plainView.findEntry('cn=users,ou=groups,dc=example,dc=com');
    expect(renamed?.first('cn')).toBe('ldap-users');
    expect(renamed?.first('gidnumber')).toBe('9000');
    expect(renamed?.first('entryuuid')).toBe(original?.first('entryuuid'));
    expect(view.findEntry('cn=ldap-admins,ou=groups,dc=example,dc=com')?.first('gidnumber')).toBe('9001');
    expect(view.findEntry('cn=users,ou=groups,dc=example,dc=com')).toBeUndefined();
    expect(search(view, '(cn=users)')).toEqual([]);
    expect(search(view, '(memberUid=alice)')).toEqual(['cn=ldap-users,ou=groups,dc=example,dc=com', 'cn=ldap-admins,ou=groups,dc=example,dc=com']);
  });

  it("puts the configured names into users' memberOf", () => {
    const entry = view.findEntry(`cn=uid-${alice.id},ou=users,dc=example,dc=com`);
    expect(entry?.attributes.get('memberof')).toEqual(['cn=ldap-users,ou=groups,dc=example,dc=com', 'cn=ldap-admins,ou=groups,dc=example,dc=com']);
  });

  it('refuses a new group, or a rename, to a configured built-in name (409), and still to users/admins', async () => {
    const groups = createGroupService({ store, builtinNames: Object.values(NAMES) });
    for (const name of ['ldap-users', 'LDAP-Admins', 'users', 'admins']) {
      const error = await groups.addGroup({ name }, systemActor()).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(DirectoryError);
      expect((error as DirectoryError).kind, name).toBe('conflict');
    }
    const staff = await groups.addGroup({ name: 'staff' }, systemActor());
    const renamed = await groups.updateGroup(staff.id, { name: 'ldap-users' }, systemActor()).catch((e: unknown) => e);
    expect((renamed as DirectoryError).kind).toBe('conflict');
    expect((await store.getGroup(staff.id))?.name).toBe('staff');
  });
});
