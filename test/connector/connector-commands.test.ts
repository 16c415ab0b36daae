import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConnectionTest, renderSyncReport, renderSyncStatus } from '../../src/cli/connector-commands.js';
import { createConnector, type Connector } from '../../src/connector/connector.js';
import type { ConnectionTestResult } from '../../src/daemon/connector-port.js';
import * as commands from '../../src/control/connector-commands.js';
import { CONFIG_SETTING, loadConnectorConfig, saveConnectorConfig } from '../../src/connector/connector-settings.js';
import type { SyncReport } from '../../src/directory/mirror/sync-report.js';
import { DirectoryError } from '../../src/domain/errors.js';
import { createMetricsRegistry } from '../../src/http/metrics-registry.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { JC_ORG, JC_SUFFIX, jumpcloudLdif } from './connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/** Configuration in settings vs YAML, the CLI commands' logic, and the sync interval. */

// The control commands, typed as the CLI renders their results.
const syncRun = async (c: Connector, args: { dryRun?: boolean }): Promise<SyncReport> => (await commands.syncRun(c, args, 'cli')) as SyncReport;
const syncStatus = async (c: Connector) => (await commands.syncStatus(c)) as commands.SyncStatusResult & { readonly lastReport: SyncReport | undefined };
const connectorTest = async (c: Connector): Promise<ConnectionTestResult> => (await commands.connectorTest(c)) as ConnectionTestResult;

async function failure(p: Promise<unknown>): Promise<DirectoryError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DirectoryError);
  return error as DirectoryError;
}

describe.skipIf(!slapdAvailable())('connector configuration, commands and interval', () => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let store: Store;
  let raw: Record<string, unknown>;
  let ctx: Connector;

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif() }), storeModes[1]!.create()]);
    store = await openStore(fixture.options);
    raw = { provider: 'jumpcloud', url: slapd.url, ca_file: slapd.pki.caFile, bind_dn: slapd.readerDn, bind_password: READER_PASSWORD, base_dn: JC_ORG };
    // The connector the control commands run through; no config cache, the tests change it between steps.
    ctx = createConnector({ store, configTtlMs: 0 });
  });

  afterAll(async () => {
    await store?.close();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it('without configuration, status says so and run/test refuse naming connector', async () => {
    expect(await syncStatus(ctx)).toMatchObject({ configured: false, lastReport: undefined });
    expect(renderSyncStatus(await syncStatus(ctx))).toBe('no external directory is configured\n');
    expect((await failure(syncRun(ctx, {}))).field).toBe('connector');
    expect((await failure(connectorTest(ctx))).field).toBe('connector');
  });

  it('stores configuration in settings, masks the password and keeps it when sent back masked', async () => {
    await saveConnectorConfig(store, raw, undefined, 'admin-1');
    const loaded = await loadConnectorConfig(store, undefined);
    expect(loaded).toMatchObject({ pinned: false, settings: { bind_password: '********' }, config: { bindPassword: READER_PASSWORD } });
    await saveConnectorConfig(store, { ...raw, bind_password: '********', on_missing: 'deactivate' }, undefined, 'admin-1');
    expect(await store.getSetting(CONFIG_SETTING)).toMatchObject({ bind_password: READER_PASSWORD, on_missing: 'deactivate' });
    expect((await store.listAudit({ action: 'connector.configure' }))[0]).toMatchObject({ actor: 'admin-1', details: { settings: { bind_password: '********' } } });
    const bad = await failure(saveConnectorConfig(store, { ...raw, users_filter: '(broken' }, undefined, 'admin-1'));
    expect(bad).toMatchObject({ kind: 'invalid', field: 'connector.users_filter' });
  });

  it('a configuration pinned in YAML wins and cannot be changed through settings', async () => {
    const pinned = { ...raw, on_missing: 'keep' };
    expect((await loadConnectorConfig(store, pinned))?.config.onMissing).toBe('keep');
    expect((await failure(saveConnectorConfig(store, raw, pinned, 'admin-1'))).status).toBe(409);
  });

  it('connector test prints counts and the sample', async () => {
    const result = await connectorTest(ctx);
    const text = renderConnectionTest(result);
    expect(text).toContain('the filters find 5 users and 2 groups');
    expect(text).toMatch(/alice\s+alice@example\.com\s+Alice Liddell\s+ok/);
    expect(text).toMatch(/dave\s+Dave Nomail\s+no email address/);
  });

  it('sync run --dry-run lists the plan and writes nothing; sync run applies; status shows the last report', async () => {
    const dry = await syncRun(ctx, { dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(renderSyncReport(dry, true)).toMatch(/^dry run \(nothing written\).*3 created/);
    expect(renderSyncReport(dry, true)).toMatch(/create\s+user\s+alice/);
    expect((await store.listUsers()).total).toBe(0);
    const real = await syncRun(ctx, {});
    expect(real.users.created).toBe(3);
    const text = renderSyncReport(real);
    expect(text).toMatch(/^sync done in \d+ ms; source 5 users, 2 groups; users: 3 created/);
    expect(text).toMatch(/skip\s+user\s+Bad_Name/);
    const status = await syncStatus(ctx);
    expect(status).toMatchObject({ configured: true, pinned: false, provider: 'jumpcloud', lastReport: { trigger: 'cli', users: { created: 3 } } });
    expect(renderSyncStatus(status)).toMatch(/^jumpcloud at ldaps:.* \(from settings\), sync manual only\nlast run /);
  });

  it('a failed run throws with the reason (and the report is stored)', async () => {
    await slapd.stop();
    try {
      expect((await failure(syncRun(ctx, {}))).message).toMatch(/^sync failed: the external directory .* is unavailable/);
      expect((await syncStatus(ctx)).lastReport?.status).toBe('failed');
    } finally {
      await slapd.start();
    }
  });

  it('sync run from the CLI goes through the connector object: counted in its metrics, audited as cli', async () => {
    const metrics = createMetricsRegistry();
    const counted = createConnector({ store, configTtlMs: 0, metrics });
    const report = await syncRun(counted, {});
    expect(report).toMatchObject({ status: 'ok', trigger: 'cli' });
    expect(await metrics.render()).toMatch(/^pgdir_sync_runs_total\{result="ok"\} 1$/m);
    expect((await store.listAudit({ action: 'connector.sync' }))[0]).toMatchObject({ actor: 'cli', result: 'ok' });
  });

  it('the interval runs syncs by itself; interval 0 runs none', async () => {
    const manual = createConnector({ store, pinned: { ...raw, interval: 0 } });
    const before = (await store.listAudit({ action: 'connector.sync' })).length;
    manual.start();
    await sleep(400);
    await manual.close();
    expect((await store.listAudit({ action: 'connector.sync' })).length).toBe(before);

    const timed = createConnector({ store, pinned: { ...raw, interval: '300ms' } });
    timed.start();
    const deadline = Date.now() + 10_000;
    let runs: SyncReport[] = [];
    while (Date.now() < deadline && runs.length < 2) {
      await sleep(100);
      runs = (await store.listAudit({ action: 'connector.sync' })).map((a) => a.details as unknown as SyncReport).filter((r) => r.trigger === 'interval');
    }
    await timed.close();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.status === 'ok')).toBe(true);
    expect((await timed.status()).running).toBe(false);
  });
});
