/**
 * The directory path of one LDAP operation, in process and without sockets or TLS:
 *
 *   node --import tsx bench/ldap-path.ts [operations=200000] [users=10000]
 *
 * A view of N synthetic users (groups of 50, no database) answers a point search by uid (the bench's
 * `search` case: base ou=users, subtree, 13 attributes) and an admin simple bind, each decoded from
 * its BER bytes and handed to pgdir's directory handler (createDirectoryHandler with metrics and the
 * access log as `pgdir serve` has them) exactly as the connection server does. The same requests
 * through the bench's trivial wire handler (decode, one fixed answer) are the floor. Prints CPU µs
 * per operation for each; `valgrind --tool=callgrind --callgrind-out-file=... node --import tsx
 * bench/ldap-path.ts 20000` gives repeatable instruction counts on a busy machine.
 */
import type { Group, Membership, User } from '../src/domain/model.js';
import type { UserService } from '../src/directory/users/user-service.js';
import type { LdapConnection, LdapHandler, ResponseSink } from '../src/ldap/server/ldap-handler.js';
import type { PasswordHasher } from '../src/crypto/password-hasher.js';
import type { Snapshot, Store } from '../src/store/store.js';
import { encodeRequest } from '../test/fixtures/ldap/request-encoder.js';
import { GROUP_ATTRS, USER_ATTRS } from './workloads.js';

/**
 * The code under test comes from src/ (through tsx) or, with LDAP_PATH_FROM=dist, from the build
 * that `pgdir serve` runs: tsx compiles with esbuild's keepNames, which names every closure with a
 * defineProperty call, so only dist shows what closures really cost.
 */
const from = process.env.LDAP_PATH_FROM === 'dist' ? '../dist' : '../src';
const load = <T>(path: string): Promise<T> => import(new URL(`${from}/${path}`, import.meta.url).href) as Promise<T>;
const { openAdminSecret } = await load<typeof import('../src/directory/auth/admin-secret.js')>('directory/auth/admin-secret.js');
const { createAuthThrottle } = await load<typeof import('../src/directory/auth/auth-throttle.js')>('directory/auth/auth-throttle.js');
const { createBindService } = await load<typeof import('../src/directory/auth/bind-service.js')>('directory/auth/bind-service.js');
const { createDirectoryView } = await load<typeof import('../src/directory/view/index.js')>('directory/view/index.js');
const { createLdapAccessLog } = await load<typeof import('../src/ldap/access-log.js')>('ldap/access-log.js');
const { decodeMessage, encodeEntryBody, encodeResult } = await load<typeof import('../src/ldap/codec/index.js')>('ldap/codec/index.js');
const { createDirectoryHandler } = await load<typeof import('../src/ldap/directory-handler.js')>('ldap/directory-handler.js');
const { createLdapMetrics } = await load<typeof import('../src/ldap/ldap-metrics.js')>('ldap/ldap-metrics.js');
const { Operation } = await load<typeof import('../src/ldap/server/operation-scheduler.js')>('ldap/server/operation-scheduler.js');
const { createMetricsRegistry } = await load<typeof import('../src/metrics/metrics-registry.js')>('metrics/metrics-registry.js');

const SUFFIX = 'dc=example,dc=com';
const ADMIN_DN = `cn=admin,ou=system,${SUFFIX}`;
const SECRET = 'bench-admin-secret-0123456789';
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const uuid = (kind: number, n: number): string => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`;
const username = (i: number): string => `user${String(i + 1).padStart(5, '0')}`;

function snapshot(users: number): Snapshot {
  const at = new Date('2026-01-01T00:00:00Z');
  const list: User[] = Array.from({ length: users }, (_, i) => ({
    id: uuid(1, i), username: username(i), email: `${username(i)}@example.com`, fallbackEmail: null,
    displayName: `Ada Lovelace ${i}`, role: 'user', active: true, source: 'local', sourceId: null, sourceDn: null,
    // A local user without a password is an open invite, which LDAP does not list (domain/user-listing.ts).
    passwordHash: '$2b$10$abcdefghijklmnopqrstuuAbCdEfGhIjKlMnOpQrStUvWxYz01234',
    uidNumber: 10_000 + i, totpEnabled: false, createdAt: at, updatedAt: at, passwordChangedAt: at,
  }));
  const groups: Group[] = Array.from({ length: Math.ceil(users / 50) }, (_, g) => ({
    id: uuid(2, g), name: `group${String(g + 1).padStart(5, '0')}`, description: 'bench group', gidNumber: 10_000 + g, source: 'local', sourceId: null, createdAt: at, updatedAt: at,
  }));
  const memberships: Membership[] = list.map((u, i) => ({ groupId: uuid(2, Math.floor(i / 50)), userId: u.id }));
  return { revision: 1, users: list, groups, memberships, serviceAccounts: [], teams: [], grants: [] };
}

/** The store as far as the view and the throttle's trusted path touch it (no database). */
function storeStub(data: Snapshot): Store {
  return {
    snapshot: async () => data,
    subscribe: () => () => undefined,
    changesSince: async () => [],
    revision: async () => 1,
    reserveAuthAttempt: async () => ({ reserved: true, id: 'r', after: undefined }),
    releaseAuthAttempt: async () => undefined,
    recordAuthFailure: async () => ({ failures: 1, blockedMs: 0 }),
    clearAuthFailures: async () => undefined,
    blockedAuthKeys: async () => [],
  } as unknown as Store;
}

const refuse: PasswordHasher = { cost: 10, hash: async () => '', verify: async () => false } as unknown as PasswordHasher;

async function directoryHandler(users: number): Promise<LdapHandler> {
  const store = storeStub(snapshot(users));
  const view = createDirectoryView({ store, suffix: SUFFIX, encode: encodeEntryBody });
  await view.load();
  const adminSecret = await openAdminSecret({ store, dataDir: '/nonexistent', pinnedSecret: SECRET, logger: { info() {}, warn() {} } });
  const throttle = createAuthThrottle({ store, maxFailures: 10, windowMs: 300_000 });
  const binds = createBindService({ view, hasher: refuse, adminSecret, throttle });
  let lines = 0;
  // `log.access: binds` (pgdir's default): every bind is one line; here formatted and counted.
  const accessLog = createLdapAccessLog('binds', { info: (obj) => void (lines += JSON.stringify(obj).length > 0 ? 1 : 0) });
  return createDirectoryHandler({
    view, binds, users: {} as UserService, store, suffix: SUFFIX, userSearch: 'all', sizeLimit: 0, pageSizeMax: 1000,
    vendorVersion: 'bench', metrics: createLdapMetrics(createMetricsRegistry()), accessLog,
  });
}

/** bench/pgdir-wire-server.ts's handler: a fixed entry for a search, success for a bind. */
function wireHandler(): LdapHandler {
  const entry = encodeEntryBody({ objectName: `cn=x,ou=users,${SUFFIX}`, attributes: [{ type: 'uid', values: ['x'] }] });
  return {
    handle(msg, _conn, out) {
      if (msg.request.op === 'bind') out.send(encodeResult(msg.messageId, 'bind', { resultCode: 0 }));
      else if (msg.request.op === 'search') {
        out.send(Buffer.concat([entry]));
        out.send(encodeResult(msg.messageId, 'searchDone', { resultCode: 0 }));
      }
    },
  };
}

const connection = (): LdapConnection => ({
  id: 1, remoteAddress: '127.0.0.1', remotePort: 40000, secure: true, listenerUrl: 'ldaps://127.0.0.1:636', plainListenerExists: false, session: {},
});

let bytes = 0;
const sink: ResponseSink = { send: (pdu) => ((bytes += pdu.length), true), drained: async () => undefined, closed: false };

function searchPdu(id: number, users: number): Buffer {
  const value = username(Math.floor(Math.random() * users));
  return encodeRequest({
    messageId: id, controls: [],
    request: { op: 'search', baseObject: `ou=users,${SUFFIX}`, scope: 2, derefAliases: 0, sizeLimit: 0, timeLimit: 0, typesOnly: false, filter: { type: 'equality', attribute: 'uid', value }, attributes: USER_ATTRS },
  });
}

/** The bench's `groups` case: every group under ou=groups with its members. */
const groupsPdu = (id: number): Buffer =>
  encodeRequest({
    messageId: id, controls: [],
    request: { op: 'search', baseObject: `ou=groups,${SUFFIX}`, scope: 2, derefAliases: 0, sizeLimit: 0, timeLimit: 0, typesOnly: false, filter: { type: 'equality', attribute: 'objectClass', value: 'groupOfNames' }, attributes: GROUP_ATTRS },
  });

const bindPdu = (id: number): Buffer =>
  encodeRequest({ messageId: id, controls: [], request: { op: 'bind', version: 3, name: ADMIN_DN, auth: { kind: 'simple', password: Buffer.from(SECRET) } } });

/** CPU µs per operation of `operations` requests (cycling through `pdus`), one at a time as a synchronous client sends them. */
async function run(handler: LdapHandler, pdus: readonly Buffer[]): Promise<number> {
  const conn = connection();
  const first = decodeMessage(bindPdu(1));
  await handler.handle(first, conn, sink, new Operation(first));
  const start = process.cpuUsage();
  for (let i = 0; i < operations; i++) {
    // The connection server's per-operation signal (server/operation-scheduler.ts).
    const msg = decodeMessage(pdus[i % pdus.length] as Buffer);
    const result = handler.handle(msg, conn, sink, new Operation(msg));
    if (result !== undefined) await result;
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / operations;
}

let operations = Number(process.argv[2] ?? 200_000);
const users = Number(process.argv[3] ?? 10_000);
const searches = Array.from({ length: 4096 }, (_, i) => searchPdu(i + 2, users));
const binds = Array.from({ length: 64 }, (_, i) => bindPdu(i + 2));
const pgdir = await directoryHandler(users);
const wire = wireHandler();
// LDAP_PATH_ONLY=search|bind|groups runs pgdir's handler on one case only (for --cpu-prof or
// callgrind); `groups` (the bench's group listing, ~1.3 MB per answer) runs only that way, with
// operations / 1000 listings.
const only = process.env.LDAP_PATH_ONLY;
const listings = Array.from({ length: 64 }, (_, i) => groupsPdu(i + 2));
const cases: Record<string, readonly Buffer[]> = { search: searches, bind: binds, groups: listings };
if (only === 'groups') operations = Math.max(1, Math.round(operations / 1000));
for (let round = 0; round < 3; round++) {
  const figures = only !== undefined
    ? ([[`${only} pgdir`, await run(pgdir, cases[only] ?? searches)]] as const)
    : ([
        ['search pgdir', await run(pgdir, searches)],
        ['search wire', await run(wire, searches)],
        ['admin bind pgdir', await run(pgdir, binds)],
        ['admin bind wire', await run(wire, binds)],
      ] as const);
  console.log(`round ${round + 1}: ${figures.map(([name, us]) => `${name} ${us.toFixed(2)} µs`).join(', ')}`);
}
if (bytes === 0) throw new Error('nothing was answered');
process.exit(0);
