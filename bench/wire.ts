/**
 * Wire codec microbenchmarks (npm run bench:wire). Each figure is for one thread, i.e. per core,
 * measured in CPU time (process.cpuUsage) over repeated batches; the best of five rounds is kept.
 * Exits non-zero if encoding a cached 200-entry group listing costs 1 ms of CPU or more.
 */
import type { Filter } from '../src/domain/filter.js';
import {
  decodeMessage,
  encodeEntryBody,
  encodeMessage,
  encodePagedResultsControl,
  encodeResult,
  encodeSearchEntry,
  PduBatch,
} from '../src/ldap/codec/index.js';
import type { SearchEntry } from '../src/ldap/protocol.js';
import { encodeRequest } from '../test/fixtures/ldap/request-encoder.js';

const SUFFIX = 'dc=example,dc=com';

/** CPU microseconds per call of `f`, best of five rounds of at least ~150 ms each. */
function measure(f: () => unknown): number {
  let iterations = 1;
  for (;;) {
    const t = cpuMicros(f, iterations);
    if (t > 20_000) break;
    iterations *= 4;
  }
  const per = Math.max(1, Math.round((iterations * 150_000) / cpuMicros(f, iterations)));
  let best = Infinity;
  for (let round = 0; round < 5; round++) best = Math.min(best, cpuMicros(f, per) / per);
  return best;
}

function cpuMicros(f: () => unknown, n: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

function report(name: string, micros: number): void {
  const ops = 1e6 / micros;
  console.log(`${name.padEnd(52)} ${ops.toFixed(0).padStart(10)} ops/s  ${micros.toFixed(3).padStart(9)} µs/op`);
}

// --- inputs -------------------------------------------------------------------------------------

const sssdFilter: Filter = {
  type: 'and',
  filters: [
    { type: 'equality', attribute: 'uid', value: 'alice' },
    { type: 'equality', attribute: 'objectclass', value: 'posixAccount' },
    { type: 'present', attribute: 'uid' },
    {
      type: 'and',
      filters: [
        { type: 'present', attribute: 'uidNumber' },
        { type: 'not', filter: { type: 'equality', attribute: 'uidNumber', value: '0' } },
      ],
    },
  ],
};
const searchPdu = encodeRequest({
  messageId: 42,
  request: {
    op: 'search', baseObject: `ou=users,${SUFFIX}`, scope: 2, derefAliases: 0, sizeLimit: 0, timeLimit: 0, typesOnly: false,
    filter: sssdFilter, attributes: ['uid', 'userPassword', 'uidNumber', 'gidNumber', 'gecos', 'homeDirectory', 'loginShell', 'cn', 'memberOf', 'modifyTimestamp'],
  },
  controls: [encodePagedResultsControl(500, Buffer.alloc(0))],
});
const bindPdu = encodeRequest({
  messageId: 1,
  request: { op: 'bind', version: 3, name: `uid=alice,ou=users,${SUFFIX}`, auth: { kind: 'simple', password: Buffer.from('correct horse battery') } },
  controls: [],
});

const uuid = (i: number): string => `3f2504e0-4f89-11d3-9a0c-${i.toString(16).padStart(12, '0')}`;
const userDn = (i: number): string => `cn=uid-${uuid(i)},ou=users,${SUFFIX}`;

const user: SearchEntry = {
  objectName: userDn(1),
  attributes: [
    { type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'user', 'posixAccount', 'shadowAccount'] },
    { type: 'objectCategory', values: ['person'] },
    { type: 'cn', values: [`uid-${uuid(1)}`] },
    { type: 'uid', values: ['alice'] },
    { type: 'username', values: ['alice'] },
    { type: 'sAMAccountName', values: ['alice'] },
    { type: 'mail', values: ['alice@example.com'] },
    { type: 'mailAlternateAddress', values: ['alice.liddell@example.org'] },
    { type: 'displayName', values: ['Alice Liddell'] },
    { type: 'givenName', values: ['Alice'] },
    { type: 'sn', values: ['Liddell'] },
    { type: 'memberOf', values: [`cn=users,ou=groups,${SUFFIX}`, `cn=admins,ou=groups,${SUFFIX}`, `cn=wonderland,ou=groups,${SUFFIX}`] },
    { type: 'uidNumber', values: ['10001'] },
    { type: 'gidNumber', values: ['10000'] },
    { type: 'homeDirectory', values: ['/home/alice'] },
    { type: 'loginShell', values: ['/bin/bash'] },
    { type: 'entryUUID', values: [uuid(1)] },
    { type: 'createTimestamp', values: ['20240101120000Z'] },
    { type: 'modifyTimestamp', values: ['20240601120000Z'] },
    { type: 'pwdChangedTime', values: ['20240301120000Z'] },
  ],
};

const groups: SearchEntry[] = Array.from({ length: 200 }, (_, g) => {
  const members = Array.from({ length: 50 }, (_, m) => (g * 37 + m) % 5000);
  return {
    objectName: `cn=group${g},ou=groups,${SUFFIX}`,
    attributes: [
      { type: 'objectClass', values: ['top', 'group', 'groupOfNames', 'groupOfUniqueNames', 'posixGroup'] },
      { type: 'cn', values: [`group${g}`] },
      { type: 'gidNumber', values: [String(20000 + g)] },
      { type: 'description', values: [`Group number ${g}`] },
      { type: 'member', values: members.map(userDn) },
      { type: 'uniqueMember', values: members.map(userDn) },
      { type: 'memberUid', values: members.map((m) => `user${m}`) },
    ],
  };
});

// --- runs ---------------------------------------------------------------------------------------

console.log(`pgdir wire codec, node ${process.version}, one thread (per core), CPU time\n`);
report('decode SearchRequest (SSSD filter, 10 attrs, paged)', measure(() => decodeMessage(searchPdu)));
report('decode BindRequest (simple)', measure(() => decodeMessage(bindPdu)));

const userBody = encodeEntryBody(user);
report(`encode SearchResultEntry, 20 attrs (${encodeSearchEntry(1, user).length} B)`, measure(() => encodeSearchEntry(7, user)));
report('encodeEntryBody, 20 attrs', measure(() => encodeEntryBody(user)));
report('encodeMessage of a cached body', measure(() => encodeMessage(7, userBody)));
report('encodeResult SearchResultDone + paged control', measure(() => encodeResult(7, 'searchDone', { resultCode: 0 }, [encodePagedResultsControl(0, Buffer.alloc(0))])));

const cached = groups.map((g) => encodeEntryBody(g));
const listingBytes = cached.reduce((n, b) => n + b.length, 0);
const listing = (bodies: readonly Buffer[]): Buffer[] => {
  const batch = new PduBatch();
  for (const body of bodies) batch.pushMessage(9, body);
  batch.push(encodeResult(9, 'searchDone', { resultCode: 0 }));
  return batch.drain();
};
const cold = measure(() => listing(groups.map((g) => encodeEntryBody(g))));
const warm = measure(() => listing(cached));
console.log(`\n200-entry group listing, 50 members each (member, uniqueMember, memberUid), ${(listingBytes / 1024).toFixed(0)} KiB:`);
report('  from cached entry bodies (the directory view path)', warm);
report('  cold: encoding every entry from scratch', cold);
console.log(`  per cold entry (150 member values): ${(cold / 200).toFixed(2)} µs`);

const ok = warm < 1000;
console.log(`\ncached 200-entry listing: ${(warm / 1000).toFixed(3)} ms CPU — ${ok ? 'PASS' : 'FAIL'} (bar: < 1 ms)`);
if (!ok) process.exitCode = 1;
