import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createTestPki, type TestPki } from '../helpers/certs.js';
import { memoryIo } from '../helpers/memory-io.js';
import { createTempDir } from '../helpers/databases.js';
import { cleanEnv, daemonStatus, freePort, REPO, runPgdir, startServe, writeTestConfig, type ServeProcess } from '../helpers/pgdir-process.js';

/*
 * Readiness as service managers see it. `pgdir wait-ready` (the systemd unit's ExecStartPost)
 * returns only once the daemon answers, and fails with one clear line otherwise.
 * bin/pgdir-healthcheck.js (the container's HEALTHCHECK) finds the HTTP listener from the
 * environment or the config file, HTTPS included, and asks /readyz. The daemon here serves HTTPS.
 */

let dir: { path: string; remove(): Promise<void> };
let pki: TestPki;
let config: string;
let httpPort: number;
let serve: ServeProcess | undefined;
beforeAll(async () => {
  dir = await createTempDir('pgdir-readiness-');
  pki = createTestPki();
  httpPort = await freePort();
  const tls = `  tls:\n    cert_file: ${JSON.stringify(pki.certFile)}\n    key_file: ${JSON.stringify(pki.keyFile)}\n`;
  const file = await writeTestConfig(dir.path, join(dir.path, 'data'), tls);
  // writeTestConfig picked a port for http.listen; use one this test knows.
  await writeFile(file, (await readFile(file, 'utf8')).replace(/(http:\n  listen: )\S+/, `$1127.0.0.1:${httpPort}`));
  config = file;
});
afterAll(async () => {
  if (serve?.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  pki.cleanup();
  await dir.remove();
});

function readyz(): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: httpPort, path: '/readyz', ca: pki.ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The container's healthcheck script with only `env` (plus PATH/HOME) set. */
function healthcheck(env: Record<string, string>): { code: number | null; out: string } {
  const result = spawnSync(process.execPath, [join(REPO, 'bin/pgdir-healthcheck.js')], {
    cwd: dir.path,
    encoding: 'utf8',
    env: cleanEnv({ PGDIR_CONFIG: '', ...env }),
    timeout: 30_000,
  });
  return { code: result.status, out: result.stdout + result.stderr };
}

describe('before the daemon runs', () => {
  it('pgdir wait-ready fails after the timeout with one clear line', async () => {
    const started = Date.now();
    const result = await runPgdir(['wait-ready', '--timeout', '1500ms', '--config', config], { cwd: dir.path });
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(result.stderr).toMatch(/^pgdir: not ready after \d+\.\d s: no pgdir daemon answered on .*pgdir\.sock\n$/);
  });

  it('pgdir wait-ready refuses a timeout without a unit', async () => {
    const result = await runPgdir(['wait-ready', '--timeout', '30', '--config', config], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--timeout must be a duration with a unit, e.g. 30s or 2m');
  });

  it('the healthcheck script reports unhealthy, naming the address it asked', () => {
    const result = healthcheck({ PGDIR_CONFIG: config });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(new RegExp(`^unhealthy: https://127\\.0\\.0\\.1:${httpPort}/readyz .*ECONNREFUSED`));
  });
});

describe('while the daemon starts and runs', () => {
  it('pgdir wait-ready, started first, returns once the daemon is ready and /readyz answers 200', async () => {
    const waiting = runPgdir(['wait-ready', '--timeout', '120s', '--config', config], { cwd: dir.path });
    // Let the waiter find no socket first: it must keep polling, not give up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    serve = startServe(config, dir.path);
    const result = await waiting;
    expect(result.code, `${result.stderr}\n${serve.output()}`).toBe(0);
    expect(result.stdout).toMatch(/^ready: pid \d+, pglite, after \d+\.\d s\n$/);
    expect((await daemonStatus(join(dir.path, 'data')))?.state).toBe('ready');
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready' });
  }, 150_000);

  it('the healthcheck script finds HTTPS and the port in the config file', () => {
    expect(healthcheck({ PGDIR_CONFIG: config })).toEqual({ code: 0, out: `healthy: https://127.0.0.1:${httpPort}/readyz answered 200\n` });
  });

  it('the healthcheck script takes PGDIR_HTTP__* over the file, and a wildcard address means loopback', () => {
    const env = { PGDIR_HTTP__LISTEN: `0.0.0.0:${httpPort}`, PGDIR_HTTP__TLS__CERT_FILE: pki.certFile };
    expect(healthcheck(env).code).toBe(0);
    // Plain HTTP to a TLS listener fails: the scheme really is derived, not guessed.
    const plain = healthcheck({ PGDIR_HTTP__LISTEN: `127.0.0.1:${httpPort}` });
    expect(plain.code).toBe(1);
    expect(plain.out).toMatch(new RegExp(`^unhealthy: http://127\\.0\\.0\\.1:${httpPort}/readyz `));
  });

  it('PGDIR_HEALTHCHECK_URL is not a configuration key: the daemon starts with it set', async () => {
    const mem = memoryIo({ cwd: dir.path, env: { PGDIR_CONFIG: config, PGDIR_HEALTHCHECK_URL: 'https://127.0.0.1:1/readyz' } });
    expect(await main(['check-config'], mem.io), mem.stderr()).toBe(0);
  });

  it('the healthcheck script takes PGDIR_HEALTHCHECK_URL over everything', () => {
    expect(healthcheck({ PGDIR_CONFIG: config, PGDIR_HEALTHCHECK_URL: `https://localhost:${httpPort}/readyz` }).code).toBe(0);
    const wrong = healthcheck({ PGDIR_CONFIG: config, PGDIR_HEALTHCHECK_URL: `https://127.0.0.1:${httpPort}/no-such-page` });
    expect(wrong).toEqual({ code: 1, out: `unhealthy: https://127.0.0.1:${httpPort}/no-such-page answered 404\n` });
  });
});
