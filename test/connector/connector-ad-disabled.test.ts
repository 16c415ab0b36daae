import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoCreateUser } from '../../src/connector/auto-create.js';
import { parseConnectorConfig, type ConnectorConfig } from '../../src/connector/connector-config.js';
import { runSync } from '../../src/connector/run-sync.js';
import type { SyncReport } from '../../src/directory/mirror/sync-report.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { AD_SCHEMA, AD_SUFFIX, guidOf, PASSWORD } from './connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * AD disabled accounts: userAccountControl with ACCOUNTDISABLE (0x2, MS-ADTS 2.2.16) mirrors as an
 * inactive user, and clearing the bit turns it back on — unless an admin disabled it in pgdir.
 */

const dn = (sam: string): string => `cn=${sam},ou=Staff,${AD_SUFFIX}`;

function user(sam: string, uac: number | undefined, changetype = false): string {
  return [
    `dn: ${dn(sam)}`, ...(changetype ? ['changetype: add'] : []), 'objectClass: user', `cn: ${sam}`, `sn: ${sam}`,
    `sAMAccountName: ${sam}`, `mail: ${sam}@example.com`, 'objectCategory: person', `objectGUID:: ${guidOf(sam).toString('base64')}`,
    ...(uac === undefined ? [] : [`userAccountControl: ${uac}`]), `userPassword: ${PASSWORD}`, '', '',
  ].join('\n');
}

const LDIF =
  `dn: ou=Staff,${AD_SUFFIX}\nobjectClass: organizationalUnit\nou: Staff\n\n` +
  user('anna', 512) + // NORMAL_ACCOUNT
  user('bert', 514) + // NORMAL_ACCOUNT | ACCOUNTDISABLE
  user('cleo', 66050) + // | DONT_EXPIRE_PASSWORD, still disabled
  user('dora', undefined) +
  user('emil', 66048); // DONT_EXPIRE_PASSWORD | NORMAL_ACCOUNT: enabled

const setUac = (sam: string, uac: number): string => `dn: ${dn(sam)}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: ${uac}\n\n`;

describe.skipIf(!slapdAvailable()).each(storeModes)('AD disabled accounts ($mode)', (mode) => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let store: Store;
  let config: ConnectorConfig;
  const sync = async (): Promise<SyncReport> => (await runSync(store, config, { trigger: 'test' })).report;
  const active = async (name: string): Promise<boolean | undefined> => (await store.findUserByUsername(name))?.active;

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: AD_SUFFIX, ldif: LDIF, schema: AD_SCHEMA }), mode.create()]);
    store = await openStore(fixture.options);
    config = parseConnectorConfig({
      provider: 'ad', url: slapd.url, ca_file: slapd.pki.caFile, bind_dn: slapd.readerDn, bind_password: READER_PASSWORD,
      base_dn: AD_SUFFIX, sync_groups: false, auto_create: true,
    });
  });

  afterAll(async () => {
    await store?.close();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it('creates accounts with ACCOUNTDISABLE set as inactive users', async () => {
    expect(config.disabledFlag).toEqual({ attribute: 'userAccountControl', mask: 2 });
    const report = await sync();
    expect(report.users).toMatchObject({ created: 5, errors: 0 });
    expect(report.entries.find((e) => e.name === 'bert')).toMatchObject({ action: 'create', changes: ['inactive: disabled in the source'] });
    expect([await active('anna'), await active('bert'), await active('cleo'), await active('dora'), await active('emil')]).toEqual([true, false, false, true, true]);
    expect((await sync()).users).toMatchObject({ created: 0, updated: 0, deactivated: 0, reactivated: 0, unchanged: 5 });
  });

  it('setting the bit deactivates, clearing it reactivates', async () => {
    await slapd.modify(setUac('anna', 514) + setUac('bert', 512));
    const report = await sync();
    expect(report.users).toMatchObject({ deactivated: 1, reactivated: 1, updated: 0 });
    expect(report.entries.find((e) => e.name === 'anna')).toMatchObject({ action: 'deactivate', reason: 'disabled in the source', changes: ['active'] });
    expect(report.entries.find((e) => e.name === 'bert')).toMatchObject({ action: 'reactivate' });
    expect([await active('anna'), await active('bert')]).toEqual([false, true]);
  });

  it('never re-enables a user an admin disabled in pgdir', async () => {
    const emil = (await store.findUserByUsername('emil'))!;
    await store.write((tx) => tx.updateUser(emil.id, { active: false }));
    const report = await sync();
    expect(report.users).toMatchObject({ reactivated: 0, deactivated: 0 });
    expect(await active('emil')).toBe(false);
  });

  it('auto-create on login refuses an account the source disables', async () => {
    await slapd.modify(user('gwen', 514, true));
    expect(await autoCreateUser(store, config, 'gwen', PASSWORD)).toEqual({ refused: 'the account is disabled in the source' });
    expect(await store.findUserByUsername('gwen')).toBeUndefined();
  });
});
