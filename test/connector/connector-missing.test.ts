import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectorConfig, type ConnectorConfig } from '../../src/connector/connector-config.js';
import { runSync } from '../../src/connector/run-sync.js';
import type { SyncReport } from '../../src/directory/mirror/sync-report.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { JC_ORG, JC_SUFFIX, JC_USERS, jcUserDn, jumpcloudLdif } from './connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * on_missing: deactivate acts only on entries truly gone from the source. A mirrored user or group
 * whose entry is still there but cannot be mirrored this time (no email, a bad name, a conflict
 * with a local record) is reported and left as it is.
 */

describe.skipIf(!slapdAvailable()).each(storeModes)('on_missing and entries the source still has ($mode)', (mode) => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let store: Store;
  let config: ConnectorConfig;
  const sync = async (): Promise<SyncReport> => (await runSync(store, config, { trigger: 'test' })).report;
  const active = async (name: string): Promise<boolean | undefined> => (await store.findUserByUsername(name))?.active;
  const members = async (group: string): Promise<number> => (await store.groupMemberIds((await store.findGroupByName(group))!.id)).length;
  const actionOf = (r: SyncReport, name: string) => r.entries.filter((e) => e.name === name).map((e) => e.action);

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif() }), mode.create()]);
    store = await openStore(fixture.options);
    config = parseConnectorConfig({
      provider: 'jumpcloud', url: slapd.url, ca_file: slapd.pki.caFile, bind_dn: slapd.readerDn, bind_password: READER_PASSWORD,
      base_dn: JC_ORG, on_missing: 'deactivate',
    });
  });

  afterAll(async () => {
    await store?.close();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it('mirrors alice, bob and carol with their groups', async () => {
    const report = await sync();
    expect(report.users).toMatchObject({ created: 3, skipped: 2 });
    expect([await members('engineering'), await members('sales')]).toEqual([2, 1]);
  });

  it('a user skipped for a lost email or clashing with a local user is neither missing nor deactivated', async () => {
    await store.write((tx) => tx.insertUser({ username: 'localbob', email: 'bob-local@example.com', source: 'local', passwordHash: null }));
    await slapd.modify(
      `dn: ${jcUserDn('carol')}\nchangetype: modify\ndelete: mail\n\n` +
        `dn: ${jcUserDn('bob')}\nchangetype: modify\nreplace: mail\nmail: bob-local@example.com\n\n`,
    );
    const report = await sync();
    expect(actionOf(report, 'carol')).toEqual(['skip']);
    expect(actionOf(report, 'bob')).toEqual(['conflict']);
    expect(report.users).toMatchObject({ missing: 0, deactivated: 0 });
    expect([await active('alice'), await active('bob'), await active('carol')]).toEqual([true, true, true]);
    expect([await members('engineering'), await members('sales')]).toEqual([2, 1]);
  });

  it('a group whose name can no longer be mirrored keeps its members', async () => {
    await slapd.modify(`dn: cn=sales,${JC_USERS}\nchangetype: modrdn\nnewrdn: cn=sales!\ndeleteoldrdn: 1\n\n`);
    const report = await sync();
    expect(actionOf(report, 'sales!')).toEqual(['skip']);
    expect(report.groups).toMatchObject({ missing: 0, membershipsChanged: 0 });
    expect(await members('sales')).toBe(1);
  });

  it('entries really gone from the source are still handled by on_missing', async () => {
    await slapd.modify(`dn: ${jcUserDn('carol')}\nchangetype: delete\n\ndn: cn=sales!,${JC_USERS}\nchangetype: delete\n\n`);
    const report = await sync();
    expect(report.users).toMatchObject({ missing: 1, deactivated: 1 });
    expect(report.groups).toMatchObject({ missing: 1, membershipsChanged: 1 });
    expect(await active('carol')).toBe(false);
    expect(await active('bob')).toBe(true);
    expect(await members('sales')).toBe(0);
  });
});
