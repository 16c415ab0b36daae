import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCode } from '../../../src/domain/result-code.js';
import { Oid } from '../../../src/ldap/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/ldap-test-server.js';
import { bindReq, message, searchReq, str, Tag, tlv, unbindReq, WireClient } from '../../helpers/ldap-wire.js';

const MAX_PDU = 64 * 1024;
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ limits: { maxPduBytes: MAX_PDU, maxOutstanding: 200 } });
});
afterAll(async () => {
  await t.server.close(1000);
});

const isNotice = (m: { id: number; name?: string }) => m.id === 0 && m.name === Oid.noticeOfDisconnection;

describe('framing', () => {
  it('answers a bind and a search delivered one byte per TCP segment', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.socket.setNoDelay(true);
    const bytes = Buffer.concat([bindReq(1, 'cn=x', 'secret'), searchReq(2, 'dc=example,dc=com')]);
    for (const byte of bytes) {
      c.send(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 1)); // separate segments, not one coalesced write
    }
    expect((await c.result(1)).resultCode).toBe(ResultCode.success);
    const done = await c.result(2);
    expect(done.tag).toBe(Tag.searchDone);
    expect(c.messages.map((m) => [m.id, m.tag])).toEqual([[1, Tag.bind], [2, Tag.entry], [2, Tag.searchDone]]);
    c.close();
  });

  it('answers 100 searches pipelined in one write, in order per message id, in few writes', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(Buffer.concat(Array.from({ length: 100 }, (_, i) => searchReq(i + 1, 'dc=example,dc=com'))));
    await c.until((ms) => ms.filter((m) => m.tag === Tag.searchDone).length === 100);
    for (let id = 1; id <= 100; id++) {
      expect(c.messages.filter((m) => m.id === id).map((m) => m.tag)).toEqual([Tag.entry, Tag.searchDone]);
    }
    // All 200 responses were produced in one tick and corked into one write.
    expect(c.chunks).toBeLessThanOrEqual(3);
    c.close();
  });

  it('refuses a 100 MB length header with a notice and without allocating it', async () => {
    const before = process.memoryUsage();
    const c = await WireClient.plain(t.ldapPort);
    c.send(Buffer.from([0x30, 0x84, 0x06, 0x40, 0x00, 0x00, 0x02, 0x01, 0x01]));
    c.send(Buffer.alloc(256 * 1024, 0x41)); // the start of the "body" keeps coming; it is discarded
    await c.whenClosed;
    const notice = c.messages.find(isNotice);
    expect(notice?.resultCode).toBe(ResultCode.protocolError);
    expect(notice?.diagnostic).toMatch(/exceeds/);
    const after = process.memoryUsage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(20 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(50 * 1024 * 1024);
  });

  it('enforces the max PDU size exactly, header included', async () => {
    const base = (size: number) => 'x'.repeat(size);
    const fits = searchReq(1, base(MAX_PDU - 100));
    const padded = searchReq(1, base(MAX_PDU - 100 + (MAX_PDU - fits.length)));
    expect(padded.length).toBe(MAX_PDU);
    const ok = await WireClient.plain(t.ldapPort);
    ok.send(padded);
    expect((await ok.result(1)).resultCode).toBe(ResultCode.success);
    ok.close();
    const tooBig = await WireClient.plain(t.ldapPort);
    tooBig.send(searchReq(1, base(MAX_PDU - 100 + (MAX_PDU - fits.length) + 1)));
    await tooBig.whenClosed;
    expect(tooBig.messages.find(isNotice)?.resultCode).toBe(ResultCode.protocolError);
    expect(tooBig.messages.some((m) => m.id === 1)).toBe(false);
  });

  it('answers a malformed PDU with a protocolError notice and closes (RFC 4511 §4.1.1)', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(Buffer.concat([searchReq(1, 'dc=a'), message(2, tlv(0x7f, str('?'))), searchReq(3, 'dc=a')]));
    await c.whenClosed;
    expect(c.messages.map((m) => m.id)).toEqual([1, 1, 0]);
    expect(c.messages.find(isNotice)?.resultCode).toBe(ResultCode.protocolError);
  });

  it('closes on a stream that is not LDAP at all', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await c.whenClosed;
    expect(c.messages.find(isNotice)?.resultCode).toBe(ResultCode.protocolError);
  });

  it('closes the connection on Unbind without a response (RFC 4511 §4.3)', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(Buffer.concat([bindReq(1), unbindReq(2)]));
    await c.whenClosed;
    expect(c.messages.map((m) => m.id)).toEqual([1]);
  });
});
