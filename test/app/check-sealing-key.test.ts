import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/app.js';
import { checkSealingKeyFile } from '../../src/app/check-sealing-key.js';
import { main } from '../../src/cli/main.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/index.js';
import { secretBoxOf } from '../../src/crypto/secret-box.js';
import { SettingKey } from '../../src/directory/settings/setting-keys.js';
import { createLogger } from '../../src/log/create-logger.js';
import { openStore } from '../../src/store/open-store.js';
import { createTempDir, storeModes, type StoreFixture } from '../helpers/databases.js';
import { memoryIo } from '../helpers/memory-io.js';
import { daemonStatus, runPgdir, startServe, waitFor, writeTestConfig } from '../helpers/pgdir-process.js';

/**
 * Every pgdir on one database needs the data directory's `totp.key` that sealed the directory's
 * secrets (docs/scaling.md). A daemon with another key, or none, refuses to start with exit 2 and
 * one log line naming the file and the fix; `pgdir check-config` says the same; the right key starts.
 */

const WRONG = /totp\.key is not the key this directory's secrets are sealed with \(its key check value does not open\); every pgdir on one database needs the same totp\.key: copy it from the data_dir of the first pgdir \(mode 0600\) and start again/;
const MISSING = /totp\.key is missing, but this directory holds secrets sealed with a key \(its key check value\); every pgdir on one database needs the same totp\.key: copy it/;

const newKey = (): string => `${randomBytes(32).toString('hex')}\n`;
const quiet = createLogger({ level: 'silent' });

async function checkConfig(file: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const mem = memoryIo({ cwd, env: {} });
  const code = await main(['check-config', '--config', file], mem.io);
  return { code, stdout: mem.stdout(), stderr: mem.stderr() };
}

describe.each(storeModes)('totp.key checked at start-up on $mode', { timeout: 180_000 }, ({ mode, create }) => {
  let fixture: StoreFixture;
  let work: { path: string; remove(): Promise<void> };
  let file: string;
  let keyFile: string;
  let key: string;

  beforeAll(async () => {
    [fixture, work] = await Promise.all([create(), createTempDir('pgdir-sealing-')]);
    const database = fixture.url === undefined ? '' : `database:\n  url: ${JSON.stringify(fixture.url)}\n`;
    file = await writeTestConfig(work.path, fixture.options.dataDir, database);
    keyFile = join(fixture.options.dataDir, 'totp.key');
  });
  afterAll(async () => {
    await fixture?.cleanup();
    await work?.remove();
  });

  it('the first start makes the key (0600) and records a check value sealed with it', async () => {
    const { config } = loadConfig({ path: file, env: {} });
    const daemon = await startDaemon(config, quiet, { services: [] });
    const sealed = await daemon.context.store.getSetting<string>(SettingKey.sealingKeyCheck);
    await daemon.stop('test', 5_000);
    key = await readFile(keyFile, 'utf8');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const box = secretBoxOf(async () => Buffer.from(key.trim(), 'hex'));
    expect(await box.open(sealed ?? '')).toBe('pgdir sealing key check');
  });

  it('refuses to start with another key: exit 2 and one log line naming the file; check-config says the same', async () => {
    await writeFile(keyFile, newKey(), { mode: 0o600 });
    const serve = await runPgdir(['serve', '--config', file], { cwd: work.path });
    expect(serve.code).toBe(2);
    const fatal = serve.stdout.split('\n').filter((line) => line.includes('"level":60'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toContain('pgdir could not start');
    expect(fatal[0]).toContain(keyFile);
    expect(fatal[0]).toMatch(WRONG);
    expect(serve.stdout).not.toContain('pgdir is ready');

    const check = await checkConfig(file, work.path);
    expect(check).toMatchObject({ code: 2, stdout: '' });
    expect(check.stderr).toContain(`pgdir: invalid configuration: ${keyFile} is not the key`);
    expect(check.stderr).toMatch(WRONG);
  });

  it('refuses to start without the key, and does not make a new one', async () => {
    await rm(keyFile);
    const serve = await runPgdir(['serve', '--config', file], { cwd: work.path });
    expect(serve.code).toBe(2);
    expect(serve.stdout).toContain(keyFile);
    expect(serve.stdout).toMatch(MISSING);
    await expect(stat(keyFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it(`starts with the right key (pgdir serve on ${mode}), and check-config passes`, async () => {
    await writeFile(keyFile, key, { mode: 0o600 });
    expect(await checkConfig(file, work.path)).toEqual({ code: 0, stdout: `configuration OK (${file})\n`, stderr: '' });
    const serve = startServe(file, work.path);
    let ready: string | undefined;
    try {
      // PGlite's start takes long on a loaded machine: wait as long as the backup tests do.
      ready = await waitFor('daemon ready', async () => {
        if (serve.child.exitCode !== null) throw new Error(`pgdir serve exited:\n${serve.output()}`);
        return (await daemonStatus(fixture.options.dataDir))?.state === 'ready' ? 'ready' : undefined;
      }, 120_000);
    } finally {
      serve.child.kill('SIGTERM');
      expect((await serve.exited).code).toBe(0);
    }
    expect(ready).toBe('ready');
    expect(await readFile(keyFile, 'utf8')).toBe(key);
  });

  it('in a directory made before the check existed, tries a sealed 2FA secret instead, then records the check', async () => {
    const store = await openStore(fixture.options);
    try {
      await store.write((tx) => tx.deleteSetting(SettingKey.sealingKeyCheck));
      const user = await store.write((tx) => tx.insertUser({ username: 'zed', email: 'zed@example.com' }));
      const old = secretBoxOf(async () => Buffer.from(key.trim(), 'hex'));
      await store.lifecycle.setTotpSecret(user.id, await old.seal('JBSWY3DPEHPK3PXP'));
      await writeFile(keyFile, newKey(), { mode: 0o600 });
      const refused = await checkSealingKeyFile(store, fixture.options.dataDir, { record: true }).then(() => undefined, (e: unknown) => e);
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as Error).message).toContain(`${keyFile} is not the key this directory's secrets are sealed with (the users’ 2FA (TOTP) secrets does not open)`);
      expect(await store.getSetting(SettingKey.sealingKeyCheck)).toBeUndefined();
      await writeFile(keyFile, key, { mode: 0o600 });
      await checkSealingKeyFile(store, fixture.options.dataDir, { record: true });
      expect(typeof (await store.getSetting(SettingKey.sealingKeyCheck))).toBe('string');
    } finally {
      await store.close();
    }
  });
});

describe('a second replica on the same PostgreSQL', { timeout: 120_000 }, () => {
  const postgres = storeModes.find((m) => m.mode === 'postgres');
  let fixture: StoreFixture;
  let second: { path: string; remove(): Promise<void> };

  beforeAll(async () => {
    [fixture, second] = await Promise.all([postgres!.create(), createTempDir('pgdir-sealing-replica-')]);
  });
  afterAll(async () => {
    await fixture?.cleanup();
    await second?.remove();
  });

  const configFor = async (dataDir: string) => {
    const yaml = await writeTestConfig(dataDir, dataDir, `database:\n  url: ${JSON.stringify(fixture.url)}\n`);
    return loadConfig({ path: yaml, env: {} }).config;
  };

  it('refuses its own key and starts with the first replica’s', async () => {
    const first = await startDaemon(await configFor(fixture.options.dataDir), quiet, { services: [] });
    try {
      await writeFile(join(second.path, 'totp.key'), newKey(), { mode: 0o600 });
      const config = await configFor(second.path);
      await expect(startDaemon(config, quiet, { services: [] })).rejects.toThrow(WRONG);
      await writeFile(join(second.path, 'totp.key'), await readFile(join(fixture.options.dataDir, 'totp.key')), { mode: 0o600 });
      const replica = await startDaemon(config, quiet, { services: [] });
      expect(replica.status().state).toBe('ready');
      await replica.stop('test', 5_000);
    } finally {
      await first.stop('test', 5_000);
    }
  });
});
