import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdminSecret } from '../../../src/directory/auth/admin-secret.js';
import { createAuthThrottle, type AuthThrottle, type AuthThrottleOptions } from '../../../src/directory/auth/auth-throttle.js';
import { createBindService, type BindService } from '../../../src/directory/auth/bind-service.js';
import { GateTickets } from '../../../src/directory/auth/gate-tickets.js';
import { createDirectoryServices } from '../../../src/directory/directory-services.js';
import { createPasswordHasher, type PasswordHasher } from '../../../src/crypto/password-hasher.js';
import { createDirectoryView, type DirectoryView } from '../../../src/directory/view/index.js';
import { DirectoryError } from '../../../src/domain/errors.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';

const SYSTEM = { kind: 'system', name: 'test' } as const;
const logger = { info: () => undefined, warn: () => undefined };
const DN = 'uid=alice,ou=users,dc=example,dc=com';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 49, or the error's code: what a client would see. */
async function outcome(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err;
    return err.resultCode;
  }
}

type Limits = Omit<AuthThrottleOptions, 'store'>;

/**
 * One replica's bind services: its own store connection (or `shared`), view and admin secret over
 * the shared database, and one bind service per throttle (`limits`, or the throttles `threads`
 * makes for one daemon's LDAP threads).
 */
async function replica(fixture: StoreFixture, hasher: PasswordHasher, limits: Limits | ((store: Store) => AuthThrottle[]), shared?: Store) {
  const store = shared ?? (await openStore(fixture.options));
  const view = createDirectoryView({ store, suffix: 'dc=example,dc=com' });
  await view.load();
  const adminSecret = await openAdminSecret({ store, dataDir: fixture.options.dataDir, pinnedSecret: 'a-pinned-admin-secret', logger });
  // A generous database timeout: on a loaded machine a slow query must not switch the throttle to
  // counting in this process (auth-outage.test.ts covers that), which would change every count.
  const throttles = typeof limits === 'function' ? limits(store) : [createAuthThrottle({ store, dbTimeoutMs: 30_000, ...limits })];
  const threads = throttles.map((throttle) => createBindService({ view, hasher, adminSecret, throttle }));
  return { store, view, binds: threads[0] as BindService, threads, throttles };
}

/** The store, recording the name of every method called on it. */
function recorded(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const watched = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (calls.push(String(name)), (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { store: watched, calls };
}

describe.each(storeModes)('the brute-force throttle on $mode', (mode) => {
  let fixture: StoreFixture;
  let store: Store;
  const hasher = createPasswordHasher({ cost: 4 });
  /** Verifies against a real hash: how many guesses were actually checked. */
  let checked = 0;
  const counting: PasswordHasher = { ...hasher, verify: (password, encoded) => ((checked += encoded ? 1 : 0), hasher.verify(password, encoded)) };
  const closing: { store: Store | undefined; view: DirectoryView }[] = [];

  beforeAll(async () => {
    fixture = await mode.create();
    store = await openStore(fixture.options);
    const directory = createDirectoryServices({ store, hasher });
    await directory.users.addUser({ username: 'alice', email: 'alice@example.com', password: 'alice-password' }, SYSTEM);
  });
  afterAll(async () => {
    for (const r of closing) {
      r.view.close();
      await r.store?.close();
    }
    await store?.close();
    await fixture?.cleanup();
  });

  it('auth_throttle.cooldown: once blocked, the source stays blocked after the failures left the window', async () => {
    const r = await replica(fixture, counting, { maxFailures: 2, windowMs: 1500, cooldownMs: 5000, refreshMs: 0 }, store);
    closing.push({ view: r.view, store: undefined });
    const ip = '192.0.2.10';
    expect(await outcome(r.binds.authenticate(DN, Buffer.from('guess 1'), ip))).toBe(49);
    expect(await outcome(r.binds.authenticate(DN, Buffer.from('guess 2'), ip))).toBe(49);
    const blockedAt = performance.now();
    await sleep(2000); // both failures are out of the 1.5 s window now
    expect(await outcome(r.binds.authenticate(DN, Buffer.from('alice-password'), ip))).toBe(49);
    // Another source is not affected.
    expect(await outcome(r.binds.authenticate(DN, Buffer.from('alice-password'), '192.0.2.11'))).toBe(0);
    await sleep(Math.max(0, 5000 - (performance.now() - blockedAt)) + 300);
    expect(await outcome(r.binds.authenticate(DN, Buffer.from('alice-password'), ip))).toBe(0);
  }, 20_000);

  it('keeps the hot path cheap: once a source signed in to an account, its successful binds cost no query', async () => {
    const { store: watched, calls } = recorded(store);
    const r = await replica(fixture, counting, { maxFailures: 5, windowMs: 60_000, refreshMs: 60_000 }, watched);
    closing.push({ view: r.view, store: undefined });
    const ip = '192.0.2.30';
    calls.length = 0;
    expect(await outcome(r.binds.authenticate(DN, Buffer.from('alice-password'), ip))).toBe(0);
    for (let i = 0; i < 100 && !calls.includes('blockedAuthKeys'); i++) await sleep(50); // the background refresh
    expect(calls.sort()).toEqual(['blockedAuthKeys', 'clearAuthFailures', 'reserveAuthAttempt']);
    calls.length = 0;
    for (let i = 0; i < 20; i++) expect(await outcome(r.binds.authenticate(DN, Buffer.from('alice-password'), ip))).toBe(0);
    expect(calls).toEqual([]);
    // A failure is counted at once (atomically) and ends the trust: the next attempt reserves again.
    expect(await outcome(r.binds.authenticate(DN, Buffer.from('wrong'), ip))).toBe(49);
    expect(await outcome(r.binds.authenticate(DN, Buffer.from('alice-password'), ip))).toBe(0);
    expect(calls).toEqual(['recordAuthFailure', 'reserveAuthAttempt', 'clearAuthFailures']);
  }, 20_000);

  it('two replicas racing: exactly max_failures guesses are checked, then every attempt is refused', async () => {
    if (mode.mode !== 'postgres') return; // replicas share PostgreSQL; PGlite serves one process
    // Enough room in the hashing queues that no attempt is refused `busy` here (auth-storm.test.ts).
    const limits = { maxFailures: 5, windowMs: 60_000, maxPendingPerSource: 100 };
    const [a, b] = [await replica(fixture, counting, limits), await replica(fixture, counting, limits)];
    closing.push(a, b);
    const ip = '192.0.2.20';
    checked = 0;
    const guesses = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).binds.authenticate(DN, Buffer.from(`guess ${i}`), ip));
    const codes = await Promise.all(guesses.map((g) => outcome(g)));
    expect(codes.every((code) => code === 49)).toBe(true);
    expect(checked).toBe(5);
    // Blocked on both replicas: the right password is refused from that source, without a check.
    for (const r of [a, b]) expect(await outcome(r.binds.authenticate(DN, Buffer.from('alice-password'), ip))).toBe(49);
    expect(checked).toBe(5);
  }, 30_000);

  it('a pool binding all its connections at once costs one reservation per thread and no busy; distinct guesses past the cap are busy', async () => {
    const { store: watched, calls } = recorded(store);
    // Two LDAP threads of one daemon: the main thread's throttle and a worker's, sharing the gate.
    const limits = { maxFailures: 10, windowMs: 60_000, refreshMs: 60_000, maxPendingPerSource: 8, dbTimeoutMs: 30_000 };
    const { view, threads, throttles } = await replica(fixture, hasher, (s) => {
      const main = createAuthThrottle({ store: s, ...limits, gate: { threads: 2 } });
      return [main, createAuthThrottle({ store: s, ...limits, gate: { tickets: new GateTickets(main.gate.tickets.buffer, 1), turns: main.gate.turn } })];
    }, watched);
    closing.push({ view, store: undefined });
    const admin = 'cn=admin,ou=system,dc=example,dc=com';
    /** One bind per event-loop turn, as binds on separate connections arrive. */
    async function burst(n: number, bind: (i: number) => Promise<unknown>): Promise<number[]> {
      const all: Promise<number>[] = [];
      for (let i = 0; i < n; i++) {
        all.push(outcome(bind(i)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return Promise.all(all);
    }
    calls.length = 0;
    const pool = await burst(32, (i) => (threads[i % 2] as BindService).authenticate(admin, Buffer.from('a-pinned-admin-secret'), '192.0.2.40'));
    expect(pool).toEqual(Array.from({ length: 32 }, () => 0));
    expect(calls.filter((c) => c === 'reserveAuthAttempt')).toHaveLength(2); // one leader per thread
    // Real overload: 12 different accounts guessed at once from one address, over both threads: 8
    // are checked (the daemon's max_pending_per_source), 4 answered 51 busy at once.
    const storm = await Promise.all(
      Array.from({ length: 12 }, (_, i) => outcome((threads[i % 2] as BindService).authenticate(`uid=ghost${i},ou=users,dc=example,dc=com`, Buffer.from('wrong'), '192.0.2.41'))),
    );
    expect(storm.filter((code) => code === 51)).toHaveLength(4);
    expect(storm.filter((code) => code === 49)).toHaveLength(8);
    expect(throttles[0]?.gate.tickets.total).toBe(0);
  }, 30_000);
});
