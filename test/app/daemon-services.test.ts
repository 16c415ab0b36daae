import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDaemon, type DaemonContext, type Service, type ServiceFactory } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { sendControlRequest } from '../../src/control/control-client.js';
import { controlSocketPath } from '../../src/control/protocol.js';
import { createLogger } from '../../src/log/create-logger.js';
import { createPGliteDataDir } from '../helpers/databases.js';

/** The composition root's service seam, in-process: order, context, change feed, reload, close. */
describe('startDaemon services', { timeout: 60_000 }, () => {
  let data: { path: string; remove(): Promise<void> };
  let config: Config;
  let lines: Record<string, unknown>[];
  const logger = () =>
    createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(...chunk.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
          done();
        },
      }),
    });

  beforeEach(async () => {
    data = await createPGliteDataDir();
    lines = [];
    config = loadConfig({ env: { PGDIR_DATA_DIR: data.path, PGDIR_BCRYPT__COST: '4' }, defaultPath: '/nonexistent' }).config;
  });
  afterEach(async () => {
    await data.remove();
  });

  function recorder(name: string, events: string[], overrides: Partial<Service> = {}): ServiceFactory {
    return (context: DaemonContext) => ({
      name,
      start: async () => {
        events.push(`${name}.start:${context.store.mode}`);
      },
      reload: async (next: Config) => {
        events.push(`${name}.reload:${next.log.level}`);
      },
      close: async (deadline: number) => {
        events.push(`${name}.close:${deadline > 0 ? 'deadline' : 'none'}`);
      },
      ...overrides,
    });
  }

  it('starts services in order after the store is open, and closes them in reverse', async () => {
    const events: string[] = [];
    const daemon = await startDaemon(config, logger(), { services: [recorder('ldap', events), recorder('http', events)] });
    expect(daemon.status()).toMatchObject({ state: 'ready', mode: 'pglite', services: ['ldap', 'http'] });
    expect(events).toEqual(['ldap.start:pglite', 'http.start:pglite']);
    await daemon.stop('test', 5_000);
    expect(events.slice(2)).toEqual(['http.close:deadline', 'ldap.close:deadline']);
    expect(daemon.status().state).toBe('stopped');
    expect(lines.some((l) => l.msg === 'pgdir is ready')).toBe(true);
  });

  it('announces every commit on the change feed, including commits made through the control socket', async () => {
    const seen: number[] = [];
    const feedUser: ServiceFactory = (context) => ({
      name: 'view',
      start: async () => {
        context.changes.subscribe((revision) => seen.push(revision));
      },
      close: async () => undefined,
    });
    const daemon = await startDaemon(config, logger(), { services: [feedUser] });
    const before = daemon.context.changes.revision;
    const response = await sendControlRequest(controlSocketPath(data.path), 'groups.add', { name: 'ops' });
    expect(response).toMatchObject({ ok: true, result: { name: 'ops', members: [] } });
    await daemon.context.directory.users.addUser({ username: 'zed', email: 'zed@example.com' }, { kind: 'system', name: 'test' });
    expect(seen.length).toBe(2);
    expect(seen[1]).toBeGreaterThan(seen[0] ?? Infinity);
    expect(daemon.context.changes.revision).toBe(seen[1]);
    expect(seen[0]).toBeGreaterThan(before);
    await daemon.stop('test', 5_000);
  });

  it('passes a reloaded config to the services and the logger, keeping restart-only keys', async () => {
    const events: string[] = [];
    const daemon = await startDaemon(config, logger(), { services: [recorder('ldap', events)] });
    const next = loadConfig({ env: { PGDIR_DATA_DIR: '/elsewhere', PGDIR_LOG__LEVEL: 'warn', PGDIR_LDAP__SUFFIX: 'dc=cloudron' }, defaultPath: '/nonexistent' }).config;
    const result = await daemon.reload(next);
    expect(result.restartNeeded).toEqual(['data_dir']);
    expect(events).toContain('ldap.reload:warn');
    expect(daemon.context.config.ldap.suffix).toBe('dc=cloudron');
    expect(daemon.context.config.data_dir).toBe(data.path);
    expect(daemon.context.logger.level).toBe('warn');
    await daemon.stop('test', 5_000);
  });

  it('undoes a failed start: started services closed, store and socket released, error rethrown', async () => {
    const events: string[] = [];
    const failing = recorder('http', events, {
      start: async () => {
        throw new Error('port 8080 in use');
      },
    });
    await expect(startDaemon(config, logger(), { services: [recorder('ldap', events), failing] })).rejects.toThrow('port 8080 in use');
    expect(events).toEqual(['ldap.start:pglite', 'http.close:deadline', 'ldap.close:deadline']);
    // The store lock and the socket are free again: a new daemon starts on the same data_dir.
    const again = await startDaemon(config, logger(), { services: [] });
    await again.stop('test', 5_000);
  });

  it('refuses control requests while stopping, and keeps going when a service fails to close', async () => {
    let release!: () => void;
    const closing = new Promise<void>((resolve) => (release = resolve));
    const stuck: ServiceFactory = () => ({
      name: 'stuck',
      start: async () => undefined,
      close: async () => {
        await closing;
        throw new Error('boom');
      },
    });
    const daemon = await startDaemon(config, logger(), { services: [stuck] });
    const stopped = daemon.stop('test', 5_000);
    const refused = await sendControlRequest(controlSocketPath(data.path), 'users.list', {});
    expect(refused).toEqual({ ok: false, error: { kind: 'unavailable', message: 'the pgdir daemon is shutting down; try again when it has restarted' } });
    const status = await sendControlRequest(controlSocketPath(data.path), 'status', {});
    expect(status).toMatchObject({ ok: true, result: { state: 'stopping' } });
    release();
    await stopped;
    expect(lines.some((l) => l.msg === 'service did not close cleanly' && l.service === 'stuck')).toBe(true);
    expect(daemon.status().state).toBe('stopped');
  });
});
