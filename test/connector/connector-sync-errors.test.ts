import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createConnector, type Connector } from '../../src/connector/connector.js';
import { SYNC_LOCK } from '../../src/connector/run-sync.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { JC_ORG, JC_SUFFIX, jumpcloudConnectorYaml, jumpcloudLdif } from './connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { memoryIo } from '../helpers/memory-io.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';
import { startApi, type Api } from '../http/http-fixture.js';

/**
 * A sync that does not run to the end is an error, not a 200 / exit 0: another run holding the
 * lock (409, exit 1), the source unreachable (503, exit 1), a service account the source refuses
 * (400). The report travels with the API error.
 */

/** Holds the sync lock until the returned release() is called. */
async function holdLock(store: Store): Promise<{ release(): void; done: Promise<unknown> }> {
  let release = (): void => undefined;
  let held = (): void => undefined;
  const acquired = new Promise<void>((resolve) => (held = resolve));
  const done = store.withAdvisoryLock(SYNC_LOCK, () => {
    held();
    return new Promise<void>((resolve) => (release = resolve));
  });
  await acquired;
  return { release: () => release(), done };
}

describe.skipIf(!slapdAvailable())('sync errors over the API and the CLI', () => {
  let slapd: TestSlapd;
  let api: Api;
  let real: Connector | undefined;
  const connector = new Proxy({} as Connector, { get: (_t, key) => (real as unknown as Record<string | symbol, unknown>)[key] });
  const raw = () => ({ provider: 'jumpcloud', url: slapd.url, ca_file: slapd.pki.caFile, bind_dn: slapd.readerDn, bind_password: READER_PASSWORD, base_dn: JC_ORG });
  const post = () => api.call('POST', '/api/v1/sync', { token: api.ownerToken, body: {} });

  beforeAll(async () => {
    slapd = await startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif() });
    api = await startApi(storeModes[1]!, { connector });
    real = createConnector({ store: api.store, pinned: undefined, configTtlMs: 0 });
    await api.call('PUT', '/api/v1/settings/external-directory', { token: api.ownerToken, body: raw() });
  });
  afterAll(async () => {
    await real?.close();
    await api?.close();
    await slapd?.cleanup();
  });

  it('answers 200 with the report when the run completes', async () => {
    const ok = await post();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'ok', users: { created: 3 } });
  });

  it('answers 409 with the usual error and the report while another run holds the lock', async () => {
    const lock = await holdLock(api.store);
    try {
      const busy = await post();
      expect(busy.status).toBe(409);
      expect(busy.body).toMatchObject({ error: { code: 'conflict', message: expect.stringContaining('another sync is running') }, report: { status: 'busy' } });
    } finally {
      lock.release();
      await lock.done;
    }
    expect((await post()).status).toBe(200);
  });

  it('answers 503 when the source is unreachable, 400 when it refuses the service account', async () => {
    await slapd.stop();
    try {
      const down = await post();
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        error: { code: 'unavailable', message: expect.stringMatching(/^sync failed: the external directory .* is unavailable/) },
        report: { status: 'failed', errorKind: 'unavailable' },
      });
    } finally {
      await slapd.start();
    }
    await api.call('PUT', '/api/v1/settings/external-directory', { token: api.ownerToken, body: { ...raw(), bind_password: 'wrong' } });
    const refused = await post();
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'invalid', message: expect.stringContaining('connector.bind_dn') }, report: { errorKind: 'invalid' } });
    await api.call('PUT', '/api/v1/settings/external-directory', { token: api.ownerToken, body: raw() });
  });

  it('documents 409 and 503 for POST /api/v1/sync in the OpenAPI description', async () => {
    const doc = await api.call('GET', '/api/openapi.json');
    const responses = doc.body.paths['/api/v1/sync'].post.responses;
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '400', '409', '503']));
    expect(responses['409']).toMatchObject({ description: expect.stringContaining('Another sync is running'), content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    expect(responses['503'].description).toMatch(/could not be reached/);
  });
});

describe.skipIf(!slapdAvailable())('pgdir sync run exit codes', () => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let store: Store;
  let configPath: string;
  const run = async (argv: string[]) => {
    const mem = memoryIo({ cwd: fixture.options.dataDir, env: { PGDIR_CONFIG: '' } });
    const code = await main(argv, mem.io);
    return { code, stdout: mem.stdout(), stderr: mem.stderr() };
  };

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif() }), storeModes[0]!.create()]);
    store = await openStore(fixture.options);
    configPath = join(fixture.options.dataDir, 'pgdir.yaml');
    const yaml = [
      `data_dir: ${fixture.options.dataDir}`,
      `database:\n  url: ${fixture.url}`,
      ...jumpcloudConnectorYaml(slapd, READER_PASSWORD),
      '',
    ].join('\n');
    await writeFile(configPath, yaml);
  });
  afterAll(async () => {
    await store?.close();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it('exits 0 after a completed run', async () => {
    const ok = await run(['sync', 'run', '--config', configPath]);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/^sync done in \d+ ms; source 5 users/);
  });

  it('exits 1 with a clear message while another process holds the sync lock', async () => {
    const lock = await holdLock(store); // a PostgreSQL advisory lock, as another replica would hold it
    try {
      const busy = await run(['sync', 'run', '--config', configPath]);
      expect(busy).toMatchObject({ code: 1, stdout: '', stderr: 'pgdir: another sync is running; try again when it is done\n' });
    } finally {
      lock.release();
      await lock.done;
    }
  });

  it('exits 1 with the reason when the source is down', async () => {
    await slapd.stop();
    try {
      const down = await run(['sync', 'run', '--config', configPath]);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/^pgdir: sync failed: the external directory ldaps:\/\/127\.0\.0\.1:\d+ is unavailable: .+\n$/);
    } finally {
      await slapd.start();
    }
  });
});
