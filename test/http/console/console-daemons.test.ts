import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/domain/actor.js';
import { base32Decode, hotp, totpStep } from '../../../src/crypto/totp.js';
import { createAuthThrottle } from '../../../src/directory/auth/auth-throttle.js';
import { createDirectoryServices, type DirectoryServices } from '../../../src/directory/directory-services.js';
import { createHttpService, type HttpService } from '../../../src/http/http-service.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';
import { PASSWORD } from '../http-fixture.js';
import { ConsoleClient } from './console-client.js';

/**
 * What needs more than one daemon, or a database without an owner: the sign-in's two-factor step
 * sealed by one daemon and finished on another sharing the store and the data directory (a
 * restart or a second replica), and the first-run owner set-up raced by concurrent posts.
 */
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

interface Daemon {
  readonly store: Store;
  readonly directory: DirectoryServices;
  readonly service: HttpService;
  readonly base: string;
}

/** A daemon's HTTP side over `store` with the data directory of `fixture` (its `totp.key`). */
async function daemon(fixture: StoreFixture, store: Store): Promise<Daemon> {
  const directory = createDirectoryServices({ store, bcryptCost: 4, dataDir: fixture.options.dataDir });
  const throttle = createAuthThrottle({ store, maxFailures: 5, windowMs: 60_000 });
  const service = createHttpService({ listen: '127.0.0.1:0', directory, throttle, logger: quiet, version: 'test' });
  await service.start();
  return { store, directory, service, base: service.address().url };
}

describe.each(storeModes)('console across daemons on $mode', (mode) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  /** Two daemons on one database: a second store on PostgreSQL, the same store on PGlite (one process only). */
  async function twoDaemons(): Promise<[Daemon, Daemon]> {
    const fixture = await mode.create();
    cleanups.push(() => fixture.cleanup());
    const first = await openStore({ ...fixture.options });
    cleanups.push(() => first.close());
    const second = mode.mode === 'postgres' ? await openStore({ ...fixture.options }) : first;
    if (second !== first) cleanups.push(() => second.close());
    const a = await daemon(fixture, first);
    cleanups.push(() => a.service.close(1000));
    const b = await daemon(fixture, second);
    cleanups.push(() => b.service.close(1000));
    return [a, b];
  }

  it('the two-factor step sealed by one daemon is accepted by another on the same store; a stranger key refuses it', async () => {
    const [a, b] = await twoDaemons();
    const user = await a.directory.users.addUser({ username: 'tfa', email: 'tfa@example.com', password: PASSWORD, role: 'user' }, systemActor());
    const { secret } = await a.directory.lifecycle.twoFactor.newSecret(user);
    const code = (step: number) => hotp(base32Decode(secret), step);
    await a.directory.lifecycle.twoFactor.enable(user, code(totpStep(Date.now())), '127.0.0.1');

    const first = await new ConsoleClient(a.base).signIn('tfa', PASSWORD);
    expect(first.status).toBe(200);
    const state = /name="state" value="([^"]+)"/.exec(first.text)?.[1] ?? '';
    expect(state).not.toBe('');
    const onB = new ConsoleClient(b.base);
    const done = await onB.post('/', { step: 'totp', state, totpToken: code(totpStep(Date.now()) + 1) });
    expect(done.status).toBe(303);
    expect(onB.cookie).toMatch(/^pgdir_session=/);

    // A daemon with another data directory (another key) cannot open it: the person signs in again.
    const other = await mode.create();
    cleanups.push(() => other.cleanup());
    const stranger = await daemon(other, a.store);
    cleanups.push(() => stranger.service.close(1000));
    const refused = await new ConsoleClient(stranger.base).post('/', { step: 'totp', state, totpToken: code(totpStep(Date.now()) + 2) });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('sign in again');
  });

  it('first run: concurrent set-up posts make exactly one owner, the others are refused', async () => {
    const [a, b] = await twoDaemons();
    const post = (d: Daemon, i: number) =>
      new ConsoleClient(d.base).post('/setup', { username: `owner${i}`, email: `owner${i}@example.com`, password: PASSWORD });
    expect((await new ConsoleClient(a.base).get('/setup')).status).toBe(200);
    const answers = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => post(i % 2 === 0 ? a : b, i)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 303).every((s) => s === 409 || s === 404)).toBe(true);
    const owners = await a.directory.users.listUsers({ role: 'owner' });
    expect(owners.total).toBe(1);
    const winner = answers.findIndex((r) => r.status === 303);
    expect(owners.users[0]?.username).toBe(`owner${winner}`);
    // Closed for good now, on both daemons.
    expect((await new ConsoleClient(a.base).get('/setup')).status).toBe(404);
    expect((await post(b, 9)).status).toBe(404);
    expect((await a.directory.users.listUsers({ role: 'owner' })).total).toBe(1);
  });
});
