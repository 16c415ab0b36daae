import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../helpers/databases.js';
import { REPO } from '../helpers/pgdir-process.js';

/** certs/make-dev-certs.sh: a CA and a server certificate that real TLS clients accept. */
describe('certs/make-dev-certs.sh', () => {
  let dir: { path: string; remove(): Promise<void> };
  let out: string;
  const script = join(REPO, 'certs/make-dev-certs.sh');
  beforeAll(async () => {
    dir = await createTempDir('pgdir-certs-');
    out = join(dir.path, 'dev');
    execFileSync('sh', [script, out, 'ldap.example.test', '192.0.2.7'], { stdio: 'pipe' });
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('issues a server certificate for localhost, 127.0.0.1, ::1 and the extra names, signed by the CA', () => {
    const ca = new X509Certificate(readFileSync(join(out, 'ca.crt')));
    const server = new X509Certificate(readFileSync(join(out, 'server.crt')));
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:ldap.example.test, IP Address:192.0.2.7');
    expect(statSync(join(out, 'server.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'ca.key')).mode & 0o777).toBe(0o600);
  });

  it('passes TLS hostname verification for localhost and 127.0.0.1', async () => {
    const server: Server = createServer({ cert: readFileSync(join(out, 'server.crt')), key: readFileSync(join(out, 'server.key')) }, (s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const handshake = (servername: string | undefined) =>
      new Promise<boolean>((resolve, reject) => {
        const socket = connect({ port, host: '127.0.0.1', ca: readFileSync(join(out, 'ca.crt')), ...(servername === undefined ? {} : { servername }) }, () => {
          resolve(socket.authorized);
          socket.destroy();
        });
        socket.on('error', reject);
      });
    try {
      expect(await handshake('localhost')).toBe(true);
      expect(await handshake(undefined)).toBe(true); // checked against IP 127.0.0.1
      await expect(handshake('elsewhere.example')).rejects.toThrow(/altnames/);
    } finally {
      server.close();
    }
  });

  it('keeps an existing certificate unless FORCE=1, and keeps the CA even then', () => {
    const before = readFileSync(join(out, 'ca.crt'), 'utf8');
    expect(() => execFileSync('sh', [script, out], { stdio: 'pipe' })).toThrow(/exists; set FORCE=1/);
    const serverBefore = readFileSync(join(out, 'server.crt'), 'utf8');
    execFileSync('sh', [script, out], { stdio: 'pipe', env: { ...process.env, FORCE: '1' } });
    expect(readFileSync(join(out, 'ca.crt'), 'utf8')).toBe(before);
    expect(readFileSync(join(out, 'server.crt'), 'utf8')).not.toBe(serverBefore);
  });
});
