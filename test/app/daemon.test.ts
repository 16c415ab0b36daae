import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlSocketPath } from '../../src/control/protocol.js';
import { createPGliteDataDir, createTempDir } from '../helpers/databases.js';
import { daemonStatus, runPgdir, startServe, waitFor, waitReady, writeTestConfig, type ServeProcess } from '../helpers/pgdir-process.js';

/**
 * `pgdir serve` as a real child process with the embedded database (PGlite allows one process):
 * CLI commands from other processes go through the control socket, and what they change reaches
 * the daemon's change feed.
 */
describe('pgdir serve with the embedded database', { timeout: 90_000 }, () => {
  let data: { path: string; remove(): Promise<void> };
  let work: { path: string; remove(): Promise<void> };
  let config: string;
  let serve: ServeProcess | undefined;
  const cli = (args: string[], input?: string) =>
    runPgdir([...args, '--config', config], { cwd: work.path, ...(input === undefined ? {} : { input }) });
  const logged = (predicate: (line: Record<string, unknown>) => boolean) => async () => serve?.logs().find(predicate);

  beforeAll(async () => {
    [data, work] = await Promise.all([createPGliteDataDir(), createTempDir('pgdir-daemon-')]);
    config = await writeTestConfig(work.path, data.path);
  });
  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    await Promise.all([data.remove(), work.remove()]);
  });

  it('starts, owns a private control socket, and answers healthcheck', async () => {
    serve = startServe(config, work.path);
    const status = await waitReady(serve, data.path);
    expect(status).toMatchObject({ mode: 'pglite', dataDir: data.path, pid: serve.child.pid });
    expect((await stat(controlSocketPath(data.path))).mode & 0o777).toBe(0o600);
    const health = await cli(['healthcheck']);
    expect(health).toMatchObject({ code: 0 });
    expect(health.stdout).toMatch(/^healthy: pid \d+, pglite, revision \d+/);
  });

  it('runs CLI commands from another process inside the daemon, and the change reaches its feed', async () => {
    const before = (await daemonStatus(data.path))?.revision ?? -1;
    const add = await cli(['users', 'add', '--username', 'alice', '--email', 'alice@example.com', '--password-stdin'], 'alice password 1');
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const group = await cli(['groups', 'add', 'staff']);
    expect(group.code).toBe(0);
    expect((await cli(['groups', 'add-member', 'staff', 'alice'])).code).toBe(0);

    const after = await daemonStatus(data.path);
    expect(after?.revision).toBeGreaterThan(before);
    // The daemon ran the commands (control requests) and its feed saw each commit.
    await waitFor('control request logged', logged((l) => l.msg === 'control request' && l.command === 'users.add'));
    await waitFor('change logged', logged((l) => l.msg === 'change' && l.revision === after?.revision));

    const list = await cli(['groups', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'staff', members: ['alice'] }]);
    const duplicate = await cli(['users', 'add', '--username', 'alice', '--email', 'other@example.com']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/^pgdir: .*alice.*\(--username\)\n$/);
    const invalid = await cli(['users', 'add', '--username', 'bob', '--email', 'nope']);
    expect(invalid).toMatchObject({ code: 2, stderr: 'pgdir: email "nope" is not a valid email address (--email)\n' });
  });

  it('refuses a second daemon on the same data_dir', async () => {
    const second = startServe(config, work.path);
    const result = await second.exited;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('another pgdir daemon is already running');
    expect((await daemonStatus(data.path))?.state).toBe('ready');
  });

  it('reloads the configuration on SIGHUP and keeps running when the new file is broken', async () => {
    const good = await readFile(config, 'utf8');
    // data_dir changes only on restart; the log level changes at once.
    const changed = good.replace(/^data_dir: .*$/m, `data_dir: ${JSON.stringify(join(work.path, 'elsewhere'))}`).replace('level: debug', 'level: info');
    await writeFile(config, changed);
    serve?.child.kill('SIGHUP');
    await waitFor('reload logged', logged((l) => l.msg === 'configuration reloaded'));
    const warning = serve?.logs().find((l) => l.msg === 'these settings change only on restart; keeping the running values');
    expect(warning?.keys).toEqual(['data_dir']);

    await writeFile(config, 'ldap:\n  sufix: dc=typo\n');
    serve?.child.kill('SIGHUP');
    const rejected = await waitFor('rejection logged', logged((l) => l.msg === 'new configuration rejected; keeping the running one'));
    expect(rejected.error).toContain('ldap.sufix: unknown key');
    await writeFile(config, good);
    expect((await daemonStatus(data.path))?.state).toBe('ready');
  });

  it('drains and exits 0 on SIGTERM, removing its socket; the CLI then opens the store itself', async () => {
    const started = Date.now();
    serve?.child.kill('SIGTERM');
    const result = await serve!.exited;
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000 + 2_000);
    expect(existsSync(controlSocketPath(data.path))).toBe(false);
    expect(serve?.logs().some((l) => l.msg === 'pgdir stopped')).toBe(true);

    const users = await cli(['users', 'list', '--json']);
    expect(users.code).toBe(0);
    expect(JSON.parse(users.stdout)).toMatchObject([{ username: 'alice' }]);
    const health = await cli(['healthcheck']);
    expect(health.code).toBe(1);
    expect(health.stderr).toContain('no pgdir daemon is running');
  });

  it('recovers from a crash (stale socket and database lock left behind)', async () => {
    serve = startServe(config, work.path);
    await waitReady(serve, data.path);
    serve.child.kill('SIGKILL');
    await serve.exited;
    expect(existsSync(controlSocketPath(data.path))).toBe(true);

    serve = startServe(config, work.path);
    await waitReady(serve, data.path);
    expect((await cli(['users', 'list'])).stdout).toMatch(/^USERNAME.*\nalice /);
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  });
});
