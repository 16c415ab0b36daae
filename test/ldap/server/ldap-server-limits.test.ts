import { createServer, type AddressInfo, type Server, connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DirectoryError } from '../../../src/domain/errors.js';
import { parseAllowlist } from '../../../src/domain/ip-allowlist.js';
import { ResultCode } from '../../../src/domain/result-code.js';
import { Oid } from '../../../src/ldap/protocol.js';
import { createLdapServer } from '../../../src/ldap/server/ldap-server.js';
import { SocketOutput } from '../../../src/ldap/server/socket-output.js';
import { recordingLogger, startTestServer, trivialHandler, type TestServer } from '../../helpers/ldap-test-server.js';
import { bindReq, searchReq, WireClient } from '../../helpers/ldap-wire.js';

const bound = async (port: number, localAddress?: string) => {
  const c = await WireClient.plain(port, localAddress);
  c.send(bindReq(1));
  await c.result(1);
  return c;
};
const refused = async (port: number, localAddress?: string) => {
  const c = await WireClient.plain(port, localAddress);
  c.send(bindReq(1));
  await c.whenClosed;
  return c.bytes === 0;
};
const started = async (t: TestServer, base: string) => {
  while (!t.log.started.some((s) => s.base === base)) await new Promise((r) => setTimeout(r, 5));
};
const isNotice = (m: { id: number; name?: string }) => m.id === 0 && m.name === Oid.noticeOfDisconnection;

describe('connection caps', () => {
  it('caps connections per IP at accept, and frees the slot on close', async () => {
    const t = await startTestServer({ limits: { maxConnectionsPerIp: 2 } });
    try {
      const a = await bound(t.ldapPort);
      const b = await bound(t.ldapPort);
      expect(await refused(t.ldapPort)).toBe(true);
      const other = await bound(t.ldapPort, '127.0.0.2'); // another address has its own budget
      expect(t.server.stats().denied.maxConnectionsPerIp).toBe(1);
      a.close();
      while (t.server.stats().connections > 2) await new Promise((r) => setTimeout(r, 5));
      const again = await bound(t.ldapPort);
      expect(t.server.stats().connections).toBe(3);
      for (const c of [b, other, again]) c.close();
    } finally {
      await t.server.close(500);
    }
  });

  it('caps connections overall', async () => {
    const t = await startTestServer({ limits: { maxConnections: 2 } });
    try {
      const a = await bound(t.ldapPort);
      const b = await bound(t.ldapPort, '127.0.0.2');
      expect(await refused(t.ldapPort, '127.0.0.3')).toBe(true);
      expect(t.server.stats()).toMatchObject({ connections: 2, accepted: 2, denied: { maxConnections: 1 } });
      a.close();
      b.close();
    } finally {
      await t.server.close(500);
    }
  });
});

describe('addresses', () => {
  it('serves IPv6 and dual-stack listeners, matching IPv4-mapped clients as IPv4', async () => {
    const t = await startTestServer({
      listen: ['ldap://[::]:0', 'ldap://[::1]:0'],
      allowlist: parseAllowlist(['127.0.0.1', '::1']),
    });
    try {
      const [dual, v6] = t.server.addresses();
      expect(dual?.url).toBe(`ldap://[::]:${dual?.port}`);
      const c4 = await bound(dual?.port ?? 0); // arrives as ::ffff:127.0.0.1
      const c6 = await new Promise<WireClient>((resolve, reject) => {
        const s = connect({ port: v6?.port ?? 0, host: '::1' }, () => resolve(new WireClient(s)));
        s.once('error', reject);
      });
      c6.send(bindReq(1));
      expect((await c6.result(1)).resultCode).toBe(ResultCode.success);
      expect(await refused(dual?.port ?? 0, '127.0.0.2')).toBe(true);
      expect(t.log.started.map((s) => s.remoteAddress).sort()).toEqual(['127.0.0.1', '::1']);
      expect(t.server.stats().denied.allowlist).toBe(1);
      c4.close();
      c6.close();
    } finally {
      await t.server.close(500);
    }
  });
});

describe('idle timeout', () => {
  it('closes a connection with nothing outstanding, and not while an operation runs', async () => {
    const t = await startTestServer({ limits: { idleTimeoutMs: 300 } });
    try {
      const idle = await WireClient.plain(t.ldapPort);
      const busy = await WireClient.plain(t.ldapPort);
      const start = Date.now();
      busy.send(searchReq(1, 'cn=slow=1000'));
      await idle.whenClosed;
      expect(Date.now() - start).toBeGreaterThanOrEqual(280);
      expect(Date.now() - start).toBeLessThan(900);
      expect((await busy.result(1, 2000)).resultCode).toBe(ResultCode.success); // outlived the timeout
      expect(busy.closed).toBe(false);
      await busy.whenClosed; // then idle for 300 ms
      expect(Date.now() - start).toBeGreaterThanOrEqual(1250);
      expect(t.server.stats().idleTimeouts).toBe(2);
    } finally {
      await t.server.close(500);
    }
  });

  it('does not let a trickled partial request keep a connection alive', async () => {
    const t = await startTestServer({ limits: { idleTimeoutMs: 300 } });
    try {
      const c = await WireClient.plain(t.ldapPort);
      const pdu = searchReq(1, 'dc=example,dc=com');
      const start = Date.now();
      for (let i = 0; i < pdu.length - 1 && !c.closed; i++) {
        c.send(pdu.subarray(i, i + 1));
        await new Promise((r) => setTimeout(r, 50));
      }
      await c.whenClosed;
      expect(Date.now() - start).toBeLessThan(1000);
      expect(c.messages).toHaveLength(0);
    } finally {
      await t.server.close(500);
    }
  });
});

describe('shutdown', () => {
  it('lets running operations finish, then sends Notice of Disconnection (52) and closes', async () => {
    const t = await startTestServer({});
    const idle = await bound(t.ldapPort);
    const busy = await WireClient.plain(t.ldapPort);
    busy.send(searchReq(2, 'cn=slow=200'));
    await started(t, 'cn=slow=200');
    const start = Date.now();
    await t.server.close(2000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(150);
    expect(idle.messages.find(isNotice)?.resultCode).toBe(ResultCode.unavailable);
    expect(busy.messages.map((m) => m.id)).toEqual([2, 2, 0]);
    expect(busy.messages.find(isNotice)?.resultCode).toBe(ResultCode.unavailable);
    await Promise.all([idle.whenClosed, busy.whenClosed]);
    await expect(WireClient.plain(t.ldapPort)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('aborts operations still running at the deadline', async () => {
    const t = await startTestServer({});
    const c = await WireClient.plain(t.ldapPort);
    c.send(searchReq(1, 'cn=slow=5000'));
    await started(t, 'cn=slow=5000');
    const start = Date.now();
    await t.server.close(200);
    expect(Date.now() - start).toBeLessThan(1000);
    await c.whenClosed;
    expect(t.log.aborted).toContain(1);
  });
});

describe('start-up errors', () => {
  const options = { allowlist: parseAllowlist(['127.0.0.1']), logger: recordingLogger() };
  const handler = trivialHandler({ started: [], aborted: [], finished: [], closedConnections: 0, streamed: [] });

  it('names the URL when the address is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    const url = `ldap://127.0.0.1:${port}`;
    const server = createLdapServer({ ...options, listen: ['ldap://127.0.0.1:0', url] }, handler);
    await expect(server.start()).rejects.toThrow(`cannot listen on ${url}: address already in use`);
    await server.close(100); // the listener that did start is released
    blocker.close();
  });

  it('refuses ldaps:// without a certificate, bad URLs and unreadable TLS files', async () => {
    await expect(createLdapServer({ ...options, listen: ['ldaps://127.0.0.1:0'] }, handler).start())
      .rejects.toThrow(/ldaps:\/\/127.0.0.1:0: ldaps:\/\/ needs a TLS certificate/);
    await expect(createLdapServer({ ...options, listen: ['http://127.0.0.1:80'] }, handler).start())
      .rejects.toThrow(DirectoryError);
    await expect(createLdapServer({ ...options, listen: ['ldap://127.0.0.1:99999'] }, handler).start())
      .rejects.toThrow(/listen URL 'ldap:\/\/127.0.0.1:99999'/);
    const missing = { certFile: '/nonexistent/c.pem', keyFile: '/nonexistent/k.pem' };
    await expect(createLdapServer({ ...options, listen: ['ldap://127.0.0.1:0'], tls: missing }, handler).start())
      .rejects.toThrow(/cannot read TLS certificate\/key/);
    const plain = createLdapServer({ ...options, listen: ['ldap://127.0.0.1:0'] }, handler);
    await expect(plain.reloadTls()).rejects.toThrow(/no TLS certificate configured/);
  });
});

describe('response batching', () => {
  it('sends everything written in one tick with a single socket write', async () => {
    const server = createServer((s) => s.resume());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let writes = 0;
    // Instrument the real socket's write paths (no stand-in): count what reaches the handle.
    const s = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    const [w, wv] = [s._write.bind(socket), s._writev.bind(socket)];
    s._write = (...a) => { writes += 1; w(...a); };
    s._writev = (...a) => { writes += 1; wv(...a); };
    const out = new SocketOutput(socket, 1000, () => {});
    for (let i = 0; i < 50; i++) out.write(searchReq(i + 1, 'dc=example,dc=com'));
    await new Promise((r) => setImmediate(r));
    expect(writes).toBe(1);
    socket.destroy();
    server.close();
  });
});
