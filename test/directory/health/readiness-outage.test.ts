import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, createTestDatabase, TEST_SERVER_URL } from '../../helpers/databases.js';
import { runPgdir, startServe, waitFor, waitReady, writeTestConfig, type ServeProcess } from '../../helpers/pgdir-process.js';
import { StallProxy } from '../../helpers/stall-proxy.js';

/**
 * Issue 20, defects 3 and 9: a real `pgdir serve` whose PostgreSQL becomes unreachable without
 * the connection closing (a TCP proxy that stops forwarding and black-holes new connections).
 * /readyz must answer 503 with the reason within the check timeout (2 s by default) instead of
 * hanging, and `pgdir healthcheck` / `pgdir status` must say the same thing.
 */
describe('readiness while the database connection is stalled', { timeout: 120_000 }, () => {
  let database: { url: string; drop(): Promise<void> };
  let data: { path: string; remove(): Promise<void> };
  let proxy: StallProxy;
  let config: string;
  let httpUrl: string;
  let serve: ServeProcess | undefined;

  const readyz = async (): Promise<{ status: number; body: Record<string, unknown>; ms: number }> => {
    const started = Date.now();
    const res = await fetch(`${httpUrl}/readyz`, { signal: AbortSignal.timeout(20_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, ms: Date.now() - started };
  };
  const cli = (...args: string[]) => runPgdir([...args, '--config', config], { cwd: data.path });

  beforeAll(async () => {
    const server = new URL(TEST_SERVER_URL);
    [database, data, proxy] = await Promise.all([
      createTestDatabase(),
      createTempDir('pgdir-outage-'),
      StallProxy.start({ host: server.hostname, port: Number(server.port || 5432) }),
    ]);
    config = await writeTestConfig(data.path, data.path, `database:\n  url: ${JSON.stringify(proxy.url(database.url))}\n`);
    const listen = /http:\n {2}listen: (\S+)/.exec(await readFile(config, 'utf8'))?.[1];
    httpUrl = `http://${listen}`;
    serve = startServe(config, data.path);
    await waitReady(serve, data.path);
  });
  afterAll(async () => {
    proxy?.resume();
    if (serve?.child.exitCode === null) {
      serve.child.kill('SIGKILL');
      await serve.exited;
    }
    await proxy?.close();
    await Promise.all([database?.drop(), data?.remove()]);
  });

  it('is ready, healthy and says so everywhere while the database answers', async () => {
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', checks: { store: 'ok', ldap: 'ok', replication: 'ok' } } });
    const health = await cli('healthcheck');
    expect(health.stderr).toBe('');
    expect(health.stdout).toMatch(/^healthy: pid \d+, postgres, revision \d+\n$/);
    expect(health.code).toBe(0);
    expect((await cli('status')).stdout).toMatch(/^state: {4}ready\n/);
  });

  it('answers /readyz 503 with the reason within the bound, and healthcheck and status agree', async () => {
    proxy.stallAll();
    // Several at once: they share one database read, so the stall cannot exhaust the pool either.
    const answers = await Promise.all([readyz(), readyz(), readyz()]);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        status: 'degraded',
        checks: { store: 'failing', ldap: 'ok' },
        reasons: { store: 'the database did not answer within 2000 ms' },
      });
      expect(answer.ms).toBeGreaterThanOrEqual(1_900);
      expect(answer.ms).toBeLessThan(8_000); // 2 s bound plus a loaded machine's slack (it hung 45 s before)
    }
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200); // alive, just not ready

    const health = await cli('healthcheck');
    expect(health.code).toBe(1);
    expect(health.stdout).toBe('');
    expect(health.stderr).toMatch(/^unhealthy: the daemon \(pid \d+\) is not ready: store: the database did not answer within 2000 ms\n$/);

    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^state: {4}degraded\nreason: {3}store: the database did not answer within 2000 ms\npid:/);
    const json = JSON.parse((await cli('status', '--json')).stdout) as { state: string; readiness: Record<string, unknown> };
    expect(json.state).toBe('ready'); // the lifecycle state; readiness says the rest
    expect(json.readiness).toMatchObject({ ready: false, checks: { store: 'failing' }, reasons: { store: 'the database did not answer within 2000 ms' } });
  });

  it('is ready again once the database answers', async () => {
    proxy.resume();
    await waitFor('ready again', async () => ((await readyz()).status === 200 ? true : undefined), 20_000);
    const health = await cli('healthcheck');
    expect(health.code).toBe(0);
    expect((await cli('status')).stdout).toMatch(/^state: {4}ready\n/);
  });
});
