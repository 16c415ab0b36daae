import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, type Connector } from '../../src/connector/connector.js';
import { JC_ORG, JC_SUFFIX, jumpcloudLdif } from '../connector/connector-seeds.js';
import { storeModes } from '../helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';
import { startApi, type Api } from './http-fixture.js';

/** The connector over the admin API: configure, test, dry run, sync, status (DESIGN §8–9). */
describe.skipIf(!slapdAvailable())('sync routes against a real slapd', () => {
  let slapd: TestSlapd;
  let api: Api;
  let real: Connector | undefined;
  // The HTTP service is built before the store exists in the fixture: forward to the real one.
  const connector = new Proxy({} as Connector, { get: (_t, key) => (real as unknown as Record<string | symbol, unknown>)[key] });

  beforeAll(async () => {
    slapd = await startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif() });
    api = await startApi(storeModes[1]!, { connector });
    real = createConnector({ store: api.store, pinned: undefined });
  });
  afterAll(async () => {
    await real?.close();
    await api?.close();
    await slapd?.cleanup();
  });

  const config = () => ({
    provider: 'jumpcloud',
    url: slapd.url,
    ca_file: slapd.pki.caFile,
    bind_dn: slapd.readerDn,
    bind_password: READER_PASSWORD,
    base_dn: JC_ORG,
  });

  it('refuses plain users and reports an unconfigured connector', async () => {
    const { token } = await api.userWithToken('plain', 'user');
    expect((await api.call('POST', '/api/v1/sync', { token, body: {} })).status).toBe(403);
    const status = await api.call('GET', '/api/v1/sync/status', { token: api.ownerToken });
    expect(status.status).toBe(200);
    expect(status.body.configured).toBe(false);
  });

  it('rejects a bad configuration naming the key and stores a good one with the password masked', async () => {
    const bad = await api.call('PUT', '/api/v1/settings/external-directory', { token: api.ownerToken, body: { ...config(), users_filter: '(broken' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('connector.users_filter');
    const good = await api.call('PUT', '/api/v1/settings/external-directory', { token: api.ownerToken, body: config() });
    expect(good.status).toBe(200);
    expect(JSON.stringify(good.body)).not.toContain(READER_PASSWORD);
  });

  it('tests the connection, dry-runs without writing, then syncs and is idempotent', async () => {
    const test = await api.call('POST', '/api/v1/sync/test', { token: api.ownerToken });
    expect(test.status).toBe(200);
    expect(test.body.users).toBeGreaterThan(0);
    const before = (await api.store.listUsers()).total;
    const dry = await api.call('POST', '/api/v1/sync', { token: api.ownerToken, body: { dryRun: true } });
    expect(dry.status).toBe(200);
    expect((await api.store.listUsers()).total).toBe(before);
    const run = await api.call('POST', '/api/v1/sync', { token: api.ownerToken, body: {} });
    expect(run.status).toBe(200);
    expect(run.body.users.created).toBeGreaterThan(0);
    expect((await api.store.listUsers()).total).toBe(before + run.body.users.created);
    const again = await api.call('POST', '/api/v1/sync', { token: api.ownerToken, body: {} });
    expect(again.body.users.created).toBe(0);
    expect(again.body.users.updated).toBe(0);
    const status = await api.call('GET', '/api/v1/sync/status', { token: api.ownerToken });
    expect(status.body.lastReport.status).toBe(again.body.status);
  });
});
