import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, createTestDatabase } from '../helpers/databases.js';
import { cleanEnv, daemonStatus, runPgdir, startServe, waitFor, waitReady, writeTestConfig, type ServeProcess } from '../helpers/pgdir-process.js';

/**
 * `pgdir serve` on PostgreSQL. A CLI command with its own data_dir (as on another host) finds no
 * control socket and writes to Postgres itself; the daemon's feed gets the change by NOTIFY.
 */
describe('pgdir serve with PostgreSQL', { timeout: 90_000 }, () => {
  let database: { url: string; drop(): Promise<void> };
  let data: { path: string; remove(): Promise<void> };
  let elsewhere: { path: string; remove(): Promise<void> };
  let config: string;
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    [database, data, elsewhere] = await Promise.all([createTestDatabase(), createTempDir('pgdir-pgd-'), createTempDir('pgdir-pgcli-')]);
    config = await writeTestConfig(data.path, data.path, `database:\n  url: ${JSON.stringify(database.url)}\n`);
  });
  afterAll(async () => {
    if (serve?.child.exitCode === null) {
      serve.child.kill('SIGKILL');
      await serve.exited;
    }
    await Promise.all([database.drop(), data.remove(), elsewhere.remove()]);
  });

  it('sees a change committed by a separate CLI process through its change feed', async () => {
    serve = startServe(config, data.path);
    const ready = await waitReady(serve, data.path);
    expect(ready.mode).toBe('postgres');

    // Another data_dir: no control socket there, so this process opens PostgreSQL itself.
    const env = cleanEnv({ PGDIR_DATA_DIR: elsewhere.path });
    const add = await runPgdir(['users', 'add', '--username', 'remote', '--email', 'remote@example.com', '--config', config], { cwd: elsewhere.path, env });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const status = await waitFor('daemon feed to pass the CLI commit', async () => {
      const s = await daemonStatus(data.path);
      return s !== undefined && s.revision > ready.revision ? s : undefined;
    }, 10_000);
    expect(serve.logs().some((l) => l.msg === 'change' && l.revision === status.revision)).toBe(true);
    expect(serve.logs().some((l) => l.msg === 'control request' && l.command === 'users.add')).toBe(false);

    // Same data_dir: the command goes through the daemon's control socket.
    const viaSocket = await runPgdir(['groups', 'add', 'ops', '--config', config], { cwd: data.path });
    expect(viaSocket.code).toBe(0);
    await waitFor('control request', async () => serve?.logs().find((l) => l.msg === 'control request' && l.command === 'groups.add'));
    const list = await runPgdir(['users', 'list', '--json', '--config', config], { cwd: elsewhere.path, env });
    expect(JSON.parse(list.stdout)).toMatchObject([{ username: 'remote' }]);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    serve?.child.kill('SIGTERM');
    expect((await serve!.exited).code).toBe(0);
  });
});
