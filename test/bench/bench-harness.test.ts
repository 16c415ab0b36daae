import { verify } from '@node-rs/bcrypt';
import { type Server, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header, readUnsigned, str, tlv } from '../../bench/ber.js';
import { type Dataset, generateDataset } from '../../bench/dataset.js';
import { FIRST_MESSAGE_ID, PAGED_RESULTS_OID, Tag, bindOp, message, searchOp, filter, template } from '../../bench/ldap-messages.js';
import { runLoad } from '../../bench/load.js';
import { type FinalResponse, ResponseReader } from '../../bench/response-reader.js';
import { slapdAvailable, startSlapd } from '../../bench/slapd.js';
import type { Target } from '../../bench/target.js';
import { startTrivialServer } from '../../bench/trivial-server.js';
import { adminBind, bcryptBind, groupListing, pagedScan, pointSearch } from '../../bench/workloads.js';
import { type TestPki, createTestPki } from '../helpers/certs.js';

const SUFFIX = 'dc=example,dc=com';

function searchDone(id: number, resultCode: number, cookie?: Buffer): Buffer {
  const op = tlv(Tag.searchDone, Buffer.from([0x0a, 0x01, resultCode]), str(0x04, ''), str(0x04, ''));
  if (!cookie) return message(id, op);
  const value = tlv(0x30, Buffer.from([0x02, 0x01, 0x00]), str(0x04, cookie));
  return message(id, op, tlv(Tag.controls, tlv(0x30, str(0x04, PAGED_RESULTS_OID), str(0x04, value))));
}
const entry = (id: number, size: number): Buffer => message(id, tlv(Tag.searchEntry, str(0x04, 'cn=x'), tlv(0x30, str(0x04, 'a'.repeat(size)))));

describe('bench request encoding', () => {
  it('patches the message ID and the placeholder without changing lengths', () => {
    const op = searchOp({ base: `ou=users,${SUFFIX}`, scope: 2, filter: filter.equals('uid', 'user00001'), attributes: ['uid'] });
    const bytes = template(op, 'user00001').render(FIRST_MESSAGE_ID + 5, Buffer.from('user00042'));
    const outer = header(bytes, 0);
    expect(outer.start + outer.length).toBe(bytes.length);
    const id = header(bytes, outer.start);
    expect(readUnsigned(bytes, id)).toBe(FIRST_MESSAGE_ID + 5);
    expect(bytes[id.start + id.length]).toBe(Tag.searchRequest);
    expect(bytes.includes(Buffer.from('user00042'))).toBe(true);
    expect(bytes.includes(Buffer.from('user00001'))).toBe(false);
  });

  it('encodes a simple bind as RFC 4511 §4.2 lays it out', () => {
    const bind = bindOp('cn=a', 'pw');
    expect([...bind]).toEqual([0x60, 0x0d, 0x02, 0x01, 0x03, 0x04, 0x04, ...Buffer.from('cn=a'), 0x80, 0x02, ...Buffer.from('pw')]);
  });
});

describe('bench response reader', () => {
  const stream = Buffer.concat([entry(7, 10), entry(7, 70_000), searchDone(7, 0, Buffer.from('next')), searchDone(8, 32)]);

  it('counts entries and parses results and cookies across every split point', () => {
    for (let cut = 1; cut < stream.length; cut += cut < 200 ? 1 : 997) {
      const entries: number[] = [];
      const finals: FinalResponse[] = [];
      let seen = 0;
      const reader = new ResponseReader(() => void seen++, (r) => {
        entries.push(seen);
        finals.push(r);
      });
      reader.push(stream.subarray(0, cut));
      reader.push(stream.subarray(cut));
      expect(entries).toEqual([2, 2]);
      expect(finals.map((f) => [f.messageId, f.resultCode, f.cookie?.toString()])).toEqual([[7, 0, 'next'], [8, 32, undefined]]);
    }
  });
});

describe('bench dataset', () => {
  it('is deterministic, groups users by 50 and gives the bcrypt users the known password', async () => {
    const [a, b] = await Promise.all([generateDataset({ users: 120, bcryptUsers: 2 }), generateDataset({ users: 120, bcryptUsers: 2 })]);
    expect(a.users.map((u) => u.id)).toEqual(b.users.map((u) => u.id));
    expect(a.users[119]?.username).toBe('user00120');
    expect(a.groups.map((g) => g.members.length)).toEqual([50, 50, 20]);
    expect(new Set(a.users.map((u) => u.id)).size).toBe(120);
    const [first, second] = a.bcryptUsers;
    expect(a.users[first ?? -1]?.passwordHash).toMatch(/^\$2b\$10\$/);
    expect(await verify(a.userPassword, a.users[second ?? -1]?.passwordHash ?? '')).toBe(true);
    expect(await verify(a.userPassword, a.users[1]?.passwordHash ?? '')).toBe(false);
  });
});

describe('bench load generator', () => {
  let pki: TestPki;
  let dataset: Dataset;
  let trivial: Server;
  let target: Target;

  beforeAll(async () => {
    pki = createTestPki();
    dataset = await generateDataset({ users: 200, bcryptUsers: 2 });
    trivial = await startTrivialServer(pki.cert, pki.key);
    const address = trivial.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    target = {
      name: 'trivial', url: `ldaps://127.0.0.1:${port}`, host: '127.0.0.1', port, ca: pki.ca, baseDn: SUFFIX,
      adminDn: `cn=admin,ou=system,${SUFFIX}`, adminPassword: 'x', userDn: () => 'cn=u', userPassword: 'y',
      startupMs: 0, facts: [], rss: () => undefined, stop: async () => undefined,
    };
  });
  afterAll(() => {
    trivial?.close();
    pki?.cleanup();
  });

  it('drives concurrent closed-loop clients and checks every answer', async () => {
    const [search, bind] = await runLoad({
      target,
      groups: [{ workload: pointSearch(dataset), conns: 3 }, { workload: adminBind(), conns: 2 }],
      seconds: 0.3,
      warmupSeconds: 0.05,
    });
    expect(search?.errors).toBe(0);
    expect(search?.ops).toBeGreaterThan(50);
    expect(search?.entries).toBe(search?.ops); // one entry per point search
    expect(search?.latency.p99).toBeGreaterThan(0);
    expect(bind?.errors).toBe(0);
    expect(bind?.ops).toBeGreaterThan(50);
  });

  it('cuts off operations a silent server never answers instead of hanging', async () => {
    const silent = createServer({ cert: pki.cert, key: pki.key }, () => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const [r] = await runLoad({
        target: { ...target, port }, groups: [{ workload: adminBind(), conns: 2 }], seconds: 0.2, warmupSeconds: 0, graceMs: 100,
      });
      expect(r).toMatchObject({ ops: 0, errors: 0, unfinished: 2 });
    } finally {
      silent.close();
    }
  });

  it('counts a wrong answer as an error (a group listing gets one entry, not 6)', async () => {
    const [r] = await runLoad({ target, groups: [{ workload: groupListing(dataset), conns: 1 }], seconds: 0.2, warmupSeconds: 0 });
    expect(r?.ops).toBe(0);
    expect(r?.errors).toBeGreaterThan(0);
    expect(r?.firstError).toContain('1 entries');
  });
});

describe.runIf(slapdAvailable())('bench slapd target', () => {
  let pki: TestPki;
  let dataset: Dataset;
  let slapd: Target;

  beforeAll(async () => {
    pki = createTestPki();
    dataset = await generateDataset({ users: 1200, bcryptUsers: 2 });
    slapd = await startSlapd(dataset, { suffix: SUFFIX, tls: pki }); // probes a $2b$ bcrypt bind itself
  });
  afterAll(async () => {
    await slapd?.stop();
    pki?.cleanup();
  });

  it('serves the dataset: point search, group listing, paged scan and bcrypt bind all verify', async () => {
    const results = await runLoad({
      target: slapd,
      groups: [
        { workload: pointSearch(dataset), conns: 2 },
        { workload: groupListing(dataset), conns: 1 },
        { workload: pagedScan(dataset), conns: 1 },
        { workload: bcryptBind(dataset), conns: 1 },
      ],
      seconds: 1.5,
      warmupSeconds: 0,
    });
    for (const r of results) {
      expect(r.errors, `${r.workload}: ${r.firstError}`).toBe(0);
      expect(r.ops, r.workload).toBeGreaterThan(0);
    }
    const paged = results[2];
    expect(paged?.extra['scans completed']).toBeGreaterThan(0); // 1200 users = 3 pages per scan
    expect(paged?.entries).toBeLessThanOrEqual((paged?.ops ?? 0) * 500);
    expect(slapd.rss()).toBeGreaterThan(0);
  });
});
