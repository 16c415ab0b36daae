import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor, userActor } from '../../../src/domain/actor.js';
import { openAdminSecret } from '../../../src/directory/auth/admin-secret.js';
import { createAuthThrottle } from '../../../src/directory/auth/auth-throttle.js';
import { createBindService } from '../../../src/directory/auth/bind-service.js';
import { createDirectoryServices, type DirectoryServices } from '../../../src/directory/directory-services.js';
import { createDirectoryView, SearchScope, type DirectoryView } from '../../../src/directory/view/index.js';
import { createPasswordHasher, type PasswordHasher } from '../../../src/crypto/password-hasher.js';
import { DirectoryError } from '../../../src/domain/errors.js';
import { parseFilter } from '../../../src/domain/filter-parse.js';
import type { User } from '../../../src/domain/model.js';
import { encodeEntryBody } from '../../../src/ldap/codec/index.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';

const CLI = systemActor('cli');
const SUFFIX = 'dc=example,dc=com';
const uniq = (p: string): string => `${p}${randomBytes(3).toString('hex')}`;

/**
 * Issue 16 use cases on both stores, read back through the in-memory view: access rules by
 * group and by team level (the teams view, issue 13), admins always in, the group-deletion
 * refusal, rotation, audit without secrets, and bad input changing nothing.
 */
describe.each(storeModes)('applications on $mode', ({ create }) => {
  let fixture: StoreFixture;
  let store: Store;
  let dir: DirectoryServices;
  let view: DirectoryView;
  const users: Record<string, User> = {};

  const uidsOf = (base: string): string[] => {
    const outcome = view.search(base, SearchScope.sub, parseFilter('(objectClass=inetOrgPerson)'));
    if (!outcome.found) return [];
    return [...outcome.cursor].map((e) => e.first('uid') ?? '').sort();
  };
  const settle = async (): Promise<void> => void (await view.waitForRevision(await store.revision()));

  beforeAll(async () => {
    fixture = await create();
    store = await openStore(fixture.options);
    dir = createDirectoryServices({ store, hasher: createPasswordHasher({ cost: 4 }), ldapSuffix: SUFFIX });
    for (const [name, role] of [['ann', 'user'], ['ben', 'user'], ['cat', 'user'], ['boss', 'admin']] as const) {
      users[name] = await dir.users.addUser({ username: name, email: `${name}@example.com`, role, password: `${name}-Secret-1` }, CLI);
    }
    await dir.groups.addGroup({ name: 'staff' }, CLI);
    await dir.groups.addMember('staff', 'ann', CLI);
    await dir.teams.addTeam({ name: 'web' }, CLI);
    await dir.teams.putGrant('web', { principal: { type: 'user', id: 'ben' }, level: 'editor' }, CLI);
    await dir.teams.putGrant('web', { principal: { type: 'user', id: 'cat' }, level: 'viewer' }, CLI);
    view = createDirectoryView({ store, suffix: SUFFIX });
    await view.load();
  }, 120_000);
  afterAll(async () => {
    view?.close();
    await store?.close();
    await fixture?.cleanup();
  });

  it('group and team rules decide who is in the view; admins always are', async () => {
    const apps = dir.apps.as(CLI);
    const { app, secret } = await apps.create({ name: 'Portal', access: { groups: ['staff'], teams: [{ team: 'web', level: 'user' }] } });
    expect(app).toMatchObject({ name: 'portal', bindDn: `cn=portal,ou=apps,${SUFFIX}`, baseDn: `ou=portal,ou=apps,${SUFFIX}` });
    expect(app.access).toEqual({ everyone: false, groups: [{ id: expect.any(String), name: 'staff' }], teams: [{ team: 'web', level: 'user' }] });
    expect(secret).toMatch(/^\S{32,}$/);
    await settle();
    // ann by group, ben by team (editor >= user), cat's viewer is below user, boss is an admin.
    expect(uidsOf(app.baseDn)).toEqual(['ann', 'ben', 'boss']);
    const who = await apps.users('portal');
    expect(who.users.map((u) => `${u.username}:${u.reason}`).sort()).toEqual(['ann:group', 'ben:team', 'boss:admin']);
    await dir.teams.putGrant('web', { principal: { type: 'user', id: 'cat' }, level: 'publisher' }, CLI);
    await settle();
    expect(uidsOf(app.baseDn)).toEqual(['ann', 'ben', 'boss', 'cat']);
    await apps.update('portal', { access: { groups: [] } });
    await settle();
    expect(uidsOf(app.baseDn)).toEqual(['boss']);
  });

  it('refuses to delete a group a rule names (409 naming the apps), and changes nothing', async () => {
    await dir.apps.as(CLI).create({ name: uniq('a'), access: { groups: ['staff'] } });
    await dir.apps.as(CLI).create({ name: uniq('b'), access: { groups: ['staff'] } });
    const revision = await store.revision();
    const err = await dir.groups.deleteGroup('staff', CLI).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DirectoryError);
    expect((err as DirectoryError).status).toBe(409);
    expect((err as DirectoryError).message).toMatch(/applications a\w+, b\w+/);
    expect(await store.revision()).toBe(revision);
    expect((await dir.groups.getGroup('staff', CLI)).memberIds).toEqual([users['ann']?.id]);
  });

  it('rotates the secret, audits every change without the secret, and deletes', async () => {
    const apps = dir.apps.as(CLI);
    const name = uniq('rot');
    const first = await apps.create({ name, description: 'x', access: { everyone: true }, allowedCidrs: ['10.0.0.0/8'] });
    const before = await store.findAppByName(name);
    const second = await apps.rotate(name);
    const after = await store.findAppByName(name);
    expect(second.secret).not.toBe(first.secret);
    expect(after?.secretHash).not.toBe(before?.secretHash);
    expect(await dir.hasher.verify(second.secret, after?.secretHash ?? '')).toBe(true);
    expect(await dir.hasher.verify(first.secret, after?.secretHash ?? '')).toBe(false);
    await apps.remove(first.app.id);
    const audit = await store.listAudit({ target: first.app.id });
    expect(audit.map((a) => a.action).sort()).toEqual(['app.create', 'app.delete', 'app.rotateSecret']);
    const text = JSON.stringify(audit);
    expect(text).not.toContain(before?.secretHash ?? '?');
    expect(text).not.toContain(first.secret);
    expect(text).toContain('10.0.0.0/8');
  });

  it('bad input is refused with the right status and writes nothing', async () => {
    const apps = dir.apps.as(CLI);
    const revision = await store.revision();
    const status = (p: Promise<unknown>) => p.then(() => 0, (e: DirectoryError) => e.status);
    expect(await status(apps.create({ name: 'x', access: {} }))).toBe(400);
    expect(await status(apps.create({ name: 'x', access: { everyone: false } }))).toBe(400);
    expect(await status(apps.create({ name: 'x', access: { everyone: true, groups: ['staff'] } }))).toBe(400);
    expect(await status(apps.create({ name: 'x', access: { groups: ['nope'] } }))).toBe(400);
    expect(await status(apps.create({ name: 'x', access: { teams: [{ team: 'nope', level: 'user' }] } }))).toBe(400);
    expect(await status(apps.create({ name: 'x', access: { teams: [{ team: 'web', level: 'root' }] } }))).toBe(400);
    expect(await status(apps.create({ name: 'x y', access: { everyone: true } }))).toBe(400);
    expect(await status(apps.create({ name: 'x', access: { everyone: true }, allowedCidrs: ['not-an-ip'] }))).toBe(400);
    expect(await status(apps.create({ name: 'portal', access: { everyone: true } }))).toBe(409);
    expect(await status(apps.get('missing'))).toBe(404);
    expect(await store.revision()).toBe(revision);
    const plain = userActor({ id: users['ann']?.id ?? '', role: 'user' });
    expect(await status(dir.apps.as(plain).list())).toBe(403);
    expect(await status(dir.apps.as(plain).create({ name: 'z', access: { everyone: true } }))).toBe(403);
  });

  it('binds through an app only for users with access, as the app with its secret', async () => {
    const name = uniq('bind');
    const { secret } = await dir.apps.as(CLI).create({ name, access: { groups: ['staff'] } });
    await settle();
    const ann = view.resolveAppBind(`uid=ann,ou=users,ou=${name},ou=apps,${SUFFIX}`);
    const cat = view.resolveAppBind(`mail=cat@example.com,ou=users,ou=${name},ou=apps,${SUFFIX}`);
    const unknown = view.resolveAppBind(`uid=ann,ou=users,ou=nope,ou=apps,${SUFFIX}`);
    expect(ann).toMatchObject({ kind: 'user', allowed: true, viewDn: `cn=uid-${users['ann']?.id},ou=users,ou=${name},ou=apps,${SUFFIX}` });
    expect(cat).toMatchObject({ kind: 'user', allowed: false });
    expect(unknown).toMatchObject({ kind: 'user', app: undefined, allowed: false });
    expect(view.resolveAppBind(`cn=${name},ou=apps,${SUFFIX}`)).toMatchObject({ kind: 'app', app: { name } });
    expect(view.resolveAppBind(`uid=ann,ou=users,${SUFFIX}`)).toBeUndefined();
    expect(secret.length).toBeGreaterThan(30);
  });

  it('a user without access, a wrong password, an unknown user and an unknown app get the same 49, empty message, one bcrypt of the same cost', async () => {
    const name = uniq('work');
    await dir.apps.as(CLI).create({ name, access: { groups: ['staff'] } });
    await settle();
    // The real hasher, recording what each bind verified against.
    const verified: string[] = [];
    const hasher: PasswordHasher = { ...dir.hasher, verify: (password, encoded) => (verified.push(encoded ?? ''), dir.hasher.verify(password, encoded)) };
    const adminSecret = await openAdminSecret({ store, dataDir: fixture.options.dataDir, logger: { info() {}, warn() {} } });
    const throttle = createAuthThrottle({ store, maxFailures: 1000, windowMs: 60_000 });
    const binds = createBindService({ view, hasher, adminSecret, throttle });
    const through = (app: string, rdn: string): string => `${rdn},ou=users,ou=${app},ou=apps,${SUFFIX}`;
    const attempt = async (dn: string, password: string): Promise<{ code: number | 'ok'; message: string; verifies: string[] }> => {
      verified.length = 0;
      const code = await binds.authenticate(dn, Buffer.from(password), '127.0.0.1').then(
        () => ({ code: 'ok' as const, message: '' }),
        (e: DirectoryError) => ({ code: e.resultCode, message: e.message }),
      );
      return { ...code, verifies: [...verified] };
    };
    expect(await attempt(through(name, 'uid=ann'), 'ann-Secret-1')).toMatchObject({ code: 'ok', verifies: [expect.stringMatching(/^\$2/)] });
    expect((await attempt(through(name, 'uid=boss'), 'boss-Secret-1')).code).toBe('ok'); // admins always
    const refused = [
      await attempt(through(name, 'uid=cat'), 'cat-Secret-1'), // right password, no access
      await attempt(through(name, 'uid=ann'), 'not-her-password'),
      await attempt(through(name, 'uid=nobody'), 'whatever-1'),
      await attempt(through('no-such-app', 'uid=ann'), 'ann-Secret-1'),
    ];
    const cost = (hash: string): string => hash.slice(0, 7); // "$2b$04$": scheme and cost
    const real = (await store.findUserByUsername('cat'))?.passwordHash ?? '';
    for (const r of refused) {
      expect(r).toMatchObject({ code: 49, message: '' });
      expect(r.verifies).toHaveLength(1);
      // A real hash of the same cost, or none: the hasher then verifies against its dummy hash of
      // its own cost (password-hasher.ts), so the work is the same either way.
      if (r.verifies[0] !== '') expect(cost(r.verifies[0] ?? '')).toBe(cost(real));
    }
  });

  it("re-based encodings cached on the global entries are never stale: after changes they equal a fresh view's", async () => {
    const name = uniq('enc');
    await dir.apps.as(CLI).create({ name, access: { everyone: true } });
    await dir.groups.addGroup({ name: `${name}-x` }, CLI);
    const encoding = createDirectoryView({ store, suffix: SUFFIX, encode: encodeEntryBody });
    await encoding.load();
    const bytes = (v: DirectoryView): string => {
      const outcome = v.search(`ou=users,ou=${name},ou=apps,${SUFFIX}`, SearchScope.sub, parseFilter('(uid=ann)'));
      const entry = outcome.found ? outcome.cursor.next() : undefined;
      if (entry === undefined) throw new Error('ann is not in the view');
      return v.encoded(entry, v.selection(['uid', 'cn', 'memberOf', 'mail'])).toString('latin1');
    };
    const fresh = async (): Promise<string> => {
      const v = createDirectoryView({ store, suffix: SUFFIX, encode: encodeEntryBody });
      await v.load();
      try {
        return bytes(v);
      } finally {
        v.close();
      }
    };
    try {
      const before = bytes(encoding);
      expect(bytes(encoding)).toBe(before); // served from the cache now
      expect(before).toContain(`cn=uid-${users['ann']?.id},ou=users,ou=${name},ou=apps,${SUFFIX}`);
      // A membership (memberOf, re-based to the app's ou=groups) and the mail change.
      await dir.groups.addMember(`${name}-x`, 'ann', CLI);
      await dir.users.updateUser('ann', { email: `ann.${name}@example.com` }, CLI);
      await encoding.waitForRevision(await store.revision());
      const after = bytes(encoding);
      expect(after).not.toBe(before);
      expect(after).toContain(`cn=${name}-x,ou=groups,ou=${name},ou=apps,${SUFFIX}`);
      expect(after).toContain(`ann.${name}@example.com`);
      expect(after).toBe(await fresh());
      await dir.groups.removeMember(`${name}-x`, 'ann', CLI);
      await dir.users.updateUser('ann', { email: 'ann@example.com' }, CLI);
      await encoding.waitForRevision(await store.revision());
      expect(bytes(encoding)).toBe(before);
      expect(bytes(encoding)).toBe(await fresh());
    } finally {
      encoding.close();
    }
  });
});
