import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectorConfig, type ConnectorConfig } from '../../src/connector/connector-config.js';
import { REPORT_SETTING, runSync } from '../../src/connector/run-sync.js';
import { testConnection } from '../../src/connector/test-connection.js';
import type { SyncReport } from '../../src/directory/mirror/sync-report.js';
import type { User } from '../../src/domain/model.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { JC_ORG, JC_SUFFIX, jcUserDn, jcUserLdif, jumpcloudLdif } from './connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * The sync against a real slapd seeded like JumpCloud, on PostgreSQL and on PGlite. The cases run
 * in order and build on each other, like an admin's first days with the connector.
 */

const byName = async (store: Store, name: string): Promise<User> => {
  const user = await store.findUserByUsername(name);
  if (user === undefined) throw new Error(`no user ${name}`);
  return user;
};

const membersOf = async (store: Store, group: string): Promise<string[]> => {
  const g = await store.findGroupByName(group);
  if (g === undefined) throw new Error(`no group ${group}`);
  const ids = await store.groupMemberIds(g.id);
  const users = await Promise.all(ids.map((id) => store.getUser(id)));
  return users.map((u) => u?.username ?? '?').sort();
};

const problems = (r: SyncReport) => r.entries.filter((e) => ['conflict', 'skip', 'error'].includes(e.action)).map((e) => `${e.action}:${e.name}`).sort();

describe.skipIf(!slapdAvailable()).each(storeModes)('connector sync ($mode)', (mode) => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let store: Store;
  let config: ConnectorConfig;
  const sync = (c: ConnectorConfig = config, dryRun = false) => runSync(store, c, { dryRun, trigger: 'test', actor: 'test' }).then((r) => r.report);

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif() }), mode.create()]);
    store = await openStore(fixture.options);
    config = parseConnectorConfig({
      provider: 'jumpcloud',
      url: slapd.url,
      ca_file: slapd.pki.caFile,
      bind_dn: slapd.readerDn,
      bind_password: READER_PASSWORD,
      base_dn: JC_ORG,
    });
  });

  afterAll(async () => {
    await store?.close();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it('test connection counts what the filters find and shows mapped users', async () => {
    const result = await testConnection(config);
    expect(result).toMatchObject({ ok: true, users: 5, groups: 2, boundAs: slapd.readerDn });
    expect(result.sample.map((s) => [s.username, s.problem !== undefined])).toEqual([
      ['alice', false], ['bob', false], ['carol', false], ['Bad_Name', true], ['dave', true],
    ]);
    expect(result.sample[0]?.id).toMatch(/^[0-9a-f-]{36}$/); // entryUUID
  });

  it('a dry run returns the plan and writes nothing', async () => {
    const revision = await store.revision();
    const { report, plan } = await runSync(store, config, { dryRun: true, trigger: 'test' });
    expect(report).toMatchObject({ dryRun: true, status: 'ok', source: { users: 5, groups: 2 } });
    expect(report.users).toMatchObject({ created: 3, skipped: 2, updated: 0, conflicts: 0 });
    expect(report.groups).toMatchObject({ created: 2, membershipsChanged: 2 });
    expect(plan?.userOps.map((o) => o.kind)).toEqual(['create', 'create', 'create']);
    expect(await store.revision()).toBe(revision);
    expect((await store.listUsers()).total).toBe(0);
    expect(await store.getSetting(REPORT_SETTING)).toBeUndefined();
    expect(await store.listAudit({ action: 'connector.sync' })).toEqual([]);
  });

  it('the first sync creates mirrored users and groups, and skips what it cannot mirror', async () => {
    const report = await sync();
    expect(report.status).toBe('ok');
    expect(report.users).toMatchObject({ created: 3, updated: 0, unchanged: 0, skipped: 2, conflicts: 0, errors: 0 });
    expect(problems(report)).toEqual(['skip:Bad_Name', 'skip:dave']);
    expect(report.entries.find((e) => e.name === 'dave')?.reason).toMatch(/no email/);
    const alice = await byName(store, 'alice');
    expect(alice).toMatchObject({ source: 'ldap', sourceDn: jcUserDn('alice'), email: 'alice@example.com', displayName: 'Alice Liddell', passwordHash: null, active: true });
    expect(alice.sourceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await membersOf(store, 'engineering')).toEqual(['alice', 'bob']);
    expect(await membersOf(store, 'sales')).toEqual(['carol']);
    expect((await store.findGroupByName('sales'))?.source).toBe('ldap');
    const stored = await store.getSetting<SyncReport>(REPORT_SETTING);
    expect(stored?.users.created).toBe(3);
    const audit = await store.listAudit({ action: 'connector.sync' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'test', result: 'ok', details: { users: { created: 3 } } });
  });

  it('a second sync reports zero changes and writes none', async () => {
    const before = await store.snapshot();
    const report = await sync();
    expect(report.users).toMatchObject({ created: 0, updated: 0, unchanged: 3, deactivated: 0 });
    expect(report.groups).toMatchObject({ created: 0, updated: 0, unchanged: 2, membershipsChanged: 0 });
    const after = await store.snapshot();
    expect(after.users).toEqual(before.users);
    expect(after.memberships).toEqual(expect.arrayContaining([...before.memberships]));
    expect(after.memberships).toHaveLength(before.memberships.length);
  });

  it('a changed email and display name update the user', async () => {
    await slapd.modify(`dn: ${jcUserDn('bob')}\nchangetype: modify\nreplace: mail\nmail: Bob.B@Example.com\n-\nreplace: displayName\ndisplayName: Robert Builder\n\n`);
    const report = await sync();
    expect(report.users).toMatchObject({ updated: 1, unchanged: 2 });
    expect(report.entries.find((e) => e.action === 'update')).toMatchObject({ name: 'bob', changes: ['email', 'displayName'] });
    expect(await byName(store, 'bob')).toMatchObject({ email: 'bob.b@example.com', displayName: 'Robert Builder' });
  });

  it('a renamed user keeps its record (matched by entryUUID) and its groups', async () => {
    const bob = await byName(store, 'bob');
    await slapd.modify(`dn: ${jcUserDn('bob')}\nchangetype: modrdn\nnewrdn: uid=robert\ndeleteoldrdn: 1\n\n`);
    const report = await sync();
    expect(report.users).toMatchObject({ created: 0, updated: 1 });
    const robert = await byName(store, 'robert');
    expect(robert.id).toBe(bob.id);
    expect(robert.sourceDn).toBe(jcUserDn('robert'));
    expect(await store.findUserByUsername('bob')).toBeUndefined();
    expect(await membersOf(store, 'engineering')).toEqual(['alice', 'robert']);
  });

  it('membership changes in the source replace the mirrored group members', async () => {
    const group = `cn=engineering,ou=Users,${JC_ORG}`;
    await slapd.modify(`dn: ${group}\nchangetype: modify\ndelete: member\nmember: ${jcUserDn('alice')}\n-\nadd: member\nmember: ${jcUserDn('carol')}\n\n`);
    const report = await sync();
    expect(report.groups).toMatchObject({ membershipsChanged: 1, unchanged: 1 });
    expect(await membersOf(store, 'engineering')).toEqual(['carol', 'robert']);
  });

  it('never takes over a local user of the same name: a conflict, the local user untouched', async () => {
    const local = await store.write((tx) => tx.insertUser({ username: 'erin', email: 'erin@local.example', displayName: 'Local Erin', passwordHash: 'x' }));
    await slapd.modify(jcUserLdif({ uid: 'erin', mail: 'erin@example.com', displayName: 'Source Erin' }, true));
    const report = await sync();
    expect(report.users.conflicts).toBe(1);
    expect(report.entries.find((e) => e.action === 'conflict')).toMatchObject({ name: 'erin', reason: expect.stringMatching(/local user "erin"/) });
    expect(await byName(store, 'erin')).toEqual(local);
  });

  it('a user gone from the source is kept with on_missing: keep', async () => {
    await slapd.modify(`dn: ${jcUserDn('carol')}\nchangetype: delete\n\n`);
    const report = await sync();
    expect(report.users).toMatchObject({ missing: 1, deactivated: 0 });
    expect(await byName(store, 'carol')).toMatchObject({ active: true, source: 'ldap' });
    expect(await membersOf(store, 'sales')).toEqual([]); // the source's group no longer lists her
  });

  it('is deactivated (never deleted) with on_missing: deactivate, and reactivated when back', async () => {
    const deactivating = { ...config, onMissing: 'deactivate' as const };
    const report = await sync(deactivating);
    expect(report.users).toMatchObject({ missing: 1, deactivated: 1 });
    expect(await byName(store, 'carol')).toMatchObject({ active: false, source: 'ldap' });
    expect((await sync(deactivating)).users).toMatchObject({ deactivated: 0, updated: 0 });
    // Back in the source as a new entry (new entryUUID): matched by username, reactivated.
    const old = await byName(store, 'carol');
    await slapd.modify(jcUserLdif({ uid: 'carol', mail: 'carol@example.com', displayName: 'Carol Danvers' }, true));
    const back = await sync(deactivating);
    expect(back.users).toMatchObject({ reactivated: 1, created: 0 });
    const carol = await byName(store, 'carol');
    expect(carol).toMatchObject({ id: old.id, active: true });
    expect(carol.sourceId).not.toBe(old.sourceId);
  });

  it('does not reactivate a mirrored user an admin deactivated', async () => {
    const alice = await byName(store, 'alice');
    await store.write((tx) => tx.updateUser(alice.id, { active: false }));
    await sync({ ...config, onMissing: 'deactivate' });
    expect((await byName(store, 'alice')).active).toBe(false);
    await store.write((tx) => tx.updateUser(alice.id, { active: true }));
  });

  it('a source that is down fails the run, writes nothing but the report, and says why', async () => {
    await slapd.modify(`dn: ${jcUserDn('alice')}\nchangetype: modify\nreplace: displayName\ndisplayName: Alice Changed\n\n`);
    await slapd.stop();
    try {
      const before = await store.snapshot();
      const report = await sync();
      expect(report.status).toBe('failed');
      expect(report.error).toMatch(/unavailable/);
      const after = await store.snapshot();
      expect(after.users).toEqual(before.users);
      expect((await store.getSetting<SyncReport>(REPORT_SETTING))?.status).toBe('failed');
      expect((await store.listAudit({ action: 'connector.sync', limit: 1 }))[0]?.result).toBe('failed');
    } finally {
      await slapd.start();
    }
    expect((await sync()).users.updated).toBe(1);
  });

  it('a wrong service account password is a configuration error naming the key', async () => {
    const report = await sync({ ...config, bindPassword: 'wrong' });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/connector\.bind_dn: .*LDAP result 49 \(invalidCredentials\)/);
  });

  it('runs are single-flight: a concurrent run reports busy', async () => {
    const other = mode.mode === 'postgres' ? await openStore({ ...fixture.options, listen: false }) : store;
    try {
      const [a, b] = await Promise.all([sync(), runSync(other, config, { trigger: 'other' }).then((r) => r.report)]);
      expect([a.status, b.status].sort()).toEqual(['busy', 'ok']);
    } finally {
      if (other !== store) await other.close();
    }
  });
});
