import { writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendControlRequest } from '../../src/control/control-client.js';
import { createTempDir, createTestDatabase } from '../helpers/databases.js';
import { runPgdir, spawnPgdir, collect, startServe, waitFor, waitReady, writeTestConfig, type ServeProcess } from '../helpers/pgdir-process.js';

/**
 * Issue 20, "Also": when the daemon goes away before its reply, the CLI says the connection was
 * lost and the command was not applied (every command is one transaction), instead of "the pgdir
 * daemon sent an unreadable reply". A fake daemon on a real socket shows each way a connection
 * ends; a real daemon killed during an import shows the message and that nothing was imported.
 */
describe('control client: a connection lost before the reply', () => {
  let dir: { path: string; remove(): Promise<void> };
  let server: Server | undefined;
  const socketPath = () => join(dir.path, 'fake.sock');

  /** A fake daemon that reads the request and then does `answer` with the connection. */
  const fakeDaemon = async (answer: (socket: Socket) => void): Promise<void> => {
    server = createServer((socket) => socket.once('data', () => answer(socket)));
    await new Promise<void>((resolve) => server!.listen(socketPath(), resolve));
  };

  beforeAll(async () => {
    dir = await createTempDir('pgdir-lost-');
  });
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });
  afterAll(() => dir.remove());

  it('says so for an import (closed without a reply) and for a sync and any other command', async () => {
    await fakeDaemon((socket) => socket.end());
    await expect(sendControlRequest(socketPath(), 'users.import', {}, 5_000)).rejects.toThrow(
      /^the connection to the daemon was lost; the import was not applied$/,
    );
    await expect(sendControlRequest(socketPath(), 'sync.run', {}, 5_000)).rejects.toThrow(/^the connection to the daemon was lost; the sync was not applied$/);
    await expect(sendControlRequest(socketPath(), 'users.add', {}, 5_000)).rejects.toThrow(/^the connection to the daemon was lost; the command was not applied$/);
  });

  it('says so for a connection destroyed without a reply and for a reply cut short', async () => {
    await fakeDaemon((socket) => socket.destroy());
    await expect(sendControlRequest(socketPath(), 'users.import', {}, 5_000)).rejects.toThrow(/^the connection to the daemon was lost; the import was not applied$/);
    await new Promise((resolve) => server!.close(resolve));
    await fakeDaemon((socket) => socket.end('{"ok":true,"result":{"crea'));
    await expect(sendControlRequest(socketPath(), 'users.import', {}, 5_000)).rejects.toThrow(/^the connection to the daemon was lost; the import was not applied$/);
  });

  it('still calls a whole reply that is not JSON unreadable', async () => {
    await fakeDaemon((socket) => socket.end('not json\n'));
    await expect(sendControlRequest(socketPath(), 'users.import', {}, 5_000)).rejects.toThrow(/sent an unreadable reply/);
  });
});

describe('pgdir users import while the daemon is killed', { timeout: 180_000 }, () => {
  let data: { path: string; remove(): Promise<void> };
  let database: { url: string; drop(): Promise<void> };
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    [data, database] = await Promise.all([createTempDir('pgdir-lost-import-'), createTestDatabase()]);
  });
  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    await serve?.exited;
    await Promise.all([data.remove(), database.drop()]);
  });

  it('reports the lost connection, and no user of the import exists afterwards', async () => {
    const config = await writeTestConfig(data.path, data.path, `database:\n  url: ${JSON.stringify(database.url)}\n`);
    serve = startServe(config, data.path);
    await waitReady(serve, data.path);
    // Large enough that the daemon is still at it when it is killed (it is one transaction).
    const rows = Array.from({ length: 20_000 }, (_, i) => `u${i},u${i}@example.com`);
    await writeFile(join(data.path, 'big.csv'), `username,email\n${rows.join('\n')}\n`);
    const child = spawnPgdir(['users', 'import', 'big.csv', '--config', config], { cwd: data.path });
    child.stdin?.end();
    const importing = collect(child);
    await waitFor('the import to reach the daemon', async () => {
      if (child.exitCode !== null) throw new Error(`the import ended first: ${JSON.stringify(await importing)}`);
      return serve?.logs().find((l) => l.msg === 'control request' && l.command === 'users.import');
    });
    serve.child.kill('SIGKILL');
    await serve.exited;

    const result = await importing;
    expect(result.stderr).toContain('the connection to the daemon was lost; the import was not applied');
    expect(result.stderr).not.toContain('unreadable');
    expect(result.code).toBe(1);
    // No daemon now (a stale socket file): the CLI opens the database itself.
    const list = await runPgdir(['users', 'list', '--json', '--config', config], { cwd: data.path });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });
});
