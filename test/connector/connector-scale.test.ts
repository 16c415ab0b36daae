import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectorConfig, type ConnectorConfig } from '../../src/connector/connector-config.js';
import { runSync } from '../../src/connector/run-sync.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { JC_ORG, JC_SUFFIX, jumpcloudLdif } from './connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * Sync at scale: PGDIR_CONNECTOR_SCALE source users (default 1000; the note uses 10000),
 * first run and a no-change re-run, timed and printed. Every user is also in one big group.
 */

const N = Number(process.env['PGDIR_CONNECTOR_SCALE'] ?? 1000);

function bigGroup(): string {
  const members = Array.from({ length: N }, (_, i) => `member: uid=user${i},ou=Users,${JC_ORG}`);
  return [`dn: cn=everyone,ou=Users,${JC_ORG}`, 'objectClass: groupOfNames', 'cn: everyone', ...members, '', ''].join('\n');
}

describe.skipIf(!slapdAvailable()).each(storeModes)('sync of $mode with many source users', (mode) => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let store: Store;
  let config: ConnectorConfig;

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif(N) + bigGroup(), sizeLimit: 500 }), mode.create()]);
    store = await openStore(fixture.options);
    config = parseConnectorConfig({ provider: 'jumpcloud', url: slapd.url, ca_file: slapd.pki.caFile, bind_dn: slapd.readerDn, bind_password: READER_PASSWORD, base_dn: JC_ORG });
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it(`mirrors ${N} users, then re-syncs with no changes`, async () => {
    const revision0 = await store.revision();
    const first = (await runSync(store, config, { trigger: 'scale' })).report;
    expect(first.status).toBe('ok');
    expect(first.users.created).toBe(N + 3);
    const revision1 = await store.revision();
    const second = (await runSync(store, config, { trigger: 'scale' })).report;
    expect(second.users).toMatchObject({ created: 0, updated: 0, unchanged: N + 3 });
    expect(second.groups.membershipsChanged).toBe(0);
    const written = revision1 - revision0;
    const line = `[connector scale] ${mode.mode}: ${N} source users: first sync ${first.durationMs} ms (${written} change-log rows), no-change re-sync ${second.durationMs} ms`;
    console.log(line);
    expect(await store.revision()).toBe(revision1 + 1); // only the stored report
  }, 600_000);
});
