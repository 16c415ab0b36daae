import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdminSecret, setAdminSecret } from '../../src/directory/auth/admin-secret.js';
import { createAuthThrottle } from '../../src/directory/auth/auth-throttle.js';
import { createBindService, type BindService } from '../../src/directory/auth/bind-service.js';
import { createDirectoryServices } from '../../src/directory/directory-services.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/crypto/password-hasher.js';
import { loginThrottleKey, userThrottleKey } from '../../src/directory/auth/throttle-key.js';
import { createDirectoryView, type DirectoryView } from '../../src/directory/view/index.js';
import { DirectoryError } from '../../src/domain/errors.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';

const SYSTEM = { kind: 'system', name: 'test' } as const;
const logger = { info: () => undefined, warn: () => undefined };

async function bindError(p: Promise<unknown>): Promise<DirectoryError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DirectoryError);
  return err as DirectoryError;
}

describe.each(storeModes)('binds and the admin secret on $mode', ({ create }) => {
  let fixture: StoreFixture;
  let store: Store;
  let view: DirectoryView;
  let binds: BindService;
  const hasher = createPasswordHasher({ cost: 4 });
  /** The real hasher, counting verifies: failures must cost the same bcrypt work (DESIGN §4). */
  let verifies = 0;
  const counting: PasswordHasher = { ...hasher, verify: (password, encoded) => (verifies++, hasher.verify(password, encoded)) };

  beforeAll(async () => {
    fixture = await create();
    store = await openStore(fixture.options);
    const directory = createDirectoryServices({ store, hasher });
    await directory.users.addUser({ username: 'alice', email: 'alice@example.com', name: 'Alice L', password: 'alice-password' }, SYSTEM);
    await directory.users.addUser({ username: 'bob', email: 'bob@example.com', password: 'bob-password' }, SYSTEM);
    await directory.users.setActive('bob', false, SYSTEM);
    view = createDirectoryView({ store, suffix: 'dc=example,dc=com' });
    await view.load();
    const adminSecret = await openAdminSecret({ store, dataDir: fixture.options.dataDir, logger });
    const throttle = createAuthThrottle({ store, maxFailures: 3, windowMs: 60_000 });
    binds = createBindService({ view, hasher: counting, adminSecret, throttle });
    const secretHash = await hasher.hash('service-secret-1');
    await store.write(async (tx) => {
      await tx.insertServiceAccount({ name: 'office', secretHash, allowedCidrs: ['10.1.0.0/16', '2001:db8::/32'], privileged: false });
      await tx.insertServiceAccount({ name: 'anywhere', secretHash, allowedCidrs: [], privileged: false });
    });
    await view.catchUp();
  });
  afterAll(async () => {
    view?.close();
    await store?.close();
    await fixture?.cleanup();
  });

  it('generates the admin secret into data_dir/admin-secret (0600) and stores only a digest', async () => {
    const path = join(fixture.options.dataDir, 'admin-secret');
    const secret = await readFile(path, 'utf8');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const stored = JSON.stringify(await store.getSetting('directory.admin_secret'));
    expect(stored).not.toContain(secret);
    const identity = await binds.authenticate('CN=Admin, OU=System, DC=Example, DC=Com', Buffer.from(secret), '127.0.0.1');
    expect(identity).toEqual({ kind: 'admin', dn: 'cn=admin,ou=system,dc=example,dc=com' });
  });

  it('accepts every user DN spelling and answers the canonical DN', async () => {
    const forms = ['uid=alice,ou=users,dc=example,dc=com', 'cn=ALICE, ou=users, dc=example, dc=com', 'mail=alice@example.com,ou=users,dc=example,dc=com'];
    for (const dn of forms) {
      const identity = await binds.authenticate(dn, Buffer.from('alice-password'), '127.0.0.1');
      expect(identity.kind).toBe('user');
      expect(identity.kind === 'user' && identity.dn).toMatch(/^cn=uid-[0-9a-f-]{36},ou=users,dc=example,dc=com$/);
    }
  });

  it('answers 49 with an empty message for wrong passwords, unknown and inactive users', async () => {
    for (const [dn, pw] of [
      ['uid=alice,ou=users,dc=example,dc=com', 'wrong-password'],
      ['uid=nobody,ou=users,dc=example,dc=com', 'alice-password'],
      ['uid=bob,ou=users,dc=example,dc=com', 'bob-password'],
      ['cn=admin,ou=system,dc=example,dc=com', 'not-the-secret'],
    ] as const) {
      const err = await bindError(binds.authenticate(dn, Buffer.from(pw), '127.0.0.9'));
      expect(err.resultCode).toBe(49);
      expect(err.message).toBe('');
    }
  });

  it('throttles one source for one account after max failures, not other sources', async () => {
    const dn = 'uid=alice,ou=users,dc=example,dc=com';
    for (let i = 0; i < 3; i++) await bindError(binds.authenticate(dn, Buffer.from('guess'), '10.0.0.1'));
    // The right password from the throttled source still fails; from elsewhere it works.
    expect((await bindError(binds.authenticate(dn, Buffer.from('alice-password'), '10.0.0.1'))).resultCode).toBe(49);
    expect((await binds.authenticate(dn, Buffer.from('alice-password'), '10.0.0.2')).kind).toBe('user');
  });

  it('a block recorded by one replica reaches another at once', async () => {
    const mine = createAuthThrottle({ store, maxFailures: 2, windowMs: 60_000, refreshMs: 0 });
    const other = createAuthThrottle({ store, maxFailures: 2, windowMs: 60_000, refreshMs: 0 });
    const fail = async (ip: string, account: string) => {
      const attempt = mine.begin(ip);
      expect(await attempt.check(account)).toBe(false);
      await mine.failed(attempt);
      attempt.end();
    };
    expect((await other.check('10.9.9.9', 'cn=x')).blocked).toBe(false);
    await fail('10.9.9.9', 'cn=x');
    await fail('10.9.9.9', 'cn=x');
    expect((await mine.check('10.9.9.9', 'cn=x')).blocked).toBe(true);
    expect((await other.check('10.9.9.9', 'CN=X')).blocked).toBe(true);
    expect((await other.check('10.9.9.8', 'cn=x')).blocked).toBe(false);
    // The other replica's next attempt is refused before any credential check.
    const refused = other.begin('10.9.9.9');
    expect(await refused.check('cn=x')).toBe(true);
    refused.end();
  });

  it("enforces a service account's allowed CIDRs: outside → the same 49 after the same work", async () => {
    const dn = 'cn=office,ou=system,dc=example,dc=com';
    for (const ip of ['10.1.2.3', '::ffff:10.1.200.1', '2001:db8::7']) {
      expect(await binds.authenticate(dn, Buffer.from('service-secret-1'), ip)).toMatchObject({ kind: 'service', name: 'office' });
    }
    for (const ip of ['10.2.0.1', '127.0.0.1', '::1', '2001:db9::1']) {
      const before = verifies;
      const err = await bindError(binds.authenticate(dn, Buffer.from('service-secret-1'), ip));
      expect([err.resultCode, err.message]).toEqual([49, '']);
      expect(verifies - before).toBe(1);
    }
    // A wrong secret from outside costs exactly the same: no way to tell which check failed.
    const before = verifies;
    expect((await bindError(binds.authenticate(dn, Buffer.from('wrong'), '10.2.0.1'))).resultCode).toBe(49);
    expect(verifies - before).toBe(1);
    // No CIDRs: any source (the listener's allowlist still applies).
    expect((await binds.authenticate('cn=anywhere,ou=system,dc=example,dc=com', Buffer.from('service-secret-1'), '192.0.2.1')).kind).toBe('service');
  });

  it('keys the throttle by account, whatever the DN spelling, as API logins do', async () => {
    const alice = (await store.findUserByUsername('alice'))!;
    const check = createAuthThrottle({ store, maxFailures: 3, windowMs: 60_000, refreshMs: 0 });
    const ip = '10.0.0.7';
    await bindError(binds.authenticate('uid=alice,ou=users,dc=example,dc=com', Buffer.from('x'), ip));
    await bindError(binds.authenticate('mail=ALICE@example.com,ou=users,dc=example,dc=com', Buffer.from('x'), ip));
    await bindError(binds.authenticate(`cn=uid-${alice.id},ou=users,dc=example,dc=com`, Buffer.from('x'), ip));
    expect((await check.check(ip, userThrottleKey(alice.id))).blocked).toBe(true);
    // An unknown login is keyed by its name, the key an API login for that name uses.
    for (let i = 0; i < 3; i++) await bindError(binds.authenticate('cn=Ghost,ou=users,dc=example,dc=com', Buffer.from('x'), ip));
    expect((await check.check(ip, loginThrottleKey('ghost'))).blocked).toBe(true);
  });

  it('rotating the secret takes effect at once and the old one stops working', async () => {
    const old = await readFile(join(fixture.options.dataDir, 'admin-secret'), 'utf8');
    await store.write((tx) => setAdminSecret(tx, 'a-brand-new-secret-123', 'test'));
    const dn = 'cn=admin,ou=system,dc=example,dc=com';
    expect((await binds.authenticate(dn, Buffer.from('a-brand-new-secret-123'), '127.0.0.1')).kind).toBe('admin');
    expect((await bindError(binds.authenticate(dn, Buffer.from(old), '127.0.0.1'))).resultCode).toBe(49);
    const short = await bindError(store.write((tx) => setAdminSecret(tx, 'too-short', 'test')));
    expect(short.field).toBe('secret');
  });

  it('a pinned secret (ldap.admin_password_file) wins over the settings table', async () => {
    const pinned = await openAdminSecret({ store, dataDir: fixture.options.dataDir, pinnedSecret: 'pinned-secret-value', logger });
    expect(pinned.pinned).toBe(true);
    expect(await pinned.verify(Buffer.from('pinned-secret-value'))).toBe(true);
    expect(await pinned.verify(Buffer.from('a-brand-new-secret-123'))).toBe(false);
  });
});
