import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, type Connector } from '../../src/connector/connector.js';
import { parseConnectorConfig } from '../../src/connector/connector-config.js';
import { verifyMirroredUser } from '../../src/connector/pass-through.js';
import { testConnection } from '../../src/connector/test-connection.js';
import { openAdminSecret } from '../../src/directory/auth/admin-secret.js';
import { createAuthThrottle } from '../../src/directory/auth/auth-throttle.js';
import { createBindService, type BindService } from '../../src/directory/auth/bind-service.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/crypto/password-hasher.js';
import { createDirectoryView, type DirectoryView } from '../../src/directory/view/index.js';
import { DirectoryError } from '../../src/domain/errors.js';
import type { User } from '../../src/domain/model.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { JC_ORG, JC_SUFFIX, jcGroupLdif, jcUserLdif, jumpcloudLdif, PASSWORD } from './connector-seeds.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * Pass-through authentication and auto-create on login against a real slapd, through the bind
 * service the LDAP listener uses (DESIGN §4, §9).
 */

async function failure(p: Promise<unknown>): Promise<DirectoryError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DirectoryError);
  return error as DirectoryError;
}

const SUFFIX = 'dc=example,dc=com';

describe.skipIf(!slapdAvailable())('pass-through binds and auto-create', () => {
  let slapd: TestSlapd;
  let fixture: StoreFixture;
  let store: Store;
  let connector: Connector;
  let view: DirectoryView;
  let binds: BindService;
  let raw: Record<string, unknown>;
  const alice = (): Promise<User> => store.findUserByUsername('alice').then((u) => u as User);

  beforeAll(async () => {
    [slapd, fixture] = await Promise.all([startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif() }), (storeModes[0] ?? storeModes[1])!.create()]);
    store = await openStore(fixture.options);
    raw = { provider: 'jumpcloud', url: slapd.url, ca_file: slapd.pki.caFile, bind_dn: slapd.readerDn, bind_password: READER_PASSWORD, base_dn: JC_ORG, auto_create: true, allowed_domains: ['example.com'], timeout: '2s' };
    connector = createConnector({ store, pinned: raw });
    expect((await connector.sync({ trigger: 'test' })).report.users.created).toBe(3);
    await store.write((tx) => tx.insertUser({ username: 'lou', email: 'lou@local.example', passwordHash: null }));
    view = createDirectoryView({ store, suffix: SUFFIX });
    await view.load();
    const logger = { info: () => undefined, warn: () => undefined };
    const adminSecret = await openAdminSecret({ store, dataDir: fixture.options.dataDir, logger });
    const throttle = createAuthThrottle({ store, maxFailures: 100, windowMs: 60_000 });
    binds = createBindService({ view, hasher: createPasswordHasher({ cost: 4 }), adminSecret, throttle, external: connector.verifier });
  });

  afterAll(async () => {
    view?.close();
    await connector?.close();
    await store?.close();
    await Promise.all([slapd?.cleanup(), fixture?.cleanup()]);
  });

  it('a mirrored user binds with the source password, over the bind service', async () => {
    const identity = await binds.authenticate(`uid=alice,ou=users,${SUFFIX}`, Buffer.from(PASSWORD), '127.0.0.1');
    expect(identity).toMatchObject({ kind: 'user', id: (await alice()).id });
  });

  it('a wrong or empty password is 49, never a success', async () => {
    const wrong = await failure(binds.authenticate(`uid=alice,ou=users,${SUFFIX}`, Buffer.from('nope'), '127.0.0.1'));
    expect(wrong.resultCode).toBe(49);
    expect(await connector.verifier.verify(await alice(), 'nope')).toBe(false);
    // An empty password would be an unauthenticated bind that slapd "accepts" (RFC 4513 §5.1.2).
    expect(await connector.verifier.verify(await alice(), '')).toBe(false);
  });

  it('a mirrored user without a source DN, or a local user, is never verified by the source', async () => {
    const user = await alice();
    expect(await verifyMirroredUser((await connector.configuration())!.config, { ...user, sourceDn: null }, PASSWORD)).toBe(false);
    expect(await verifyMirroredUser((await connector.configuration())!.config, { ...user, source: 'local' }, PASSWORD)).toBe(false);
  });

  it('a source that is down gives unavailable (LDAP 52, HTTP 503), and local users still bind', async () => {
    await slapd.stop();
    try {
      const err = await failure(binds.authenticate(`uid=alice,ou=users,${SUFFIX}`, Buffer.from(PASSWORD), '127.0.0.1'));
      expect(err).toMatchObject({ kind: 'unavailable', resultCode: 52, status: 503 });
      expect(err.message).toMatch(/external directory .* is unavailable/);
      const wrong = await failure(connector.verifier.verify(await alice(), 'nope'));
      expect(wrong.kind).toBe('unavailable');
    } finally {
      await slapd.start();
    }
    expect(await connector.verifier.verify(await alice(), PASSWORD)).toBe(true);
  });

  it('a source that accepts connections but never answers times out as unavailable', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as { port: number }).port;
    try {
      const config = parseConnectorConfig({ ...raw, url: `ldap://127.0.0.1:${port}`, ca_file: undefined, timeout: '300ms' });
      const started = performance.now();
      const err = await failure(verifyMirroredUser(config, await alice(), PASSWORD));
      expect(err.kind).toBe('unavailable');
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('verifies the source certificate: unknown CA fails, ca_file or accept_self_signed work', async () => {
    const noCa = await testConnection(parseConnectorConfig({ ...raw, ca_file: undefined }));
    expect(noCa.ok).toBe(false);
    expect(noCa.error).toMatch(/unavailable: .*(certificate|self.signed|issuer)/i);
    expect((await testConnection(parseConnectorConfig({ ...raw, ca_file: undefined, accept_self_signed: true }))).ok).toBe(true);
    const startTls = parseConnectorConfig({ ...raw, url: slapd.plainUrl, start_tls: true });
    expect((await testConnection(startTls)).ok).toBe(true);
  });

  it('auto-creates an unknown user the source accepts, with its source groups', async () => {
    await slapd.modify(jcUserLdif({ uid: 'frank', mail: 'frank@example.com', displayName: 'Frank Castle' }, true));
    await slapd.modify(`dn: cn=engineering,ou=Users,${JC_ORG}\nchangetype: modify\nadd: member\nmember: uid=frank,ou=Users,${JC_ORG}\n\n`);
    await slapd.modify(`${jcGroupLdif('ops', ['frank']).replace(/^(dn: .*)$/m, '$1\nchangetype: add')}`);
    expect(await connector.autoCreate('frank', 'wrong')).toEqual({ refused: 'the source rejected the password' });
    expect(await store.findUserByUsername('frank')).toBeUndefined();
    const outcome = await connector.autoCreate('Frank', PASSWORD);
    expect('created' in outcome && outcome.created).toMatchObject({ username: 'frank', email: 'frank@example.com', source: 'ldap', passwordHash: null, sourceDn: `uid=frank,ou=Users,${JC_ORG}` });
    const frank = (await store.findUserByUsername('frank'))!;
    const groups = await Promise.all((await store.userGroupIds(frank.id)).map((id) => store.getGroup(id)));
    expect(groups.map((g) => [g?.name, g?.source]).sort()).toEqual([['engineering', 'ldap'], ['ops', 'ldap']]);
    expect((await store.listAudit({ action: 'connector.auto_create' }))[0]).toMatchObject({ target: frank.id });
    // A second sync agrees with what auto-create made.
    const report = (await connector.sync({ trigger: 'test' })).report;
    expect(report.users).toMatchObject({ created: 0, updated: 0, conflicts: 0 });
    expect(report.groups).toMatchObject({ created: 0, membershipsChanged: 0 });
  });

  it('refuses auto-create for a disallowed domain, an unknown user, a local name, or when off', async () => {
    await slapd.modify(jcUserLdif({ uid: 'gina', mail: 'gina@elsewhere.org' }, true));
    expect(await connector.autoCreate('gina', PASSWORD)).toEqual({ refused: 'email domain of gina@elsewhere.org is not in connector.allowed_domains' });
    expect(await connector.autoCreate('nobody', PASSWORD)).toEqual({ refused: 'the source has no such user' });
    await slapd.modify(jcUserLdif({ uid: 'lou', mail: 'lou@example.com' }, true));
    expect(await connector.autoCreate('lou', PASSWORD)).toEqual({ refused: 'the username or email is already in use' });
    expect((await store.findUserByUsername('lou'))?.source).toBe('local');
    const off = createConnector({ store, pinned: { ...raw, auto_create: false } });
    expect(await off.autoCreate('gina', PASSWORD)).toEqual({ refused: 'auto_create is off' });
    expect(await store.findUserByUsername('gina')).toBeUndefined();
  });

  it('bind auto-create: refusals are the uniform 49 after the same bcrypt work; a success binds the new entry', async () => {
    const hasher = createPasswordHasher({ cost: 4 });
    let verifies = 0;
    const counting: PasswordHasher = { ...hasher, verify: (p, e) => (verifies++, hasher.verify(p, e)) };
    const adminSecret = await openAdminSecret({ store, dataDir: fixture.options.dataDir, logger: { info: () => undefined, warn: () => undefined } });
    const throttle = createAuthThrottle({ store, maxFailures: 100, windowMs: 60_000 });
    const auto = createBindService({ view, hasher: counting, adminSecret, throttle, external: connector.verifier, autoCreate: connector });
    await slapd.modify(jcUserLdif({ uid: 'ivy', mail: 'ivy@elsewhere.org' }, true) + jcUserLdif({ uid: 'kim', mail: 'kim@example.com', displayName: 'Kim Possible' }, true));
    for (const [dn, password] of [
      [`uid=nobody-here,ou=users,${SUFFIX}`, PASSWORD], // not in the source
      [`uid=ivy,ou=users,${SUFFIX}`, PASSWORD], // domain not allowed
      [`uid=kim,ou=users,${SUFFIX}`, 'wrong'], // the source says no
      [`cn=uid-0b7c5a4e-0000-4000-8000-000000000000,ou=users,${SUFFIX}`, PASSWORD], // an id is never created
    ] as const) {
      const before = verifies;
      const err = await failure(auto.authenticate(dn, Buffer.from(password), '127.0.0.1'));
      expect([err.resultCode, err.message]).toEqual([49, '']);
      expect(verifies - before).toBe(1);
    }
    expect(await store.findUserByUsername('ivy')).toBeUndefined();
    expect(await store.findUserByUsername('kim')).toBeUndefined();
    const identity = await auto.authenticate(`mail=Kim@Example.com,ou=users,${SUFFIX}`, Buffer.from(PASSWORD), '127.0.0.1');
    const kim = (await store.findUserByUsername('kim'))!;
    expect(identity).toEqual({ kind: 'user', id: kim.id, dn: `cn=uid-${kim.id},ou=users,${SUFFIX}` });
    expect(view.findEntry(identity.kind === 'user' ? identity.dn : '')?.attributes.get('mail')).toEqual(['kim@example.com']);
  });

  it('auto-create with the source down is unavailable, not a refusal', async () => {
    await slapd.stop();
    try {
      expect((await failure(connector.autoCreate('henry', PASSWORD))).kind).toBe('unavailable');
    } finally {
      await slapd.start();
    }
  });
});
