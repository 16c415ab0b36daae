import net from 'node:net';
import { createRequire } from 'node:module';
import { AlreadyExistsError, Attribute, Change, Client, InvalidCredentialsError, NoSuchObjectError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCode } from '../../../src/domain/result-code.js';
import {
  decodeMessage,
  decodePagedResultsValue,
  decodePasswordModifyRequest,
  encodeEntryBody,
  encodeExtendedResponse,
  encodeIntermediateResponse,
  encodeMessage,
  encodeNoticeOfDisconnection,
  encodePagedResultsControl,
  encodePasswordModifyResponse,
  encodeResult,
  encodeSearchEntry,
  encodeSearchReference,
  pduLength,
  PduBatch,
} from '../../../src/ldap/codec/index.js';
import { Oid, type RequestMessage, type SearchEntry } from '../../../src/ldap/protocol.js';

/* What we encode must be understood by real client stacks: ldapjs's message parser and ldapts. */

const require = createRequire(import.meta.url);
// ldapjs 3.0.7's own stream parser (the one its client uses); test-only oracle.
const { Parser } = require('ldapjs/lib/messages') as { Parser: new () => NodeJS.EventEmitter & { write(b: Buffer): void } };

interface LdapjsMessage {
  constructor: { name: string };
  messageId: number;
  pojo: Record<string, unknown>;
  controls: { pojo: Record<string, unknown> }[];
  responseName?: string;
  responseValue?: unknown;
}

function parseWithLdapjs(...pdus: Buffer[]): LdapjsMessage[] {
  const parser = new Parser();
  const out: LdapjsMessage[] = [];
  parser.on('message', (m: LdapjsMessage) => out.push(m));
  parser.on('error', (e: Error) => {
    throw e;
  });
  parser.write(Buffer.concat(pdus)); // one write: the parser must split the batch itself
  return out;
}

const ALICE: SearchEntry = {
  objectName: 'uid=alice,ou=users,dc=example,dc=com',
  attributes: [
    { type: 'cn', values: ['uid-alice'] },
    { type: 'displayName', values: ['Ålice Lïddell ☃'] },
    { type: 'memberOf', values: ['cn=admins,ou=groups,dc=example,dc=com', 'cn=users,ou=groups,dc=example,dc=com'] },
    { type: 'jpegPhoto', values: [Buffer.from([0xff, 0xd8, 0x00, 0x80])] },
    { type: 'description', values: ['d'.repeat(70_000)] },
  ],
};

describe('ldapjs message parser accepts our responses', () => {
  it('search entry, reference and done with a paged-results control', () => {
    const [entry, ref, done] = parseWithLdapjs(
      encodeMessage(3, encodeEntryBody(ALICE)),
      encodeSearchReference(3, ['ldap://other/dc=example,dc=com']),
      encodeResult(3, 'searchDone', { resultCode: ResultCode.success }, [encodePagedResultsControl(0, Buffer.from('next'))]),
    );
    expect(entry?.constructor.name).toBe('SearchResultEntry');
    expect(entry?.pojo).toMatchObject({ messageId: 3, objectName: ALICE.objectName });
    const attrs = entry?.pojo.attributes as { type: string; values: string[] }[];
    expect(attrs.map((a) => a.type)).toEqual(['cn', 'displayName', 'memberOf', 'jpegPhoto', 'description']);
    expect(attrs[1]?.values).toEqual(['Ålice Lïddell ☃']);
    expect(attrs[2]?.values).toEqual(ALICE.attributes[2]?.values);
    expect(attrs[4]?.values[0]).toHaveLength(70_000);
    expect(ref?.pojo).toMatchObject({ messageId: 3, uri: ['ldap://other/dc=example,dc=com'] });
    expect(done?.constructor.name).toBe('SearchResultDone');
    expect(done?.pojo).toMatchObject({ status: 0, matchedDN: '', diagnosticMessage: '' });
    expect(done?.controls.map((c) => c.pojo)).toEqual([
      { type: Oid.pagedResults, criticality: false, value: { size: 0, cookie: Buffer.from('next') } },
    ]);
  });

  it('every LDAPResult response type with matchedDN and message', () => {
    const ops = [
      ['bind', 'BindResponse'], ['modify', 'ModifyResponse'], ['add', 'AddResponse'],
      ['delete', 'DeleteResponse'], ['modifyDN', 'ModifyDnResponse'], ['compare', 'CompareResponse'],
    ] as const;
    const parsed = parseWithLdapjs(
      ...ops.map(([op], i) => encodeResult(i + 1, op, { resultCode: ResultCode.noSuchObject, matchedDN: 'dc=example,dc=com', diagnosticMessage: `no ${op}` })),
    );
    expect(parsed.map((m) => m.constructor.name)).toEqual(ops.map(([, name]) => name));
    parsed.forEach((m, i) => {
      expect(m.messageId).toBe(i + 1);
      expect(m.pojo).toMatchObject({ status: 32, matchedDN: 'dc=example,dc=com', diagnosticMessage: `no ${ops[i]?.[0]}` });
    });
    // (ldapjs 3.0.7 never reads LDAPResult referrals — its loop bound is wrong — so referral
    // encoding is checked against ldapts below and our own decoder in ldap-codec-encode.)
  });

  it('extended response, intermediate response and the notice of disconnection', () => {
    const [ext, inter, notice] = parseWithLdapjs(
      encodeExtendedResponse(7, { resultCode: 0 }, Oid.whoAmI, Buffer.from('dn:cn=admin')),
      encodeIntermediateResponse(8, '1.3.6.1.4.1.4203.1.9.1.4', Buffer.from('sync')),
      encodeNoticeOfDisconnection(ResultCode.unavailable, 'shutting down'),
    );
    expect(ext?.constructor.name).toBe('ExtensionResponse');
    expect(ext?.responseName).toBe(Oid.whoAmI);
    expect(String(ext?.responseValue)).toContain(Buffer.from('dn:cn=admin').toString('hex'));
    expect(inter?.pojo).toMatchObject({ messageId: 8, responseName: '1.3.6.1.4.1.4203.1.9.1.4', responseValue: 'sync' });
    expect(notice?.messageId).toBe(0);
    expect(notice?.responseName).toBe(Oid.noticeOfDisconnection);
    expect(notice?.pojo).toMatchObject({ status: 52, diagnosticMessage: 'shutting down' });
  });
});

/** A tiny LDAP server answering from our encoders; enough for ldapts's client operations. */
function answer(msg: RequestMessage, out: PduBatch, entries: Buffer[]): 'close' | void {
  const id = msg.messageId;
  const req = msg.request;
  const ok = { resultCode: ResultCode.success };
  switch (req.op) {
    case 'bind': {
      const good = req.auth.kind === 'simple' && req.auth.password.toString() === 'secret';
      return out.push(encodeResult(id, 'bind', good ? ok : { resultCode: ResultCode.invalidCredentials }));
    }
    case 'search': {
      const paged = msg.controls.find((c) => c.oid === Oid.pagedResults);
      if (paged?.value === undefined) {
        for (const body of entries) out.push(encodeMessage(id, body));
        out.push(encodeSearchReference(id, ['ldap://other.example/ou=x,dc=example,dc=com']));
        return out.push(encodeResult(id, 'searchDone', ok));
      }
      const { size, cookie } = decodePagedResultsValue(paged.value);
      const from = cookie.length === 0 ? 0 : Number(cookie.toString());
      for (const body of entries.slice(from, from + size)) out.push(encodeMessage(id, body));
      const next = from + size < entries.length ? Buffer.from(String(from + size)) : Buffer.alloc(0);
      return out.push(encodeResult(id, 'searchDone', ok, [encodePagedResultsControl(entries.length, next)]));
    }
    case 'compare': {
      const match = req.attribute === 'mail' && req.value.toString() === 'alice@example.com';
      return out.push(encodeResult(id, 'compare', { resultCode: match ? ResultCode.compareTrue : ResultCode.compareFalse }));
    }
    case 'extended':
      if (req.name === Oid.whoAmI) return out.push(encodeExtendedResponse(id, ok, undefined, Buffer.from('dn:uid=alice,ou=users,dc=example,dc=com')));
      expect(decodePasswordModifyRequest(req.value)).toEqual({ userIdentity: 'uid=bob' });
      return out.push(encodeExtendedResponse(id, ok, undefined, encodePasswordModifyResponse(Buffer.from('generated-pw'))));
    case 'add':
      return out.push(encodeResult(id, 'add', { resultCode: ResultCode.entryAlreadyExists, diagnosticMessage: 'exists already' }));
    case 'delete':
      if (req.entry === 'cn=disconnect') {
        out.push(encodeNoticeOfDisconnection(ResultCode.unavailable, 'going away'));
        return 'close';
      }
      return out.push(encodeResult(id, 'delete', { resultCode: ResultCode.noSuchObject, matchedDN: 'ou=groups,dc=example,dc=com', referral: ['ldap://x/'] }));
    case 'modify':
      return out.push(encodeResult(id, 'modify', ok));
    case 'modifyDN':
      return out.push(encodeResult(id, 'modifyDN', ok));
    default:
      return req.op === 'unbind' ? 'close' : undefined;
  }
}

describe('ldapts talks to a server that answers with our encoders', () => {
  let server: net.Server;
  let url = '';
  const writes: number[] = [];
  const entries = [ALICE, ...Array.from({ length: 6 }, (_, i) => ({ objectName: `uid=u${i},ou=users,dc=example,dc=com`, attributes: [{ type: 'uid', values: [`u${i}`] }] }))].map((e) =>
    encodeEntryBody(e),
  );

  beforeAll(async () => {
    server = net.createServer((socket) => {
      let buf = Buffer.alloc(0);
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        const batch = new PduBatch();
        let close = false;
        for (let n = pduLength(buf, 0, 1 << 20); n > 0 && !close; n = pduLength(buf, 0, 1 << 20)) {
          close = answer(decodeMessage(buf.subarray(0, n)), batch, entries) === 'close';
          buf = buf.subarray(n);
        }
        const chunks = batch.drain();
        writes.push(chunks.length);
        for (const c of chunks) socket.write(c);
        if (close) socket.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ldap://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const withClient = async (body: (c: Client) => Promise<void>): Promise<void> => {
    const client = new Client({ url, timeout: 5000 });
    try {
      await body(client);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };

  it('bind results: success and invalidCredentials', () =>
    withClient(async (c) => {
      await expect(c.bind('cn=admin,dc=example,dc=com', 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
      await c.bind('cn=admin,dc=example,dc=com', 'secret');
    }));

  it('search entries (binary, non-ASCII, 70 kB value, multi-valued) and references, sent in two writes', () =>
    withClient(async (c) => {
      writes.length = 0;
      const res = await c.search('dc=example,dc=com', { filter: '(objectClass=*)', explicitBufferAttributes: ['jpegPhoto'] });
      // The 70 kB entry goes out on its own; the other 6 entries, the reference and the done share one write.
      expect(writes.filter((n) => n > 0)).toEqual([2]);
      expect(res.searchEntries).toHaveLength(7);
      const alice = res.searchEntries[0]!;
      expect(alice.dn).toBe(ALICE.objectName);
      expect(alice.displayName).toBe('Ålice Lïddell ☃');
      expect(alice.memberOf).toEqual(ALICE.attributes[2]?.values);
      expect(alice.jpegPhoto).toEqual(Buffer.from([0xff, 0xd8, 0x00, 0x80]));
      expect(String(alice.description)).toHaveLength(70_000);
      expect(res.searchEntries[6]).toEqual({ dn: 'uid=u5,ou=users,dc=example,dc=com', uid: 'u5' });
      expect(res.searchReferences).toEqual(['ldap://other.example/ou=x,dc=example,dc=com']);
    }));

  it('paged search follows our cookies to the end', () =>
    withClient(async (c) => {
      const res = await c.search('dc=example,dc=com', { paged: { pageSize: 3 } });
      expect(res.searchEntries.map((e) => e.dn)).toEqual([ALICE.objectName, ...Array.from({ length: 6 }, (_, i) => `uid=u${i},ou=users,dc=example,dc=com`)]);
    }));

  it('compare true and false, WhoAmI and Password Modify responses', () =>
    withClient(async (c) => {
      expect(await c.compare(ALICE.objectName, 'mail', 'alice@example.com')).toBe(true);
      expect(await c.compare(ALICE.objectName, 'mail', 'bob@example.com')).toBe(false);
      expect((await c.exop(Oid.whoAmI)).value).toBe('dn:uid=alice,ou=users,dc=example,dc=com');
      const pw = await c.exop(Oid.passwordModify, Buffer.from('300980077569643d626f62', 'hex'));
      expect(pw.value).toContain('generated-pw');
    }));

  it('write operation results and errors with message, matchedDN and referral', () =>
    withClient(async (c) => {
      await c.modify(ALICE.objectName, new Change({ operation: 'replace', modification: new Attribute({ type: 'sn', values: ['L'] }) }));
      await c.modifyDN(ALICE.objectName, 'uid=alicia');
      const add = c.add('cn=new,dc=example,dc=com', { cn: 'new' });
      await expect(add).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(add).rejects.toThrow(/exists already/);
      await expect(c.del('cn=gone,ou=groups,dc=example,dc=com')).rejects.toBeInstanceOf(NoSuchObjectError);
    }));

  it('a notice of disconnection followed by close fails the pending operation cleanly', () =>
    withClient(async (c) => {
      await expect(c.del('cn=disconnect')).rejects.toThrow();
      expect(c.isConnected).toBe(false);
    }));
});
