import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/actor.js';
import { storeModes } from '../helpers/databases.js';
import { parsePrometheusText, sample } from '../helpers/prometheus-text.js';
import { PASSWORD, startApi, type Api } from './http-fixture.js';

describe.each(storeModes)('HTTP API core on $mode', (mode) => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi(mode, { sessionTtlMs: 60 * 60 * 1000 });
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('operations endpoints', () => {
    it('GET /healthz and /readyz answer ok', async () => {
      expect(await api.call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await api.call('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', checks: { store: 'ok' } } });
    });

    it('GET /metrics counts requests by route pattern and status', async () => {
      await api.call('GET', '/api/v1/nope');
      await api.call('GET', '/healthz');
      const res = await api.call('GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.text).toMatch(/^# HELP pgdir_http_requests_total /m);
      // Label order within a sample is not significant (prom-client writes `le` first).
      const parsed = parsePrometheusText(res.text);
      expect(sample(parsed, 'pgdir_http_requests_total', { method: 'GET', route: '/healthz', status: '200' })).toBeGreaterThanOrEqual(1);
      expect(sample(parsed, 'pgdir_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
      expect(sample(parsed, 'pgdir_http_request_duration_seconds_bucket', { method: 'GET', route: '/healthz', le: '+Inf' })).toBeGreaterThanOrEqual(1);
    });

    it('serves an OpenAPI 3.1 document built from the request schemas', async () => {
      const res = await api.call('GET', '/api/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      const login = res.body.paths['/api/v1/auth/login'].post;
      expect(login.requestBody.content['application/json'].schema).toMatchObject({
        type: 'object',
        required: expect.arrayContaining(['identifier', 'password']),
        additionalProperties: false,
      });
      expect(res.body.paths['/api/v1/tokens/{id}'].delete.security).toEqual([{ bearer: [] }]);
    });
  });

  describe('errors', () => {
    it('404 for an unknown path, 405 with Allow for a known path with another method', async () => {
      const missing = await api.call('GET', '/api/v1/nothing-here');
      expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      const wrong = await api.call('DELETE', '/api/v1/auth/login');
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('POST');
    });

    it('400 for malformed JSON, 415 for another media type, 400 with the field for a bad value', async () => {
      const broken = await api.call('POST', '/api/v1/auth/login', { raw: '{"identifier":', contentType: 'application/json' });
      expect(broken).toMatchObject({ status: 400, body: { error: { code: 'invalid', message: expect.stringMatching(/not valid JSON/) } } });
      const form = await api.call('POST', '/api/v1/auth/login', { raw: 'identifier=x', contentType: 'application/x-www-form-urlencoded' });
      expect(form).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
      const typed = await api.call('POST', '/api/v1/auth/login', { body: { identifier: 5, password: 'x' } });
      expect(typed).toMatchObject({ status: 400, body: { error: { code: 'invalid', field: 'identifier' } } });
      const extra = await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'a', password: 'b', admin: true } });
      expect(extra).toMatchObject({ status: 400, body: { error: { field: 'admin', message: 'unknown field "admin"' } } });
      const none = await api.call('POST', '/api/v1/auth/login');
      expect(none).toMatchObject({ status: 400, body: { error: { message: 'a JSON body is required' } } });
    });

    it('413 for a body over the limit, declared or streamed', async () => {
      const big = JSON.stringify({ identifier: 'x'.repeat(1024 * 1024 + 10), password: 'y' });
      const res = await api.call('POST', '/api/v1/auth/login', { raw: big, contentType: 'application/json' });
      expect(res).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
      const url = new URL('/api/v1/auth/login', api.base);
      const stream = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(100_000)));
          controller.close();
        },
      });
      const chunked = await fetch(url, { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
      expect(chunked.status).toBe(413);
      // The server is still fine afterwards.
      expect((await api.call('GET', '/healthz')).status).toBe(200);
    });
  });

  describe('login and sessions', () => {
    it('logs in by username or email and returns a token, its expiry and the user', async () => {
      const before = Date.now();
      for (const identifier of ['owner', 'OWNER@example.com']) {
        const res = await api.call('POST', '/api/v1/auth/login', { body: { identifier, password: PASSWORD } });
        expect(res.status).toBe(200);
        expect(res.body.token).toMatch(/^pgdir_[A-Za-z0-9_-]{43}$/);
        expect(Date.parse(res.body.expiresAt) - before).toBeGreaterThan(59 * 60 * 1000);
        expect(res.body.user).toMatchObject({ username: 'owner', role: 'owner', active: true });
        expect(res.body.user).not.toHaveProperty('passwordHash');
      }
      const audit = await api.store.listAudit({ action: 'http.login', limit: 5 });
      expect(audit[0]).toMatchObject({ actor: api.owner.id, result: 'ok', ip: '127.0.0.1' });
    });

    it('stores only the hash of a token', async () => {
      const token = await api.login('owner', PASSWORD);
      const { createHash } = await import('node:crypto');
      const hash = createHash('sha256').update(token).digest('hex');
      const found = await api.store.apiTokens.findByHash(hash);
      expect(found).toMatchObject({ userId: api.owner.id, kind: 'session', scope: 'readwrite' });
    });

    it('answers every failed login with the same 401 and feeds the throttle', async () => {
      await api.userWithToken('victim', 'user');
      const bad = [
        { identifier: 'victim', password: 'wrong password' },
        { identifier: 'nobody-here', password: PASSWORD },
        { identifier: 'nobody@example.com', password: PASSWORD },
      ];
      const messages = new Set<string>();
      for (const body of bad) {
        const res = await api.call('POST', '/api/v1/auth/login', { body });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        messages.add(res.body.error.message);
      }
      expect([...messages]).toEqual(['invalid username, email or password']);
      const failures = await api.store.listAudit({ action: 'http.login', limit: 3 });
      expect(failures.map((a) => a.result)).toEqual(['failed', 'failed', 'failed']);
      // Four more wrong passwords (five in the window), then even the right one is refused.
      for (let i = 0; i < 4; i++) await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'victim', password: 'wrong' } });
      const right = await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'victim', password: PASSWORD } });
      expect(right.status).toBe(401);
      expect((await api.store.listAudit({ action: 'http.login', limit: 1 }))[0]?.details).toEqual({ reason: 'throttled' });
    });

    it('refuses a missing, malformed or unknown token with 401', async () => {
      const variants: Record<string, string>[] = [{}, { authorization: 'Basic b3duZXI6eA==' }, { authorization: 'Bearer pgdir_nope' }];
      for (const headers of variants) {
        const res = await api.call('GET', '/api/v1/tokens', { headers });
        expect(res).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
      }
    });

    it('logout ends the session at once', async () => {
      const token = await api.login('owner', PASSWORD);
      expect((await api.call('GET', '/api/v1/tokens', { token })).status).toBe(200);
      expect((await api.call('POST', '/api/v1/auth/logout', { token })).status).toBe(204);
      expect((await api.call('GET', '/api/v1/tokens', { token })).status).toBe(401);
    });

    it('ends sessions when the user is disabled (and they stay dead after re-enabling), deleted, or changes password', async () => {
      const { user, token } = await api.userWithToken('sessions', 'usermanager');
      const second = await api.login('sessions', PASSWORD);
      expect((await api.call('GET', '/api/v1/tokens', { token })).status).toBe(200);
      await api.directory.users.setActive(user.id, false, systemActor());
      expect((await api.call('GET', '/api/v1/tokens', { token })).status).toBe(401);
      await api.directory.users.setActive(user.id, true, systemActor());
      expect((await api.call('GET', '/api/v1/tokens', { token })).status).toBe(401);
      expect((await api.call('GET', '/api/v1/tokens', { token: second })).status).toBe(401);

      const third = await api.login('sessions', PASSWORD);
      await api.directory.users.setPassword(user.id, 'another password', systemActor());
      expect((await api.call('GET', '/api/v1/tokens', { token: third })).status).toBe(401);
      const fourth = await api.login('sessions', 'another password');
      expect((await api.call('GET', '/api/v1/tokens', { token: fourth })).status).toBe(200);
      await api.directory.users.deleteUser(user.id, systemActor());
      expect((await api.call('GET', '/api/v1/tokens', { token: fourth })).status).toBe(401);
    });

    it('a disabled user cannot log in, with the same message', async () => {
      const { user } = await api.userWithToken('disabled', 'user');
      await api.directory.users.setActive(user.id, false, systemActor());
      const res = await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'disabled', password: PASSWORD } });
      expect(res).toMatchObject({ status: 401, body: { error: { message: 'invalid username, email or password' } } });
    });
  });

  describe('API tokens', () => {
    it('creates, lists and revokes tokens; the value is shown once', async () => {
      const created = await api.call('POST', '/api/v1/tokens', { token: api.ownerToken, body: { name: 'backup script', scope: 'readwrite', expiresInDays: 30 } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'backup script', scope: 'readwrite', token: expect.stringMatching(/^pgdir_/) });
      const list = await api.call('GET', '/api/v1/tokens', { token: api.ownerToken });
      const listed = list.body.items.find((t: { id: string }) => t.id === created.body.id);
      expect(listed).toMatchObject({ name: 'backup script' });
      expect(listed).not.toHaveProperty('token');
      expect((await api.call('GET', '/api/v1/tokens', { token: created.body.token })).status).toBe(200);
      expect((await api.call('DELETE', `/api/v1/tokens/${created.body.id}`, { token: api.ownerToken })).status).toBe(204);
      expect((await api.call('GET', '/api/v1/tokens', { token: created.body.token })).status).toBe(401);
      expect((await api.call('DELETE', `/api/v1/tokens/${created.body.id}`, { token: api.ownerToken })).status).toBe(404);
      const audit = await api.store.listAudit({ limit: 2 });
      expect(audit.map((a) => a.action)).toEqual(['token.delete', 'token.create']);
    });

    it('a read token reads but gets 403 on writes', async () => {
      const created = await api.call('POST', '/api/v1/tokens', { token: api.ownerToken, body: { name: 'monitor', scope: 'read' } });
      const read = created.body.token as string;
      expect(created.body.expiresAt).toBeNull();
      expect((await api.call('GET', '/api/v1/tokens', { token: read })).status).toBe(200);
      const write = await api.call('POST', '/api/v1/tokens', { token: read, body: { name: 'x', scope: 'readwrite' } });
      expect(write).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    });

    it('validates the scope', async () => {
      const res = await api.call('POST', '/api/v1/tokens', { token: api.ownerToken, body: { name: 'x', scope: 'all' } });
      expect(res).toMatchObject({ status: 400, body: { error: { field: 'scope' } } });
    });
  });
});

describe('session expiry', () => {
  it('a session stops working when it expires', async () => {
    const pglite = storeModes.find((m) => m.mode === 'pglite');
    if (pglite === undefined) throw new Error('no PGlite mode');
    const api = await startApi(pglite, { sessionTtlMs: 300 });
    try {
      expect((await api.call('GET', '/api/v1/tokens', { token: api.ownerToken })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 400));
      expect((await api.call('GET', '/api/v1/tokens', { token: api.ownerToken })).status).toBe(401);
    } finally {
      await api.close();
    }
  });
});

describe('shutdown', () => {
  it('closes promptly with idle keep-alive connections, and cuts a stalled upload at the deadline', async () => {
    const pglite = storeModes.find((m) => m.mode === 'pglite');
    if (pglite === undefined) throw new Error('no PGlite mode');
    const api = await startApi(pglite);
    try {
      expect((await api.call('GET', '/healthz')).status).toBe(200); // leaves an idle keep-alive socket
      const { connect } = await import('node:net');
      const { port } = api.service.address();
      const stalled = connect(port, '127.0.0.1');
      await new Promise((r) => stalled.once('connect', r));
      stalled.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id');
      const closedSocket = new Promise((r) => stalled.once('close', r));
      const started = Date.now();
      await api.service.close(300);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(2000);
      await closedSocket;
      await expect(fetch(`${api.base}/healthz`)).rejects.toThrow();
    } finally {
      await api.close();
    }
  });
});
