import { copyFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeModes } from '../helpers/databases.js';
import { createTestPki, type TestPki } from '../helpers/certs.js';
import { startApi, type Api } from './http-fixture.js';

/** HTTPS with a mounted certificate, replaced on reload (SIGHUP) without a restart. */
describe('HTTPS', () => {
  let pki: TestPki;
  let api: Api;
  beforeAll(async () => {
    pki = createTestPki();
    const pglite = storeModes.find((m) => m.mode === 'pglite');
    if (pglite === undefined) throw new Error('no PGlite mode');
    api = await startApi(pglite, { tls: { certFile: pki.certFile, keyFile: pki.keyFile } });
  });
  afterAll(async () => {
    await api?.close();
    pki?.cleanup();
  });

  const get = (path: string) =>
    new Promise<{ status: number; serial: string; body: string }>((resolve, reject) => {
      const req = request(`${api.base}${path}`, { ca: pki.ca, agent: false }, (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, serial, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('serves the API over TLS and picks up a new certificate on reload', async () => {
    expect(api.base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const first = await get('/healthz');
    expect(first).toMatchObject({ status: 200, serial: pki.serial });
    const next = pki.issue('next');
    copyFileSync(next.certFile, pki.certFile);
    copyFileSync(next.keyFile, pki.keyFile);
    await api.service.reload?.();
    expect((await get('/healthz')).serial).toBe(next.serial);
  });
});
