import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkingIntervalMs } from '../../src/http/http-server.js';
import { storeModes } from '../helpers/databases.js';
import { startApi, type Api } from './http-fixture.js';

/**
 * Issue 20 defect 8: Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval
 * (30 s by default), so the 10 s header limit cut a slow-header client after ~31.5 s. A raw socket
 * dribbles headers (or a body) and never finishes; the server must cut it at about the configured
 * time. Margins are generous: the machine is shared and loaded.
 */
const postgres = storeModes.find((m) => m.mode === 'postgres') ?? storeModes[0]!;

interface Cut {
  readonly ms: number;
  readonly reply: string;
}

/** Sends `head`, then `drip` every 300 ms until the server closes the connection. */
function slowClient(url: string, head: string, drip: string): Promise<Cut> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect({ host: hostname, port: Number(port) });
    let reply = '';
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`not cut within 60 s; got ${JSON.stringify(reply)}`));
    }, 60_000);
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => socket.writable && socket.write(drip), 300);
    });
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ ms: Date.now() - started, reply });
    });
  });
}

const slowHeaders = (url: string): Promise<Cut> => slowClient(url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n');
const slowBody = (url: string): Promise<Cut> =>
  slowClient(url, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"identifier":"', 'a');

describe('slow clients are cut at about the configured time', () => {
  describe('with the defaults (headers 10 s)', () => {
    let api: Api;
    beforeAll(async () => {
      api = await startApi(postgres);
    });
    afterAll(async () => {
      await api?.close();
    });

    it('a client that never finishes its headers is cut after ~10 s (was ~31.5 s), with 408', async () => {
      const cut = await slowHeaders(api.base);
      expect(cut.ms).toBeGreaterThan(9_000);
      expect(cut.ms).toBeLessThan(16_000);
      expect(cut.reply).toMatch(/^HTTP\/1\.1 408/);
    }, 70_000);
  });

  describe('with http.headers_timeout 2s and http.request_timeout 4s', () => {
    let api: Api;
    beforeAll(async () => {
      api = await startApi(postgres, { headersTimeoutMs: 2_000, requestTimeoutMs: 4_000 });
    });
    afterAll(async () => {
      await api?.close();
    });

    it('slow headers are cut after ~2 s', async () => {
      const cut = await slowHeaders(api.base);
      expect(cut.ms).toBeGreaterThan(1_500);
      expect(cut.ms).toBeLessThan(6_000);
      expect(cut.reply).toMatch(/^HTTP\/1\.1 408/);
    }, 70_000);

    it('a body sent slowly is cut after ~4 s (the whole-request bound)', async () => {
      const cut = await slowBody(api.base);
      expect(cut.ms).toBeGreaterThan(3_500);
      expect(cut.ms).toBeLessThan(9_000);
      expect(cut.reply).toMatch(/^HTTP\/1\.1 408/);
    }, 70_000);

    it('a normal request on the same server is unaffected', async () => {
      expect((await api.call('GET', '/healthz')).status).toBe(200);
    });
  });

  it('the sweep runs every tenth of the shorter limit, between 100 ms and 1 s', () => {
    expect(checkingIntervalMs(10_000, 60_000)).toBe(1000);
    expect(checkingIntervalMs(2_000, 4_000)).toBe(200);
    expect(checkingIntervalMs(500, 60_000)).toBe(100);
  });
});
