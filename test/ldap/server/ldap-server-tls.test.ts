import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowlist } from '../../../src/domain/ip-allowlist.js';
import { ResultCode } from '../../../src/domain/result-code.js';
import { Oid } from '../../../src/ldap/protocol.js';
import { createTestPki, type TestPki } from '../../helpers/certs.js';
import { startTestServer, type TestServer } from '../../helpers/ldap-test-server.js';
import { bindReq, extendedReq, searchReq, Tag, WireClient } from '../../helpers/ldap-wire.js';

const run = promisify(execFile);
let pki: TestPki;
let dir: string;
let certFile: string;
let keyFile: string;
let t: TestServer;

beforeAll(async () => {
  pki = createTestPki();
  // The server reads its own copies, which the reload tests overwrite.
  dir = mkdtempSync(join(tmpdir(), 'pgdir-tls-'));
  certFile = join(dir, 'tls.crt');
  keyFile = join(dir, 'tls.key');
  copyFileSync(pki.certFile, certFile);
  copyFileSync(pki.keyFile, keyFile);
  t = await startTestServer({
    listen: ['ldaps://127.0.0.1:0', 'ldap://127.0.0.1:0'],
    tls: { certFile, keyFile },
    allowlist: parseAllowlist(['127.0.0.1']),
  });
});
afterAll(async () => {
  await t.server.close(1000);
  pki.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const tlsClient = () => WireClient.tls(t.ldapsPort, { ca: pki.ca });
const serialOf = (c: WireClient) => (c.socket as TLSSocket).getPeerCertificate().serialNumber;
const env = () => ({ ...process.env, LDAPTLS_CACERT: pki.caFile, LDAPTLS_REQCERT: 'demand' });

describe('allowlist at accept', () => {
  it('gives a client outside the list no TLS handshake and no byte at all', async () => {
    const deniedBefore = t.server.stats().denied.allowlist;
    const warnsBefore = t.logger.lines.filter((l) => l.level === 'warn').length;
    const raw = await WireClient.plain(t.ldapsPort, '127.0.0.2');
    raw.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])); // a (bogus) TLS record
    await raw.whenClosed;
    expect(raw.bytes).toBe(0);
    await expect(WireClient.tls(t.ldapsPort, { ca: pki.ca, localAddress: '127.0.0.2' })).rejects.toThrow();
    const plain = await WireClient.plain(t.ldapPort, '127.0.0.2');
    plain.send(bindReq(1));
    await plain.whenClosed;
    expect(plain.bytes).toBe(0);
    expect(t.server.stats().denied.allowlist - deniedBefore).toBe(3);
    // Logged at a limited rate: three refusals within a second make one line.
    const warns = t.logger.lines.filter((l) => l.level === 'warn').slice(warnsBefore);
    expect(warns).toHaveLength(1);
    expect(warns[0]?.obj).toMatchObject({ reason: 'allowlist', remoteAddress: '127.0.0.2' });
  });

  it('closes a plain-text client on the ldaps:// port after the failed handshake', async () => {
    const c = await WireClient.plain(t.ldapsPort);
    c.send(bindReq(1));
    await c.whenClosed;
    expect(c.messages).toHaveLength(0);
    const ok = await tlsClient(); // the listener is unaffected
    ok.send(bindReq(1));
    expect((await ok.result(1)).resultCode).toBe(ResultCode.success);
    ok.close();
  });

  it('applies a new allowlist to new connections', async () => {
    t.server.setAllowlist(parseAllowlist(['127.0.0.1', '127.0.0.2']));
    try {
      const c = await WireClient.tls(t.ldapsPort, { ca: pki.ca, localAddress: '127.0.0.2' });
      c.send(bindReq(1));
      expect((await c.result(1)).resultCode).toBe(ResultCode.success);
      c.close();
    } finally {
      t.server.setAllowlist(parseAllowlist(['127.0.0.1']));
    }
  });
});

describe('ldaps and StartTLS with real clients', () => {
  it('serves ldapsearch over ldaps:// with the test CA', async () => {
    const { stdout } = await run('ldapsearch', ['-x', '-LLL', '-H', `ldaps://127.0.0.1:${t.ldapsPort}`,
      '-b', 'dc=example,dc=com', '(objectClass=*)'], { env: env() });
    expect(stdout).toContain('dn: cn=fixed,dc=example,dc=com');
    expect(stdout).toContain('objectClass: person');
  });

  it('upgrades ldap:// with StartTLS for ldapwhoami -ZZ', async () => {
    const before = t.log.started.length;
    const { stdout } = await run('ldapwhoami', ['-x', '-ZZ', '-H', `ldap://127.0.0.1:${t.ldapPort}`], { env: env() });
    expect(stdout.trim()).toBe('anonymous');
    const whoami = t.log.started.slice(before).find((s) => s.op === 'extended');
    expect(whoami?.secure).toBe(true);
  });

  it('lets ldapts bind and search over ldaps:// and over StartTLS', async () => {
    for (const url of [`ldaps://127.0.0.1:${t.ldapsPort}`, `ldap://127.0.0.1:${t.ldapPort}`]) {
      const tlsOptions = { ca: [pki.ca], servername: 'localhost' };
      // ldapts treats tlsOptions on an ldap:// URL as "TLS from the first byte", so only for ldaps.
      const client = new Client(url.startsWith('ldaps:') ? { url, tlsOptions } : { url });
      try {
        if (url.startsWith('ldap:')) await client.startTLS(tlsOptions);
        await client.bind('cn=admin,ou=system,dc=example,dc=com', 'secret');
        const { searchEntries } = await client.search('dc=example,dc=com', { scope: 'sub' });
        expect(searchEntries.map((e) => e.dn)).toEqual(['cn=fixed,dc=example,dc=com']);
      } finally {
        await client.unbind();
      }
    }
  });

  it('answers StartTLS on an ldaps:// connection with operationsError and keeps it (DESIGN §5)', async () => {
    const c = await tlsClient();
    c.send(extendedReq(1, Oid.startTls));
    const refused = await c.result(1);
    expect(refused).toMatchObject({ tag: Tag.extended, resultCode: ResultCode.operationsError, name: Oid.startTls });
    c.send(searchReq(2, 'dc=example,dc=com'));
    expect((await c.result(2)).resultCode).toBe(ResultCode.success);
    c.close();
  });

  it('refuses StartTLS while another operation is outstanding', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(Buffer.concat([searchReq(1, 'cn=slow=200'), extendedReq(2, Oid.startTls)]));
    expect((await c.result(2)).resultCode).toBe(ResultCode.operationsError);
    expect((await c.result(1)).resultCode).toBe(ResultCode.success);
    c.send(searchReq(3, 'dc=example,dc=com')); // still a working plain connection
    expect((await c.result(3)).resultCode).toBe(ResultCode.success);
    c.close();
  });

  it('treats plaintext sent right behind StartTLS as a protocol violation', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(Buffer.concat([extendedReq(1, Oid.startTls), searchReq(2, 'dc=example,dc=com')]));
    await c.whenClosed;
    expect(c.messages.some((m) => m.id === 2)).toBe(false);
  });
});

describe('certificate reload', () => {
  it('keeps old connections, gives new handshakes the new certificate, keeps it on bad files', async () => {
    const old = await tlsClient();
    expect(serialOf(old)).toBe(pki.serial);
    const next = pki.issue('next');
    writeFileSync(certFile, next.cert);
    writeFileSync(keyFile, next.key);
    await t.server.reloadTls();

    old.send(searchReq(1, 'dc=example,dc=com'));
    expect((await old.result(1)).resultCode).toBe(ResultCode.success);
    const fresh = await tlsClient();
    expect(serialOf(fresh)).toBe(next.serial);

    writeFileSync(certFile, 'not a certificate');
    await expect(t.server.reloadTls()).rejects.toThrow(/rejected/);
    writeFileSync(certFile, pki.issue('other').cert); // key no longer matches
    await expect(t.server.reloadTls()).rejects.toThrow(/rejected/);
    rmSync(keyFile);
    await expect(t.server.reloadTls()).rejects.toThrow(/cannot read/);
    const third = await tlsClient();
    expect(serialOf(third)).toBe(next.serial);

    // A StartTLS upgrade uses the current certificate too.
    const plain = await WireClient.plain(t.ldapPort);
    plain.send(extendedReq(9, Oid.startTls));
    expect((await plain.result(9)).resultCode).toBe(ResultCode.success);
    for (const c of [old, fresh, third, plain]) c.close();
  });
});
