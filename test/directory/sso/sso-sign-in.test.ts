import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { createDirectoryServices, type DirectoryServices } from '../../../src/directory/directory-services.js';
import { createPasswordHasher } from '../../../src/crypto/password-hasher.js';
import { signInWithSso } from '../../../src/directory/sso/sso-sign-in.js';
import { writeRegistrationSettings } from '../../../src/directory/sso/registration-settings.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';

const CLI = systemActor('cli');
const uniq = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;

describe.each(storeModes)('SSO provisioning on $mode', ({ create }) => {
  let fixture: StoreFixture;
  let store: Store;
  let dir: DirectoryServices;
  const domain = `${uniq('corp')}.example`;

  beforeAll(async () => {
    fixture = await create();
    store = await openStore(fixture.options);
    dir = createDirectoryServices({ store, hasher: createPasswordHasher({ cost: 4 }) });
    await writeRegistrationSettings(store, { allowedDomains: [domain.toUpperCase(), 'bücher.example'] }, CLI);
  });
  afterAll(async () => {
    await store?.close();
    await fixture?.cleanup();
  });

  const groupsOf = async (userId: string) => {
    const ids = new Set(await store.userGroupIds(userId));
    return (await store.listGroups()).filter((g) => ids.has(g.id)).map((g) => `${g.source}:${g.name}`).sort();
  };

  it('finds an existing user by email, case-insensitively, without creating anyone', async () => {
    const name = uniq('ann');
    const ann = await dir.users.addUser({ username: name, email: `${name}@elsewhere.example`, password: 'correct horse battery' }, CLI);
    const before = (await store.listUsers()).total;
    const result = await signInWithSso(store, { source: 'saml', email: `${name.toUpperCase()}@ElseWhere.example`, groups: undefined, ip: '127.0.0.9' });
    expect(result).toMatchObject({ ok: true, created: false });
    expect(result.ok && result.user.id).toBe(ann.id);
    expect((await store.listUsers()).total).toBe(before);
    const [audit] = await store.listAudit({ limit: 1 });
    expect(audit).toMatchObject({ action: 'http.login', actor: ann.id, result: 'ok', ip: '127.0.0.9', details: { source: 'saml', created: false } });
  });

  it('self-registers an unknown email on an allowed domain: role user, source self-registered, unique valid username', async () => {
    const taken = await dir.users.addUser({ username: 'jo.smith', email: `jo.smith@${uniq('x')}.example` }, CLI).catch(() => undefined);
    const result = await signInWithSso(store, { source: 'saml', email: `Jo.Smith@${domain}`, displayName: 'Jo\u0007 Smith', groups: [], ip: '::1' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.created).toBe(true);
    expect(result.user).toMatchObject({ role: 'user', source: 'self-registered', email: `jo.smith@${domain}`, displayName: 'Jo  Smith', passwordHash: null, active: true });
    expect(result.user.username).toBe(taken === undefined ? 'jo.smith' : 'jo.smith-2');
    const audit = await store.listAudit({ limit: 2 });
    expect(audit.map((a) => a.action)).toEqual(['http.login', 'user.create']);
    expect(audit[1]).toMatchObject({ actor: 'self-registration', target: result.user.id, details: { via: 'saml' } });
  });

  it('makes usernames valid from awkward local parts and IDN domains', async () => {
    const result = await signInWithSso(store, { source: 'oidc', email: 'Admin+Ops@BÜCHER.example', ip: '::1' });
    expect(result.ok && result.user.username).toBe('admin-ops');
    const reserved = await signInWithSso(store, { source: 'oidc', email: 'root@xn--bcher-kva.example', ip: '::1' });
    expect(reserved.ok && reserved.user.username).toBe('root-user');
  });

  it('refuses an unknown email outside the allowed domains: nothing created, audited with the reason', async () => {
    const [users, revision] = [(await store.listUsers()).total, await store.revision()];
    const email = `${uniq('eve')}@sub.${domain}`; // subdomains are not covered
    const result = await signInWithSso(store, { source: 'saml', email, groups: ['staff'], ip: '10.0.0.1' });
    expect(result).toEqual({ ok: false, reason: 'not_registered' });
    expect((await store.listUsers()).total).toBe(users);
    expect((await store.listGroups()).some((g) => g.sourceId === 'staff' && g.source === 'saml')).toBe(false);
    const [audit] = await store.listAudit({ limit: 1 });
    expect(audit).toMatchObject({ action: 'http.login', result: 'denied', actor: null, details: { source: 'saml', reason: 'not_registered', email } });
    expect(await store.revision()).toBe(revision); // only the audit row, no directory change
  });

  it('refuses a disabled user and a malformed email', async () => {
    const name = uniq('dis');
    const u = await dir.users.addUser({ username: name, email: `${name}@${domain}` }, CLI);
    await dir.users.setActive(u.id, false, CLI);
    expect(await signInWithSso(store, { source: 'saml', email: u.email, ip: '::1' })).toEqual({ ok: false, reason: 'inactive' });
    expect(await signInWithSso(store, { source: 'saml', email: 'not an email', ip: '::1' })).toEqual({ ok: false, reason: 'invalid_email' });
    expect((await store.listAudit({ limit: 1 }))[0]).toMatchObject({ result: 'denied', details: { reason: 'invalid_email' } });
  });

  it('replaces SSO-group memberships of its own source only, creating groups on first sight', async () => {
    const name = uniq('grp');
    const user = await dir.users.addUser({ username: name, email: `${name}@${domain}` }, CLI);
    const local = await dir.groups.addGroup({ name: uniq('local') }, CLI);
    await dir.groups.addMember(local.id, user.id, CLI);
    const clash = await dir.groups.addGroup({ name: 'editors' }, CLI).catch(() => undefined);
    const first = await signInWithSso(store, { source: 'saml', email: user.email, groups: ['Editors', 'okta-web', 'okta-web', ' ', 'users'], ip: '::1' });
    expect(first.ok && first.groups?.created.map((g) => g.name).sort()).toEqual([clash === undefined ? 'editors' : 'editors-saml', 'okta-web', 'users-saml'].sort());
    expect(await groupsOf(user.id)).toEqual([`local:${local.name}`, `saml:${clash === undefined ? 'editors' : 'editors-saml'}`, 'saml:okta-web', 'saml:users-saml'].sort());
    await signInWithSso(store, { source: 'oidc', email: user.email, groups: ['okta-web'], ip: '::1' });
    const second = await signInWithSso(store, { source: 'saml', email: user.email, groups: ['okta-web', 'okta-admins'], ip: '::1' });
    expect(second.ok && second.groups?.removed.map((g) => g.sourceId).sort()).toEqual(['Editors', 'users']);
    expect(await groupsOf(user.id)).toEqual([`local:${local.name}`, 'oidc:okta-web-oidc', 'saml:okta-admins', 'saml:okta-web'].sort());
    const [audit] = await store.listAudit({ limit: 1 });
    expect(audit?.details).toMatchObject({ source: 'saml', groupsAdded: ['okta-admins'], groupsCreated: ['okta-admins'] });
  });

  it('keeps one user when two first sign-ins of a new person race', async () => {
    const email = `${uniq('race')}@${domain}`;
    const results = await Promise.all([1, 2, 3].map(() => signInWithSso(store, { source: 'saml', email, groups: ['racers'], ip: '::1' })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.ok && r.user.id)).size).toBe(1);
    const { users } = await store.listUsers({ search: email });
    expect(users).toHaveLength(1);
  });
});
