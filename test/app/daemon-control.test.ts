import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireCliLock, cliLockPath, waitForCliLock } from '../../src/control/cli-lock.js';
import { DaemonNotRunning, sendControlRequest } from '../../src/control/control-client.js';
import { startControlServer, type ControlServer } from '../../src/control/control-server.js';
import { controlSocketPath, MAX_REQUEST_BYTES } from '../../src/control/protocol.js';
import { conflict, invalid } from '../../src/domain/errors.js';
import { createLogger } from '../../src/log/create-logger.js';
import { createTempDir } from '../helpers/databases.js';

const silent = createLogger({ level: 'silent', format: 'json' });

/** Sends raw bytes and returns the one-line reply. */
function raw(path: string, bytes: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => socket.end(bytes));
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.on('end', () => resolve(JSON.parse(reply)));
    socket.on('error', reject);
  });
}

describe('control socket', () => {
  let dir: { path: string; remove(): Promise<void> };
  let server: ControlServer | undefined;
  beforeEach(async () => {
    dir = await createTempDir('pgdir-ctl-');
  });
  afterEach(async () => {
    await server?.close(1_000);
    server = undefined;
    await dir.remove();
  });

  const start = async () => {
    server = await startControlServer(controlSocketPath(dir.path), async (request) => {
      if (request.command === 'echo') return request.args;
      if (request.command === 'bad') throw invalid('email "x" is not a valid email address', 'email');
      if (request.command === 'dup') throw conflict('username "alice" is taken', 'username');
      if (request.command === 'crash') throw new Error('disk on fire');
      return undefined;
    }, silent);
  };

  it('carries a request and its result as JSON lines', async () => {
    await start();
    expect(await sendControlRequest(controlSocketPath(dir.path), 'echo', { a: 1, pw: 'é ✓' })).toEqual({ ok: true, result: { a: 1, pw: 'é ✓' } });
    expect(await sendControlRequest(controlSocketPath(dir.path), 'nothing', {})).toEqual({ ok: true, result: null });
  });

  it('sends directory errors back as {kind, message, field}, and other errors as internal', async () => {
    await start();
    const path = controlSocketPath(dir.path);
    expect(await sendControlRequest(path, 'bad', {})).toEqual({ ok: false, error: { kind: 'invalid', message: 'email "x" is not a valid email address', field: 'email' } });
    expect(await sendControlRequest(path, 'dup', {})).toEqual({ ok: false, error: { kind: 'conflict', message: 'username "alice" is taken', field: 'username' } });
    expect(await sendControlRequest(path, 'crash', {})).toEqual({ ok: false, error: { kind: 'internal', message: 'disk on fire' } });
  });

  it('answers malformed requests with a usage error instead of crashing', async () => {
    await start();
    const path = controlSocketPath(dir.path);
    expect(await raw(path, 'not json\n')).toEqual({ ok: false, error: { kind: 'usage', message: 'request is not JSON' } });
    expect(await raw(path, '{"v":1}\n')).toEqual({ ok: false, error: { kind: 'usage', message: 'request must be an object with a command' } });
    expect(await raw(path, '{"v":99,"command":"echo"}\n')).toMatchObject({ ok: false, error: { kind: 'usage', message: expect.stringContaining('version 99 is not supported') } });
    expect(await raw(path, '{"v":1,"command":"echo","args":[1]}\n')).toMatchObject({ ok: false, error: { message: 'args must be an object' } });
    expect(await raw(path, '{"v":1,"command":"echo"')).toMatchObject({ ok: false, error: { message: 'request ended before a newline' } });
    expect(await raw(path, 'x'.repeat(MAX_REQUEST_BYTES + 70_000))).toMatchObject({ ok: false, error: { message: 'request too large' } });
    expect(await sendControlRequest(path, 'echo', { still: 'alive' })).toEqual({ ok: true, result: { still: 'alive' } });
  });

  it('reports "not running" for a missing or stale socket, and replaces a stale one', async () => {
    const path = controlSocketPath(dir.path);
    await expect(sendControlRequest(path, 'echo', {})).rejects.toBeInstanceOf(DaemonNotRunning);
    // A socket file left by a killed process: nobody accepts on it.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await new Promise((resolve) => child.on('exit', resolve));
    await expect(sendControlRequest(path, 'echo', {})).rejects.toBeInstanceOf(DaemonNotRunning);
    await start();
    expect(await sendControlRequest(path, 'echo', { ok: true })).toMatchObject({ ok: true });
  });

  it('refuses to start while another server answers on the socket', async () => {
    await start();
    await expect(startControlServer(controlSocketPath(dir.path), async () => null, silent)).rejects.toThrow(/already running/);
  });

  it('refuses socket paths longer than the kernel allows', async () => {
    await expect(startControlServer(join(dir.path, 'x'.repeat(120), 'pgdir.sock'), async () => null, silent)).rejects.toThrow(/longer than 107 bytes/);
  });
});

describe('CLI lock (PGlite: one process at a time)', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => {
    dir = await createTempDir('pgdir-lock-');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('is exclusive while held and free after release', async () => {
    const release = await acquireCliLock(dir.path, 0);
    // Same pid counts as stale (a restarted container reuses pids), so test with a live other pid.
    await writeFile(cliLockPath(dir.path), JSON.stringify({ pid: process.ppid, since: 'now' }));
    await expect(acquireCliLock(dir.path, 200)).rejects.toThrow(`another pgdir command (pid ${process.ppid}) is using ${dir.path}`);
    await expect(waitForCliLock(dir.path, 200)).rejects.toThrow(/still holds/);
    await release();
    await waitForCliLock(dir.path, 0);
    const again = await acquireCliLock(dir.path, 0);
    await again();
  });

  it('takes over a lock left by a dead process', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(cliLockPath(dir.path), JSON.stringify({ pid: child.pid, since: 'then' }));
    await waitForCliLock(dir.path, 0);
    await writeFile(cliLockPath(dir.path), 'garbage');
    const release = await acquireCliLock(dir.path, 0);
    await release();
  });
});
