import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from './helpers/databases.js';
import { daemonStatus, runPgdir, startServe, writeTestConfig, type ServeProcess } from './helpers/pgdir-process.js';

/*
 * `pgdir wait-ready`, which the systemd unit runs as ExecStartPost: it must return only once the
 * daemon answers (control socket `ready`, HTTP /readyz 200), and fail with a clear line otherwise.
 */

let dir: { path: string; remove(): Promise<void> };
let config: string;
let serve: ServeProcess | undefined;
beforeAll(async () => {
  dir = await createTempDir('pgdir-wait-ready-');
  config = await writeTestConfig(dir.path, join(dir.path, 'data'));
});
afterAll(async () => {
  if (serve?.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  await dir.remove();
});

describe('pgdir wait-ready', () => {
  it('fails after the timeout with one clear line when no daemon runs', async () => {
    const started = Date.now();
    const result = await runPgdir(['wait-ready', '--timeout', '1500ms', '--config', config], { cwd: dir.path });
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(result.stderr).toMatch(/^pgdir: not ready after \d+\.\d s: no pgdir daemon answered on .*pgdir\.sock\n$/);
  });

  it('refuses a timeout without a unit', async () => {
    const result = await runPgdir(['wait-ready', '--timeout', '30', '--config', config], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--timeout must be a duration with a unit, e.g. 30s or 2m');
  });

  it('started before the daemon, returns once the daemon is ready and HTTP answers /readyz', async () => {
    const waiting = runPgdir(['wait-ready', '--timeout', '120s', '--config', config], { cwd: dir.path });
    // Give the waiter time to find no socket first: it must keep polling, not give up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    serve = startServe(config, dir.path);
    const result = await waiting;
    expect(result.code, `${result.stderr}\n${serve.output()}`).toBe(0);
    expect(result.stdout).toMatch(/^ready: pid \d+, pglite, after \d+\.\d s\n$/);
    expect((await daemonStatus(join(dir.path, 'data')))?.state).toBe('ready');
    const listen = /listen: (\S+)/.exec(readFileSync(config, 'utf8').split('http:')[1] ?? '')?.[1];
    const response = await fetch(`http://${listen}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready' });
  }, 150_000);
});
