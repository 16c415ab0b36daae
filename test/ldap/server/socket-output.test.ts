import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowlist } from '../../../src/domain/ip-allowlist.js';
import { SocketOutput } from '../../../src/ldap/server/socket-output.js';
import { createTestPki, type TestPki } from '../../helpers/certs.js';
import { searchReq, Tag } from '../../helpers/ldap-wire.js';
import { startTestServer, type TestServer } from '../../helpers/ldap-test-server.js';
import { countedTlsClient, type CountedTls } from './tls-records.js';

/**
 * The connection's response output over real TLS sockets: what one tick writes leaves in one
 * TLS record (one SSL_write), in order; backpressure is reported and waited for; large responses
 * arrive intact; closing or losing the socket mid-batch neither throws nor sends later writes.
 */

let pki: TestPki;
let server: Server;
let accepted: ((socket: TLSSocket) => void)[] = [];

beforeAll(async () => {
  pki = createTestPki();
  server = createServer((raw) => {
    raw.setNoDelay(true);
    const socket = new TLSSocket(raw, { isServer: true, cert: pki.cert, key: pki.key });
    socket.on('error', () => undefined);
    socket.once('secure', () => accepted.shift()?.(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
afterAll(async () => {
  server.close();
  pki.cleanup();
});

interface Pair {
  readonly client: CountedTls;
  readonly socket: TLSSocket;
  readonly output: SocketOutput;
  readonly stalls: () => number;
}

/** A connected pair; `mark` is the record count once the handshake's trailing records are in. */
async function pair(stallMs = 30_000): Promise<Pair & { mark: number }> {
  const serverSide = new Promise<TLSSocket>((resolve) => accepted.push(resolve));
  const client = await countedTlsClient((server.address() as AddressInfo).port, pki.ca);
  const socket = await serverSide;
  let stalls = 0;
  const output = new SocketOutput(socket, stallMs, () => void stalls++);
  // A first byte through the output: every handshake record (session tickets) is in before it.
  output.write(Buffer.from([0]));
  await client.waitFor(1);
  return { client, socket, output, stalls: () => stalls, mark: client.records() };
}

const pdus = (n: number, size: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.alloc(size, i % 251));

/**
 * Writes 64 KiB chunks until the output stays full for 200 ms (the client does not read, the
 * kernel's buffers are full too); returns how many chunks went in.
 */
async function fillUntilStuck(output: SocketOutput): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let written = 1; written <= 4096; written++) {
    if (output.write(chunk)) continue;
    const drained = await Promise.race([output.drained().then(() => true), new Promise((resolve) => setTimeout(resolve, 200, false))]);
    if (!drained) return written;
  }
  throw new Error('the output never filled up');
}

describe('socket output over TLS', () => {
  it('sends what one tick writes as one TLS record, in order', async () => {
    const { client, output, mark } = await pair();
    const sent = pdus(40, 100);
    for (const pdu of sent) expect(output.write(pdu)).toBe(true);
    const got = await client.waitFor(1 + 4000);
    expect(got.subarray(1)).toEqual(Buffer.concat(sent));
    expect(client.records() - mark).toBe(1);
    // The next tick's writes are the next record.
    output.write(Buffer.from('second'));
    await client.waitFor(1 + 4000 + 6);
    expect(client.records() - mark).toBe(2);
    client.close();
  });

  it('keeps the order of small writes around a large one and delivers the large one intact', async () => {
    const { client, output, mark } = await pair();
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32BE(i, i);
    const before = Buffer.from('before');
    const after = Buffer.from('after');
    output.write(before);
    output.write(big);
    output.write(after);
    const got = await client.waitFor(1 + before.length + big.length + after.length);
    expect(got.subarray(1).equals(Buffer.concat([before, big, after]))).toBe(true);
    // TLS records carry at most 16 KiB of plaintext (RFC 8446 §5.1): no more than the minimum plus one.
    expect(client.records() - mark).toBeLessThanOrEqual(Math.ceil((before.length + big.length + after.length) / 16384) + 1);
    client.close();
  });

  it('reports backpressure and waits for the client to read before resolving drained()', async () => {
    const { client, output } = await pair();
    client.socket.pause();
    const written = await fillUntilStuck(output);
    expect(output.needsDrain).toBe(true);
    expect(output.write(Buffer.from('more'))).toBe(false);
    let drained = false;
    const waiting = output.drained().then(() => void (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(drained).toBe(false);
    client.socket.resume();
    await waiting;
    expect(drained).toBe(true);
    const total = 1 + written * 64 * 1024 + 4;
    const got = await client.waitFor(total, 30_000);
    expect(got.length).toBe(total);
    expect(got.subarray(-4).toString()).toBe('more');
    client.close();
  });

  it('calls onStall when a client stops reading for longer than the stall time', async () => {
    const { client, output, stalls } = await pair(300);
    client.socket.pause();
    await fillUntilStuck(output);
    const waiting = output.drained();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(stalls()).toBe(1);
    output.close(); // what the connection does when it gives up: pending waits end
    await waiting;
    client.close();
  });

  it('after close() drops later writes but still sends what the tick wrote before it', async () => {
    const { client, socket, output } = await pair();
    output.write(Buffer.from('kept'));
    output.close();
    expect(output.write(Buffer.from('dropped'))).toBe(false);
    expect(output.closed).toBe(true);
    await output.drained(); // resolves at once once closed
    socket.end();
    await once(client.socket, 'end');
    expect(client.received().subarray(1).toString()).toBe('kept');
  });

  it('survives the socket being destroyed mid-batch: no throw, waits end, nothing more is sent', async () => {
    const { client, socket, output } = await pair();
    client.socket.pause();
    await fillUntilStuck(output);
    const waiting = output.drained();
    output.write(Buffer.from('in the same tick'));
    socket.destroy();
    output.close(); // the connection's 'close' handler
    await waiting;
    expect(output.write(Buffer.from('after'))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.close();
  });
});

describe('responses of a real connection', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ listen: ['ldaps://127.0.0.1:0'], tls: { certFile: pki.certFile, keyFile: pki.keyFile }, allowlist: parseAllowlist(['127.0.0.1']) });
  });
  afterAll(async () => {
    await t.server.close(1000);
  });

  it('answers a search (entry and done) in one TLS record, and pipelined searches together', async () => {
    const client = await countedTlsClient(t.ldapsPort, pki.ca);
    // Wait for the handshake's trailing records (TLS 1.3 session tickets) before counting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const start = client.records();
    client.socket.write(searchReq(1, 'cn=one,dc=example,dc=com'));
    const one = await client.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(one[0]).toBe(0x30);
    expect(client.records() - start).toBe(1);
    const single = client.received().length;
    expect(client.received().includes(Tag.searchDone)).toBe(true);

    const mid = client.records();
    client.socket.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => searchReq(2 + i, 'cn=one,dc=example,dc=com'))));
    await client.waitFor(single * 11);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.received().length).toBe(single * 11);
    expect(client.records() - mid).toBe(1);
    client.close();
  });
});
