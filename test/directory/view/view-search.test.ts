import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../../src/domain/errors.js';
import { parseFilter } from '../../../src/domain/filter-parse.js';
import type { User } from '../../../src/domain/model.js';
import { ResultCode } from '../../../src/domain/result-code.js';
import { encodeEntryBody } from '../../../src/ldap/codec/encode-entry.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import {
  compileSelection,
  createDirectoryView,
  selectAttributes,
  SearchScope,
  type DirectoryView,
  type SearchOptions,
} from '../../../src/directory/view/index.js';
import { createPGliteDataDir } from '../../helpers/databases.js';

/** Search semantics of the view (DESIGN §5, RFC 4511 §4.5.1) over a real PGlite store. */
const S = 'dc=example,dc=com';
const { base: BASE, one: ONE, sub: SUB } = SearchScope;

describe('directory view search', () => {
  let dir: Awaited<ReturnType<typeof createPGliteDataDir>>;
  let store: Store;
  let view: DirectoryView;
  let alice: User;
  let bob: User;
  const userDn = (u: User): string => `cn=uid-${u.id},ou=users,${S}`;

  beforeAll(async () => {
    dir = await createPGliteDataDir();
    store = await openStore({ dataDir: dir.path });
    alice = await store.write((tx) => tx.insertUser({ username: 'alice', email: 'alice@example.com', displayName: 'Alice Liddell', role: 'admin', passwordHash: 'h' }));
    bob = await store.write((tx) => tx.insertUser({ username: 'bob', email: 'bob@example.com', displayName: 'Bob Builder', passwordHash: 'h' }));
    for (let i = 0; i < 5; i++) await store.write((tx) => tx.insertUser({ username: `u${i}`, email: `u${i}@example.com`, passwordHash: 'h' }));
    await store.write(async (tx) => {
      const devs = await tx.insertGroup({ name: 'devs' });
      await tx.addMember(devs.id, bob.id);
      await tx.insertServiceAccount({ name: 'gitea', secretHash: 'x' });
    });
    view = createDirectoryView({ store, suffix: S, encode: encodeEntryBody });
    await view.load();
  });
  afterAll(async () => {
    view?.close();
    await store?.close();
    await dir?.remove();
  });

  function dns(base: string, scope: SearchScope, filter = '(objectClass=*)', options?: SearchOptions): string[] | { matchedDn: string } {
    const out = view.search(base, scope, parseFilter(filter), options);
    return out.found ? [...out.cursor].map((e) => e.dn) : { matchedDn: out.matchedDn };
  }

  it('walks the tree in one global order for each scope (RFC 4511 §4.5.1.2)', () => {
    const users = [alice, bob].map(userDn);
    const all = dns(S, SUB) as string[];
    expect(all.slice(0, 4)).toEqual([S, `ou=users,${S}`, ...users]);
    // ou=apps (issue 16) comes last, and is there without applications too (like ou=teams).
    expect(all.slice(-8)).toEqual([`cn=users,ou=groups,${S}`, `cn=admins,ou=groups,${S}`, `cn=devs,ou=groups,${S}`, `ou=system,${S}`, `cn=admin,ou=system,${S}`, `cn=gitea,ou=system,${S}`, `ou=teams,${S}`, `ou=apps,${S}`]);
    expect(all).toHaveLength(1 + 1 + 7 + 1 + 3 + 1 + 2 + 1 + 1);
    expect(dns(S, BASE)).toEqual([S]);
    expect(dns(S, ONE)).toEqual([`ou=users,${S}`, `ou=groups,${S}`, `ou=system,${S}`, `ou=teams,${S}`, `ou=apps,${S}`]);
    expect((dns(`ou=users,${S}`, ONE) as string[]).slice(0, 2)).toEqual(users);
    expect(dns(`ou=groups,${S}`, SUB)).toEqual([`ou=groups,${S}`, `cn=users,ou=groups,${S}`, `cn=admins,ou=groups,${S}`, `cn=devs,ou=groups,${S}`]);
  });

  it('answers leaves: subtree yields the leaf, one level yields nothing, base takes any filter', () => {
    expect(dns(userDn(bob), SUB)).toEqual([userDn(bob)]);
    expect(dns(userDn(bob), ONE)).toEqual([]);
    expect(dns(userDn(bob), BASE, '(&(objectClass=person)(memberOf=cn=devs,ou=groups,dc=example,dc=com))')).toEqual([userDn(bob)]);
    expect(dns(userDn(alice), BASE, '(memberOf=cn=devs,ou=groups,dc=example,dc=com)')).toEqual([]);
    // A user DN in Cloudron's spelling designates the same entry; the canonical DN comes back.
    expect(dns(`UID=Bob, OU=Users, ${S}`, BASE)).toEqual([userDn(bob)]);
  });

  it('reports noSuchObject with the closest existing ancestor as matchedDN', () => {
    expect(dns(`cn=nobody,ou=users,${S}`, SUB)).toEqual({ matchedDn: `ou=users,${S}` });
    expect(dns(`cn=x,${userDn(bob)}`, BASE)).toEqual({ matchedDn: userDn(bob) });
    expect(dns(`ou=people,${S}`, ONE)).toEqual({ matchedDn: S });
    expect(dns('dc=other,dc=org', SUB)).toEqual({ matchedDn: '' });
    const error = (() => {
      try {
        view.search('cn=a,,dc=x', SUB, parseFilter('(objectClass=*)'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DirectoryError);
    expect((error as DirectoryError).resultCode).toBe(ResultCode.invalidDNSyntax);
  });

  it('applies visibility: self sees itself, groups and containers; others count as absent', () => {
    const self: SearchOptions = { visibility: { kind: 'self', normDn: userDn(bob) } };
    expect(dns(S, SUB, '(objectClass=*)', self)).toEqual([S, `ou=users,${S}`, userDn(bob), `ou=groups,${S}`, `cn=users,ou=groups,${S}`, `cn=admins,ou=groups,${S}`, `cn=devs,ou=groups,${S}`, `ou=system,${S}`, `ou=teams,${S}`]);
    expect(dns(S, SUB, '(uid=alice)', self)).toEqual([]);
    expect(dns(userDn(alice), BASE, '(objectClass=*)', self)).toEqual({ matchedDn: `ou=users,${S}` });
    expect(dns(`cn=gitea,ou=system,${S}`, BASE, '(objectClass=*)', self)).toEqual({ matchedDn: `ou=system,${S}` });
    expect(dns(S, BASE, '(objectClass=*)', { visibility: { kind: 'none' } })).toEqual({ matchedDn: '' });
  });

  it('matches DN assertions by the bind rule, the in-chain rule and absent attributes as FALSE', () => {
    expect(dns(S, SUB, `(member=uid=BOB,ou=users,${S})`)).toEqual([`cn=users,ou=groups,${S}`, `cn=devs,ou=groups,${S}`]);
    expect(dns(S, SUB, `(uniqueMember=mail=alice@example.com,ou=users,${S})`)).toEqual([`cn=users,ou=groups,${S}`, `cn=admins,ou=groups,${S}`]);
    expect(dns(S, SUB, `(memberOf:1.2.840.113556.1.4.1941:=cn=admins,ou=groups,${S})`)).toEqual([userDn(alice)]);
    expect(dns(`ou=users,${S}`, ONE, '(!(nsAccountLock=TRUE))')).toHaveLength(7);
    expect(dns(S, SUB, '(userAccountControl:1.2.840.113556.1.4.803:=2)')).toEqual([]);
    expect(dns(S, SUB, '(&(uidNumber>=10001)(uidNumber<=10002))')).toEqual([userDn(bob), (dns(S, SUB, '(uid=u0)') as string[])[0]]);
    expect(dns(S, SUB, '(|(uid=alice)(mail=BOB@example.com)(cn=devs))')).toEqual([userDn(alice), userDn(bob), `cn=devs,ou=groups,${S}`]);
  });

  it('pages through a cursor: take, done, and a stable snapshot while the directory changes', async () => {
    const out = view.search(`ou=users,${S}`, ONE, parseFilter('(objectClass=inetOrgPerson)'));
    if (!out.found) throw new Error('ou=users missing');
    const first = out.cursor.take(3);
    expect(first.map((e) => e.attributes.get('uid')?.[0])).toEqual(['alice', 'bob', 'u0']);
    expect(out.cursor.done).toBe(false);
    const extra = await store.write((tx) => tx.insertUser({ username: 'late', email: 'late@example.com', passwordHash: 'h' }));
    expect(await view.waitForRevision(await store.revision(), 5000)).toBe(true);
    const rest = out.cursor.take(10);
    expect(rest.map((e) => e.attributes.get('uid')?.[0])).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(out.cursor.done).toBe(true);
    expect(out.cursor.take(1)).toEqual([]);
    expect(dns(`ou=users,${S}`, ONE, '(uid=late)')).toEqual([userDn(extra)]);
    await store.write((tx) => tx.deleteUser(extra.id));
    expect(await view.waitForRevision(await store.revision(), 5000)).toBe(true);
  });

  it('selects attributes: *, +, 1.1, named in any case (echoed), dn and unknown ignored, typesOnly', () => {
    const e = view.findEntry(userDn(alice));
    if (e === undefined) throw new Error('alice missing');
    const types = (list: string[], typesOnly = false): string[] => selectAttributes(e, compileSelection(list, typesOnly)).map((a) => a.type);
    const star = types(['*']);
    expect(star).toEqual(types([]));
    expect(star).toContain('givenName');
    expect(star).toContain('memberOf');
    expect(star).not.toContain('entryUUID');
    expect(types(['+'])).toEqual(['entryUUID', 'entryDN', 'createTimestamp', 'modifyTimestamp', 'pwdChangedTime', 'structuralObjectClass', 'hasSubordinates', 'subschemaSubentry']);
    expect(types(['1.1'])).toEqual([]);
    expect(types(['1.1', 'uid'])).toEqual(['uid']);
    expect(types(['dn', 'MAIL', 'nosuchattr', 'userid', 'ENTRYuuid', 'mail;binary'])).toEqual(['userid', 'MAIL', 'ENTRYuuid']);
    expect(types(['*', 'EntryDN'])).toContain('EntryDN');
    const typesOnly = selectAttributes(e, compileSelection(['uid', 'mail'], true));
    expect(typesOnly).toEqual([{ type: 'uid', values: [] }, { type: 'mail', values: [] }]);
    const secret = selectAttributes(e, compileSelection(['userPassword', 'pwdChangedTime']));
    expect(secret.map((a) => a.type)).toEqual(['pwdChangedTime']); // userPassword is never returned
    expect(secret[0]?.values[0]).toMatch(/^\d{14}Z$/);
  });

  it('caches encoded entries per selection and drops them with the entry on change', async () => {
    const selection = view.selection(['uid', 'displayName']);
    const before = view.findEntry(userDn(bob));
    if (before === undefined) throw new Error('bob missing');
    const bytes = view.encoded(before, selection);
    expect(view.encoded(before, selection)).toBe(bytes);
    expect(bytes.toString('latin1')).toContain('Bob Builder');
    const other = view.encoded(before, view.selection(['uid']));
    expect(other).not.toBe(bytes);
    expect(view.stats()).toMatchObject({ encodedHits: 1, encodedMisses: 2 });
    await store.write((tx) => tx.updateUser(bob.id, { displayName: 'Robert Builder' }));
    expect(await view.waitForRevision(await store.revision(), 5000)).toBe(true);
    const after = view.findEntry(userDn(bob));
    expect(after).not.toBe(before);
    const fresh = view.encoded(after!, selection);
    expect(fresh.toString('latin1')).toContain('Robert Builder');
    expect(fresh.equals(encodeEntryBody({ objectName: after!.dn, attributes: [{ type: 'uid', values: ['bob'] }, { type: 'displayName', values: ['Robert Builder'] }] }))).toBe(true);
  });
});
