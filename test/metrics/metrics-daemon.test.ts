import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { AdminLimitExceededError, Client, InvalidCredentialsError, NoSuchObjectError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultServices, startDaemon, type Daemon, type Service } from '../../src/app.js';
import { systemActor } from '../../src/domain/actor.js';
import { loadConfig } from '../../src/config/index.js';
import type { HttpService } from '../../src/http/http-service.js';
import type { LdapService } from '../../src/ldap/ldap-service.js';
import { createLogger } from '../../src/log/create-logger.js';
import { JC_SUFFIX, jumpcloudConnectorYaml, jumpcloudLdif } from '../connector/connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { parsePrometheusText, sample, type Exposition } from '../helpers/prometheus-text.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

const SUFFIX = 'dc=example,dc=com';

/**
 * GET /metrics of `pgdir serve` (the real composition root, defaultServices) after known LDAP and
 * sync traffic: exact counter values and labels, and a well-formed Prometheus text exposition.
 */
describe.skipIf(!slapdAvailable()).each(storeModes)('metrics of the daemon on $mode', (mode) => {
  let fixture: StoreFixture;
  let slapd: TestSlapd;
  let daemon: Daemon;
  let ldap: LdapService;
  let http: HttpService;
  let ownerToken: string;
  let ids: { boss: string; eve: string };

  const userDn = (id: string) => `cn=uid-${id},ou=users,${SUFFIX}`;
  const ldapUrl = () => ldap.server.addresses()[0]?.url ?? '';
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${http.address().url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ownerToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const scrape = async (): Promise<{ text: string; parsed: Exposition; contentType: string | null }> => {
    const res = await fetch(`${http.address().url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    return { text, parsed: parsePrometheusText(text), contentType: res.headers.get('content-type') };
  };

  beforeAll(async () => {
    [fixture, slapd] = await Promise.all([mode.create(), startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif() })]);
    const file = join(fixture.options.dataDir, 'pgdir.yaml');
    const yaml = [
      `data_dir: ${fixture.options.dataDir}`,
      ...(fixture.url === undefined ? [] : ['database:', `  url: ${fixture.url}`]),
      'http:',
      '  listen: 127.0.0.1:0',
      'ldap:',
      `  suffix: ${SUFFIX}`,
      '  listen: [ "ldap://127.0.0.1:0" ]',
      '  allowlist: [ "127.0.0.1" ]',
      '  admin_password: admin-secret-for-tests',
      '  limits:',
      '    max_filter_nodes: 50',
      'auth_throttle:',
      '  max_failures: 2',
      'bcrypt:',
      '  cost: 4',
      ...jumpcloudConnectorYaml(slapd, READER_PASSWORD),
    ].join('\n');
    await writeFile(file, yaml);
    const { config } = loadConfig({ path: file, env: {} });
    // The production service list, with each service captured for its listening address.
    const capture = (service: Service): Service => {
      if (service.name === 'ldap') ldap = service as LdapService;
      if (service.name === 'http') http = service as HttpService;
      return service;
    };
    const services = defaultServices().map((factory) => async (ctx: Parameters<typeof factory>[0]) => capture(await factory(ctx)));
    daemon = await startDaemon(config, createLogger({ level: 'silent' }), { services });
    const users = daemon.context.directory.users;
    const boss = await users.addUser({ username: 'boss', email: 'boss@example.com', password: 'boss password', role: 'owner' }, systemActor());
    const eve = await users.addUser({ username: 'eve', email: 'eve@example.com', password: 'eve password', role: 'user' }, systemActor());
    ids = { boss: boss.id, eve: eve.id };
    const login = await fetch(`${http.address().url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'boss', password: 'boss password' }),
    });
    ownerToken = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await daemon?.stop('test', 5000);
    await Promise.all([fixture?.cleanup(), slapd?.cleanup()]);
  });

  it('starts with zeroed LDAP connection and sync series', async () => {
    const { parsed } = await scrape();
    expect(sample(parsed, 'pgdir_ldap_connections')).toBe(0);
    expect(sample(parsed, 'pgdir_ldap_connections_accepted_total')).toBe(0);
    expect(sample(parsed, 'pgdir_ldap_connections_refused_total', { reason: 'allowlist' })).toBe(0);
    expect(sample(parsed, 'pgdir_sync_runs_total', { result: 'ok' })).toBe(0);
    expect(parsed.types.get('pgdir_ldap_operation_duration_seconds')).toBe('histogram');
  });

  it('counts binds by outcome, operations by result, the filter limit and refused connections', async () => {
    const client = new Client({ url: ldapUrl() });
    await client.bind('', ''); // anonymous
    await client.bind(userDn(ids.boss), 'boss password');
    const found = await client.search(SUFFIX, { scope: 'sub', filter: '(uid=boss)' });
    expect(found.searchEntries).toHaveLength(1);
    await expect(client.search(`ou=nowhere,${SUFFIX}`, { scope: 'sub', filter: '(objectClass=*)' })).rejects.toThrow(NoSuchObjectError);
    // 60 nodes against max_filter_nodes 50: that search is answered 11 (adminLimitExceeded), and the
    // connection stays usable (it used to be dropped with a protocolError notice).
    const wide = `(|${Array.from({ length: 59 }, (_, i) => `(uid=u${i})`).join('')})`;
    const refused = await client.search(SUFFIX, { scope: 'sub', filter: wide }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AdminLimitExceededError);
    expect((refused as Error).message).toMatch(/filter has more than 50 nodes/);
    // 33 levels against the default max_filter_depth 32: the same, on the same connection.
    const deep = `${'(!'.repeat(32)}(uid=x)${')'.repeat(32)}`;
    await expect(client.search(SUFFIX, { scope: 'sub', filter: deep })).rejects.toThrow(/filter nested deeper than 32 levels/);
    const again = await client.search(SUFFIX, { scope: 'sub', filter: '(uid=boss)' });
    expect(again.searchEntries).toHaveLength(1);
    // Two wrong passwords for eve reach max_failures 2; the third attempt is throttled.
    for (let i = 0; i < 3; i++) await expect(client.bind(userDn(ids.eve), 'wrong')).rejects.toThrow(InvalidCredentialsError);
    await client.unbind();
    // From 127.0.0.2, outside the allowlist: destroyed at accept.
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: ldap.server.addresses()[0]?.port ?? 0, localAddress: '127.0.0.2' });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    await eventually(async () => sample((await scrape()).parsed, 'pgdir_ldap_connections'), (open) => open === 0);

    const { parsed } = await scrape();
    expect(samples(parsed, 'pgdir_ldap_binds_total')).toEqual({
      '{outcome="anonymous"}': 1,
      '{outcome="success"}': 1,
      '{outcome="invalid_credentials"}': 2,
      '{outcome="throttled"}': 1,
    });
    expect(samples(parsed, 'pgdir_ldap_operations_total')).toEqual({
      '{op="bind",result="success"}': 2,
      '{op="bind",result="invalidCredentials"}': 3,
      '{op="search",result="success"}': 2,
      '{op="search",result="noSuchObject"}': 1,
    });
    expect(sample(parsed, 'pgdir_ldap_operation_duration_seconds_count', { op: 'search' })).toBe(3);
    expect(sample(parsed, 'pgdir_ldap_operation_duration_seconds_bucket', { op: 'bind', le: '+Inf' })).toBe(5);
    expect(sample(parsed, 'pgdir_ldap_operation_duration_seconds_sum', { op: 'bind' })).toBeGreaterThan(0);
    expect(sample(parsed, 'pgdir_ldap_filter_limit_exceeded_total')).toBe(2);
    expect(sample(parsed, 'pgdir_ldap_connections_accepted_total')).toBe(1);
    expect(samples(parsed, 'pgdir_ldap_connections_refused_total')).toEqual({
      '{reason="allowlist"}': 1,
      '{reason="max_connections"}': 0,
      '{reason="max_connections_per_ip"}': 0,
    });
    expect(sample(parsed, 'pgdir_ldap_protocol_errors_total')).toBe(0);
    expect(sample(parsed, 'pgdir_ldap_connections')).toBe(0);
  });

  it('counts sync runs by result with the last run time and duration', async () => {
    const ok = await api('POST', '/api/v1/sync', {});
    expect(ok.status).toBe(200);
    const first = await scrape();
    expect(sample(first.parsed, 'pgdir_sync_runs_total', { result: 'ok' })).toBe(1);
    const lastSuccess = sample(first.parsed, 'pgdir_sync_last_success_timestamp_seconds') ?? 0;
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(60);
    expect(sample(first.parsed, 'pgdir_sync_last_run_timestamp_seconds')).toBe(lastSuccess);
    expect(sample(first.parsed, 'pgdir_sync_last_run_duration_seconds')).toBeGreaterThan(0);
    expect(sample(first.parsed, 'pgdir_sync_changes_total', { kind: 'user', action: 'create' })).toBeGreaterThan(0);

    await slapd.stop();
    const failed = await api('POST', '/api/v1/sync', {});
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const second = await scrape();
    expect(samples(second.parsed, 'pgdir_sync_runs_total')).toEqual({ '{result="ok"}': 1, '{result="failed"}': 1, '{result="busy"}': 0 });
    expect(sample(second.parsed, 'pgdir_sync_last_success_timestamp_seconds')).toBe(lastSuccess);
    expect(sample(second.parsed, 'pgdir_sync_last_run_timestamp_seconds')).toBeGreaterThanOrEqual(lastSuccess);
  });

  it('serves valid Prometheus text with the HTTP series on the same registry', async () => {
    const { text, parsed, contentType } = await scrape();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.endsWith('\n')).toBe(true);
    // parsePrometheusText threw on any malformed line, undeclared family or non-monotonic buckets.
    expect(sample(parsed, 'pgdir_http_requests_total', { method: 'POST', route: '/api/v1/auth/login', status: '200' })).toBe(1);
    expect(sample(parsed, 'pgdir_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(3);
    expect(parsed.types.get('pgdir_ldap_binds_total')).toBe('counter');
    expect(parsed.types.get('pgdir_ldap_connections')).toBe('gauge');
  });
});

/** Every sample of one metric, keyed by its label text. */
function samples(parsed: Exposition, name: string): Record<string, number> {
  return Object.fromEntries(parsed.samples.filter((s) => s.name === name).map((s) => [s.labelText, s.value]));
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const until = Date.now() + 3000;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}
