import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCode } from '../../../src/domain/result-code.js';
import { Oid } from '../../../src/ldap/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/ldap-test-server.js';
import { abandonReq, bindReq, extendedReq, searchReq, Tag, WireClient } from '../../helpers/ldap-wire.js';

let t: TestServer;
const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

beforeAll(async () => {
  t = await startTestServer({ limits: { maxOutstanding: 3, idleTimeoutMs: 500 } });
});
afterAll(async () => {
  await t.server.close(1000);
});

describe('operations on one connection', () => {
  it('abandon aborts the operation and suppresses its response (RFC 4511 §4.11)', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(searchReq(1, 'cn=slow=3000'));
    await until(() => t.log.started.some((s) => s.id === 1 && s.base === 'cn=slow=3000'));
    c.send(Buffer.concat([abandonReq(2, 1), searchReq(3, 'dc=example,dc=com')]));
    expect((await c.result(3)).resultCode).toBe(ResultCode.success);
    await until(() => t.log.aborted.includes(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(c.messages.some((m) => m.id === 1 || m.id === 2)).toBe(false);
    c.close();
  });

  it('abandoning an unknown or finished id is a no-op', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(Buffer.concat([abandonReq(1, 77), searchReq(2, 'dc=a')]));
    expect((await c.result(2)).resultCode).toBe(ResultCode.success);
    c.close();
  });

  it('runs searches concurrently and answers over the cap with busy (51)', async () => {
    const c = await WireClient.plain(t.ldapPort);
    const start = Date.now();
    c.send(Buffer.concat([1, 2, 3, 4].map((id) => searchReq(id, 'cn=slow=600'))));
    const busy = await c.result(4);
    expect(busy).toMatchObject({ tag: Tag.searchDone, resultCode: ResultCode.busy });
    expect(Date.now() - start).toBeLessThan(450); // answered at once, not after the others
    for (const id of [1, 2, 3]) expect((await c.result(id)).resultCode).toBe(ResultCode.success);
    expect(Date.now() - start).toBeLessThan(1100); // the three ran side by side, not 1800 ms in a row
    c.close();
  });

  it('holds a Bind until earlier operations finish, and later ones until the Bind is done (§4.2.1)', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(Buffer.concat([searchReq(1, 'cn=slow=200'), bindReq(2, 'cn=x', 'y'), searchReq(3, 'dc=example,dc=com')]));
    await c.result(3);
    const order = c.messages.filter((m) => m.resultCode !== undefined).map((m) => m.id);
    expect(order).toEqual([1, 2, 3]);
    const started = t.log.started.filter((s) => s.conn === t.log.started.at(-1)?.conn).map((s) => s.id);
    expect(started.slice(-3)).toEqual([1, 2, 3]);
    c.close();
  });

  it('answers a throwing handler with other (80) in the right response type and keeps the connection', async () => {
    const errorsBefore = t.logger.lines.filter((l) => l.level === 'error').length;
    const c = await WireClient.plain(t.ldapPort);
    c.send(searchReq(1, 'cn=throw'));
    expect(await c.result(1)).toMatchObject({ tag: Tag.searchDone, resultCode: ResultCode.other, diagnostic: 'internal error' });
    expect(t.logger.lines.filter((l) => l.level === 'error').length).toBe(errorsBefore + 1);
    c.send(searchReq(2, 'dc=a'));
    expect((await c.result(2)).resultCode).toBe(ResultCode.success);
    c.close();
  });

  it('answers StartTLS with protocolError when no certificate is configured (RFC 4511 §4.14.2)', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(extendedReq(1, Oid.startTls));
    expect(await c.result(1)).toMatchObject({ tag: Tag.extended, resultCode: ResultCode.protocolError, name: Oid.startTls });
    c.send(searchReq(2, 'dc=a'));
    expect((await c.result(2)).resultCode).toBe(ResultCode.success);
    c.close();
  });
});

describe('clients that vanish or stall', () => {
  it('survives a client disappearing in the middle of 10k entries', async () => {
    const streamsBefore = t.log.streamed.length;
    const closedBefore = t.log.closedConnections;
    const errorsBefore = t.logger.lines.filter((l) => l.level === 'error').length;
    const c = await WireClient.plain(t.ldapPort);
    c.send(searchReq(1, 'cn=many'));
    await c.until((ms) => ms.length > 100);
    c.close();
    await until(() => t.log.streamed.length > streamsBefore);
    expect(t.log.streamed.at(-1)).toBeLessThan(10_000); // stopped when the output closed
    await until(() => t.log.closedConnections > closedBefore && t.server.stats().connections === 0);
    expect(t.logger.lines.filter((l) => l.level === 'error')).toHaveLength(errorsBefore);
    const next = await WireClient.plain(t.ldapPort);
    next.send(searchReq(1, 'dc=a'));
    expect((await next.result(1)).resultCode).toBe(ResultCode.success);
    next.close();
  });

  it('drops a client that stops reading a long response, after the idle timeout', async () => {
    const streamsBefore = t.log.streamed.length;
    const c = await WireClient.plain(t.ldapPort);
    c.socket.pause(); // never read: the server's output stalls once the kernel buffers are full
    const start = Date.now();
    c.send(searchReq(1, 'cn=many'));
    // The client, not reading, cannot see the close; the server side shows it.
    await until(() => t.log.streamed.length > streamsBefore && t.server.stats().connections === 0, 5000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(450);
    expect(t.log.streamed.at(-1)).toBeLessThan(10_000);
    c.close();
  });

  it('streams all 10k entries to a client that reads', async () => {
    const c = await WireClient.plain(t.ldapPort);
    c.send(searchReq(1, 'cn=many'));
    await c.result(1, 10_000);
    expect(c.messages.filter((m) => m.tag === Tag.entry)).toHaveLength(10_000);
    c.close();
  });
});
