import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcPeer } from '../../src/app/worker-rpc.js';
import { DirectoryError, LdapError } from '../../src/domain/errors.js';
import { ResultCode } from '../../src/domain/result-code.js';

describe('RpcPeer (main thread ↔ LDAP worker calls)', () => {
  const channels: MessageChannel[] = [];
  const pair = (): [RpcPeer, RpcPeer] => {
    const channel = new MessageChannel();
    channels.push(channel);
    return [new RpcPeer(channel.port1), new RpcPeer(channel.port2)];
  };
  afterEach(() => channels.splice(0).forEach((c) => c.port1.close()));

  it('calls methods of exposed objects and of their nested objects, with `this` bound', async () => {
    const [main, worker] = pair();
    const users = { prefix: 'u-', async name(id: string) { return `${this.prefix}${id}`; } };
    main.expose('directory', { users, count: () => 3 });
    const remote = worker.remote<{ users: typeof users; count(): Promise<number> }>('directory');
    expect(await remote.users.name('7')).toBe('u-7');
    expect(await remote.count()).toBe(3);
    // A remote object is not a thenable: awaiting it gives it back.
    expect(typeof (await Promise.resolve(remote))).toBe('function');
  });

  it('keeps DirectoryError and LdapError with their codes, and other errors with their message', async () => {
    const [main, worker] = pair();
    main.expose('t', {
      denied: () => { throw new DirectoryError('forbidden', 'no', { field: 'x' }); },
      ldap: async () => { throw new LdapError(ResultCode.noSuchObject, 'gone', 'ou=users'); },
      plain: () => { throw new TypeError('bad'); },
    });
    const t = worker.remote<Record<'denied' | 'ldap' | 'plain' | 'missing', () => Promise<void>>>('t');
    const denied = await t.denied().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(DirectoryError);
    expect(denied).toMatchObject({ kind: 'forbidden', status: 403, resultCode: ResultCode.insufficientAccessRights, field: 'x', message: 'no' });
    const ldap = await t.ldap().catch((e: unknown) => e);
    expect(ldap).toBeInstanceOf(LdapError);
    expect(ldap).toMatchObject({ resultCode: ResultCode.noSuchObject, matchedDN: 'ou=users' });
    await expect(t.plain()).rejects.toThrow('bad');
    await expect(t.missing()).rejects.toThrow(/t\.missing is not a function/);
    await expect(worker.remote<{ x(): Promise<void> }>('nothing').x()).rejects.toThrow(/nothing exposed as "nothing"/);
  });

  it('gives Buffers back as Buffers, answers local members locally, and forwards events', async () => {
    const [main, worker] = pair();
    main.expose('b', { echo: (b: Buffer) => { expect(Buffer.isBuffer(b)).toBe(true); return Buffer.concat([b, Buffer.from('!')]); } });
    const b = worker.remote<{ echo(b: Buffer): Promise<Buffer>; mode: string }>('b', { mode: 'local' });
    const echoed = await b.echo(Buffer.from('hi'));
    expect(Buffer.isBuffer(echoed)).toBe(true);
    expect(echoed.toString()).toBe('hi!');
    expect(b.mode).toBe('local');
    const seen = new Promise((resolve) => worker.on('revision', resolve));
    main.emit('revision', 42);
    expect(await seen).toBe(42);
  });

  it('fails calls in flight and later ones once the other side is gone', async () => {
    const [main, worker] = pair();
    main.expose('slow', { wait: () => new Promise(() => undefined) });
    const pending = worker.remote<{ wait(): Promise<void> }>('slow').wait();
    worker.close(new Error('worker exited'));
    await expect(pending).rejects.toThrow('worker exited');
    await expect(worker.remote<{ wait(): Promise<void> }>('slow').wait()).rejects.toThrow('worker exited');
  });
});
