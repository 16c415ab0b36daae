import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigFiles } from '../../src/config/check-files.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { createTestPki, type TestPki } from '../helpers/certs.js';
import { createPGliteDataDir, createTempDir } from '../helpers/databases.js';
import { runPgdir, startServe, waitFor, waitReady, writeTestConfig, type ServeProcess } from '../helpers/pgdir-process.js';

/** `http.tls` (HTTPS for the admin API) and the checks shared with `ldap.tls`. */

let pki: TestPki;
let work: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  pki = createTestPki();
  work = await createTempDir('pgdir-http-tls-');
});
afterAll(async () => {
  pki?.cleanup();
  await work?.remove();
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const load = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  const file = join(work.path, 'tls.yaml');
  writeFileSync(file, yaml);
  return loadConfig({ path: file, env, cwd: work.path }).config;
};

describe('tls keys in the schema', () => {
  it('takes http.tls, resolving relative paths like ldap.tls', () => {
    const config = load('http:\n  tls: { cert_file: certs/api.crt, key_file: /etc/api.key }\n');
    expect(config.http.tls).toEqual({ cert_file: join(work.path, 'certs/api.crt'), key_file: '/etc/api.key' });
    expect(load('').http.tls).toEqual({});
  });

  it('refuses a certificate without its key (or the reverse), naming the key, for ldap and http', () => {
    const cases: [string, string][] = [
      ['ldap:\n  tls: { cert_file: /a.crt }\n', 'ldap.tls.key_file: is required when ldap.tls.cert_file is set'],
      ['ldap:\n  tls: { key_file: /a.key }\n', 'ldap.tls.cert_file: is required when ldap.tls.key_file is set'],
      ['http:\n  tls: { cert_file: /a.crt }\n', 'http.tls.key_file: is required when http.tls.cert_file is set'],
      ['http:\n  tls: { key_file: /a.key }\n', 'http.tls.cert_file: is required when http.tls.key_file is set'],
    ];
    for (const [yaml, message] of cases) {
      const err = configError(() => load(yaml));
      expect(err.message, yaml).toContain(message);
      expect(err.message, yaml).toContain('(give both files or neither)');
    }
  });

  it('applies the same check to environment overrides and reports where the value came from', () => {
    const err = configError(() => load('', { PGDIR_HTTP__TLS__CERT_FILE: '/a.crt' }));
    expect(err.key).toBe('http.tls.key_file');
    expect(err.message).toContain('http.tls.key_file: is required when http.tls.cert_file is set');
  });
});

describe('checkConfigFiles', () => {
  it('accepts readable, matching PEM files', () => {
    const config = load(`http:\n  tls: { cert_file: ${pki.certFile}, key_file: ${pki.keyFile} }\nldap:\n  tls: { cert_file: ${pki.certFile}, key_file: ${pki.keyFile} }\n`);
    expect(() => checkConfigFiles(config)).not.toThrow();
  });

  it('names the key of a missing file, a directory, and a key that does not match the certificate', () => {
    mkdirSync(join(work.path, 'a-dir'), { recursive: true });
    const missing = configError(() => checkConfigFiles(load(`http:\n  tls: { cert_file: nope.crt, key_file: ${pki.keyFile} }\n`)));
    expect(missing.message).toBe(`invalid configuration: http.tls.cert_file: ${join(work.path, 'nope.crt')} does not exist`);
    const dir = configError(() => checkConfigFiles(load(`ldap:\n  tls: { cert_file: ${pki.certFile}, key_file: a-dir }\n`)));
    expect(dir.message).toBe(`invalid configuration: ldap.tls.key_file: ${join(work.path, 'a-dir')} is not a file`);
    const other = pki.issue('other');
    const mismatch = configError(() => checkConfigFiles(load(`http:\n  tls: { cert_file: ${pki.certFile}, key_file: ${other.keyFile} }\n`)));
    expect(mismatch.key).toBe('http.tls');
    expect(mismatch.message).toContain('are not a usable certificate and key');
    writeFileSync(join(work.path, 'junk.pem'), 'not PEM\n');
    const junk = configError(() => checkConfigFiles(load(`http:\n  tls: { cert_file: junk.pem, key_file: ${pki.keyFile} }\n`)));
    expect(junk.key).toBe('http.tls');
  });

  it('pgdir check-config reports an unreadable file with its key and exits 2', async () => {
    const file = join(work.path, 'check.yaml');
    await writeFile(file, `http:\n  tls: { cert_file: ${pki.certFile}, key_file: /nonexistent/api.key }\n`);
    const bad = await runPgdir(['check-config', '--config', file], { cwd: work.path });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('pgdir: invalid configuration: http.tls.key_file: /nonexistent/api.key does not exist\n');
    await writeFile(file, `http:\n  tls: { cert_file: ${pki.certFile}, key_file: ${pki.keyFile} }\n`);
    const good = await runPgdir(['check-config', '--config', file], { cwd: work.path });
    expect(good).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('pgdir serve with http.tls', { timeout: 90_000 }, () => {
  let data: { path: string; remove(): Promise<void> };
  let config: string;
  let serve: ServeProcess | undefined;
  let base: string;
  // The daemon reads its own copies, so the test can replace them for the SIGHUP reload.
  const certFile = () => join(work.path, 'api.crt');
  const keyFile = () => join(work.path, 'api.key');

  beforeAll(async () => {
    data = await createPGliteDataDir();
    copyFileSync(pki.certFile, certFile());
    copyFileSync(pki.keyFile, keyFile());
    config = await writeTestConfig(work.path, data.path);
    const text = await readFile(config, 'utf8');
    const port = /^ {2}listen: 127\.0\.0\.1:(\d+)$/m.exec(text)?.[1];
    await writeFile(config, text.replace(/^http:\n/m, `http:\n  tls:\n    cert_file: ${certFile()}\n    key_file: ${keyFile()}\n`));
    base = `https://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    await data?.remove();
  });

  const get = (path: string, ca: string = pki.ca) =>
    new Promise<{ status: number; serial: string; body: string }>((resolve, reject) => {
      const req = request(`${base}${path}`, { ca, agent: false }, (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, serial, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('answers HTTPS with the configured certificate, verified against its CA', async () => {
    serve = startServe(config, work.path);
    await waitReady(serve, data.path);
    const health = await get('/healthz');
    expect(health).toMatchObject({ status: 200, serial: pki.serial });
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    const listening = serve.logs().find((l) => l.msg === 'HTTP API listening');
    expect(listening?.url).toBe(base);
    // A client that does not trust the CA is refused: this is the configured certificate, not a default.
    const other = createTestPki();
    try {
      await expect(get('/healthz', other.ca)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    } finally {
      other.cleanup();
    }
    // Plain HTTP on the HTTPS port gets no API answer: the TLS listener closes the connection.
    await expect(fetch(base.replace('https:', 'http:') + '/healthz')).rejects.toThrow('fetch failed');
  });

  it('serves a replaced certificate after SIGHUP without a restart', async () => {
    const next = pki.issue('rotated');
    copyFileSync(next.certFile, certFile());
    copyFileSync(next.keyFile, keyFile());
    const pid = serve?.child.pid;
    serve?.child.kill('SIGHUP');
    await waitFor('reload logged', async () => serve?.logs().find((l) => l.msg === 'configuration reloaded'));
    expect((await get('/healthz')).serial).toBe(next.serial);
    expect(serve?.child.pid).toBe(pid);
    expect(serve?.child.exitCode).toBeNull();
  });

  it('refuses to start when a configured file is missing, naming the key', async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    const text = await readFile(config, 'utf8');
    await writeFile(config, text.replace(`key_file: ${keyFile()}`, 'key_file: /nonexistent/api.key'));
    const result = await startServe(config, work.path).exited;
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('http.tls.key_file: /nonexistent/api.key does not exist');
  });
});
