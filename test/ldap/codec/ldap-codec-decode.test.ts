import { describe, expect, it } from 'vitest';
import { LdapError } from '../../../src/domain/errors.js';
import type { Filter } from '../../../src/domain/filter.js';
import { BerWriter } from '../../../src/ldap/ber/writer.js';
import {
  decodeMessage,
  decodePagedResultsValue,
  decodePasswordModifyRequest,
  LdapDecodeError,
  pduLength,
} from '../../../src/ldap/codec/index.js';
import type { ProtocolOp } from '../../../src/ldap/protocol.js';
import { encodeRequest, writeFilter } from '../../fixtures/ldap/request-encoder.js';

const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const MB = 1 << 20;

/** Runs `f`, expecting an LdapDecodeError; returns it. */
function decodeError(f: () => unknown): LdapDecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LdapDecodeError);
    return e as LdapDecodeError;
  }
  throw new Error('expected an LdapDecodeError');
}

const search = (filter: Filter): ProtocolOp => ({
  op: 'search', baseObject: '', scope: 0, derefAliases: 0, sizeLimit: 0, timeLimit: 0, typesOnly: false, filter, attributes: [],
});
const nestedNot = (depth: number): Filter => {
  let f: Filter = { type: 'present', attribute: 'cn' };
  for (let i = 1; i < depth; i++) f = { type: 'not', filter: f };
  return f;
};

describe('pduLength', () => {
  it('asks for more bytes until the whole message is there', () => {
    const pdu = h('30 05 02 01 07 42 00');
    for (let n = 0; n < pdu.length; n++) expect(pduLength(pdu.subarray(0, n), 0, MB)).toBe(0);
    expect(pduLength(pdu, 0, MB)).toBe(7);
    expect(pduLength(Buffer.concat([h('ffff'), pdu, h('30')]), 2, MB)).toBe(7);
    expect(pduLength(h('30 82 01'), 0, MB)).toBe(0); // long-form length still incomplete
    expect(pduLength(Buffer.concat([h('30 82 01 00'), Buffer.alloc(256)]), 0, MB)).toBe(260);
  });

  it('refuses a wrong tag, an indefinite or over-long length, and a size above the limit', () => {
    expect(decodeError(() => pduLength(h('04 00'), 0, MB)).message).toMatch(/SEQUENCE/);
    expect(decodeError(() => pduLength(h('30 80'), 0, MB)).message).toMatch(/indefinite/);
    expect(decodeError(() => pduLength(h('30 85 00 00 00 00 01'), 0, MB)).message).toMatch(/too long/);
    expect(decodeError(() => pduLength(h('30 82 04 00'), 0, 1024)).message).toMatch(/exceeds the 1024-byte limit/);
    expect(pduLength(Buffer.concat([h('30 82 03 fc'), Buffer.alloc(1020)]), 0, 1024)).toBe(1024);
  });

  it('refuses a 100 MB length header from the header alone, without allocating it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const header = h('30 84 06 40 00 00 02 01 01'); // announces 100 MiB
    const err = decodeError(() => pduLength(header, 0, MB));
    expect(err.resultCode).toBe(2);
    // decodeMessage on the same truncated bytes fails the bounds check, also without allocating.
    expect(decodeError(() => decodeMessage(header)).message).toMatch(/length 104857600 exceeds the 3 bytes left/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * MB);
  });
});

describe('decodeMessage: envelope', () => {
  it('decodes abandon (primitive INTEGER) and delete (primitive LDAPDN)', () => {
    expect(decodeMessage(h('30 06 02 01 05 50 01 03'))).toEqual({ messageId: 5, request: { op: 'abandon', idToAbandon: 3 }, controls: [] });
    expect(decodeMessage(h('30 08 02 01 06 4a 03 63 6e 3d'))).toEqual({ messageId: 6, request: { op: 'delete', entry: 'cn=' }, controls: [] });
  });

  it('reads the largest messageID and multi-octet lengths', () => {
    expect(decodeMessage(h('30 09 02 04 7f ff ff ff 42 81 00')).messageId).toBe(2147483647);
    expect(decodeMessage(h('30 84 00 00 00 06 02 02 00 80 42 00')).messageId).toBe(128); // non-minimal length is still BER
  });

  it('rejects negative or oversized messageIDs without claiming a messageId', () => {
    const neg = decodeError(() => decodeMessage(h('30 05 02 01 ff 42 00')));
    expect(neg.messageId).toBeUndefined();
    decodeError(() => decodeMessage(h('30 09 02 05 00 80 00 00 00 42 00'))); // 2^31
    decodeError(() => decodeMessage(h('30 0a 02 06 00 00 00 00 00 01 42 00'))); // 6 octets
    decodeError(() => decodeMessage(h('30 04 02 00 42 00'))); // empty INTEGER
  });

  it('rejects trailing garbage after the message and inside it', () => {
    expect(decodeError(() => decodeMessage(h('30 05 02 01 01 42 00 00'))).message).toMatch(/trailing/);
    expect(decodeError(() => decodeMessage(h('30 07 02 01 01 42 00 05 00'))).messageId).toBe(1);
    expect(decodeError(() => decodeMessage(h('30 06 02 01 01 42 01 00'))).message).toMatch(/NULL with content/);
  });

  it('rejects indefinite lengths, high tag numbers, overruns and response PDUs, naming the messageId', () => {
    const indefinite = decodeError(() => decodeMessage(h('30 07 02 01 09 60 80 00 00')));
    expect(indefinite.message).toMatch(/indefinite/);
    expect(indefinite.messageId).toBe(9);
    expect(decodeError(() => decodeMessage(h('30 06 02 01 09 5f 01 00'))).message).toMatch(/non-request protocolOp 0x5f/);
    expect(decodeError(() => decodeMessage(h('30 0a 02 01 09 61 05 0a 01 00 04 00'))).messageId).toBe(9);
    // the DelRequest claims 4 octets but its parent SEQUENCE ends after 2
    decodeError(() => decodeMessage(Buffer.concat([h('30 07 02 01 01 4a 04 61 62'), h('63 64')])));
    expect(decodeError(() => decodeMessage(h('30 03 02 01 09'))).message).toMatch(/missing protocolOp/);
  });

  it('is an LdapError with resultCode protocolError', () => {
    const err = decodeError(() => decodeMessage(h('31 00')));
    expect(err).toBeInstanceOf(LdapError);
    expect(err.resultCode).toBe(2);
    expect(err.name).toBe('LdapDecodeError');
  });

  it('decodes controls: criticality absent, any non-zero octet as TRUE, value optional', () => {
    const msg = decodeMessage(h('30 1b 02 01 02 42 00 a0 14 30 05 04 03 31 2e 32 30 0b 04 03 31 2e 33 01 01 01 04 01 78'));
    expect(msg.controls).toEqual([
      { oid: '1.2', critical: false },
      { oid: '1.3', critical: true, value: Buffer.from('x') },
    ]);
    decodeError(() => decodeMessage(h('30 0d 02 01 02 42 00 a0 06 30 04 01 02 ff ff'))); // controlType missing
    decodeError(() => decodeMessage(h('30 0e 02 01 02 42 00 a0 07 30 05 04 01 31 01 00'))); // empty BOOLEAN
  });
});

describe('decodeMessage: operations', () => {
  it('rejects an unsupported authentication choice and a bad version', () => {
    expect(decodeError(() => decodeMessage(h('30 0c 02 01 01 60 07 02 01 03 04 00 81 00'))).message).toMatch(/authentication choice 0x81/);
    decodeError(() => decodeMessage(h('30 0c 02 01 01 60 07 02 01 00 04 00 80 00')));
  });

  it('rejects scope and deref values outside their enumerations', () => {
    const good = encodeRequest({ messageId: 1, request: search({ type: 'present', attribute: 'cn' }), controls: [] });
    const scopeAt = good.indexOf(h('0a 01 00'));
    const bad = Buffer.from(good);
    bad[scopeAt + 2] = 3;
    expect(decodeError(() => decodeMessage(bad)).message).toMatch(/integer 3 outside 0..2/);
  });

  it('rejects an Add attribute without values but accepts a Modify delete without values', () => {
    const add = encodeRequest({ messageId: 1, request: { op: 'add', entry: 'cn=x', attributes: [{ type: 'cn', values: [] }] }, controls: [] });
    expect(decodeError(() => decodeMessage(add)).message).toMatch(/attribute cn has no values/);
    const mod = encodeRequest({ messageId: 1, request: { op: 'modify', object: 'cn=x', changes: [{ operation: 1, type: 'cn', values: [] }] }, controls: [] });
    expect(decodeMessage(mod).request).toEqual({ op: 'modify', object: 'cn=x', changes: [{ operation: 1, type: 'cn', values: [] }] });
  });

  it('copies binary values out of the PDU', () => {
    const pdu = encodeRequest({ messageId: 1, request: { op: 'compare', entry: 'cn=x', attribute: 'cn', value: Buffer.from('abc') }, controls: [] });
    const msg = decodeMessage(pdu);
    pdu.fill(0);
    expect(msg.request).toEqual({ op: 'compare', entry: 'cn=x', attribute: 'cn', value: Buffer.from('abc') });
  });
});

describe('decodeMessage: filters', () => {
  const withFilter = (f: Filter): Buffer => encodeRequest({ messageId: 7, request: search(f), controls: [] });
  const rawFilter = (hex: string): Buffer => {
    const w = new BerWriter(64);
    w.start(0x30);
    w.integer(0x02, 7);
    w.start(0x63);
    w.raw(h('04 00 0a 01 00 0a 01 00 02 01 00 02 01 00 01 01 00'));
    w.raw(h(hex));
    w.raw(h('30 00'));
    w.end();
    w.end();
    return w.finish();
  };

  it('accepts empty and/or (RFC 4526 absolute true and false)', () => {
    expect(decodeMessage(rawFilter('a0 00')).request).toMatchObject({ filter: { type: 'and', filters: [] } });
    expect(decodeMessage(rawFilter('a1 00')).request).toMatchObject({ filter: { type: 'or', filters: [] } });
  });

  it('enforces the nesting limit (default 32) and the node limit (default 1000)', () => {
    expect(decodeMessage(withFilter(nestedNot(32))).request).toMatchObject({ op: 'search' });
    const deep = decodeError(() => decodeMessage(withFilter(nestedNot(33))));
    expect(deep.message).toMatch(/deeper than 32/);
    expect(deep.messageId).toBe(7);
    // Well-formed but over a limit: 11 for this request, not a protocol error (the server keeps the connection).
    expect(deep.resultCode).toBe(11);
    expect(deep.limitExceeded).toBe(true);
    expect(decodeError(() => decodeMessage(withFilter(nestedNot(5)), { maxDepth: 4 })).message).toMatch(/deeper than 4/);
    const wide = (n: number): Filter => ({ type: 'or', filters: Array.from({ length: n }, () => ({ type: 'present', attribute: 'cn' }) as Filter) });
    expect(decodeMessage(withFilter(wide(999))).request).toMatchObject({ op: 'search' });
    const wideError = decodeError(() => decodeMessage(withFilter(wide(1000))));
    expect(wideError.message).toBe('filter has more than 1000 nodes');
    expect([wideError.resultCode, wideError.messageId, wideError.limitExceeded]).toEqual([11, 7, true]);
    expect(decodeError(() => decodeMessage(withFilter(wide(10)), { maxFilterNodes: 10 })).message).toMatch(/more than 10/);
  });

  it('still reports malformed BER after an over-limit filter as a protocol error', () => {
    const wide: Filter = { type: 'or', filters: Array.from({ length: 20 }, () => ({ type: 'present', attribute: 'cn' }) as Filter) };
    const pdu = withFilter(wide);
    expect(pdu.subarray(-2)).toEqual(h('30 00')); // the empty attribute list closes the PDU
    pdu[pdu.length - 2] = 0x31; // SET instead of SEQUENCE
    const e = decodeError(() => decodeMessage(pdu, { maxFilterNodes: 5 }));
    expect([e.resultCode, e.limitExceeded, e.messageId]).toEqual([2, false, 7]);
    expect(e.message).toMatch(/expected tag 0x30, found 0x31/);
  });

  it('survives 200 000 nested NOTs and an absurd configured maxDepth without exhausting the stack', () => {
    // Built inside-out with long-form lengths: the PDU is valid BER, just far too deep.
    let inner = h('87 02 63 6e');
    const parts: Buffer[] = [];
    let len = inner.length;
    for (let i = 0; i < 200_000; i++) {
      const hdr = Buffer.from([0xa2, 0x84, 0, 0, 0, 0]);
      hdr.writeUInt32BE(len, 2);
      parts.push(hdr);
      len += 6;
    }
    inner = Buffer.concat([...parts.reverse(), inner]);
    const e = decodeError(() => decodeMessage(rawFilter(inner.toString('hex')), { maxDepth: 1e9, maxFilterNodes: 1e9 }));
    expect(e.message).toMatch(/deeper than 256/);
    expect(e.limitExceeded).toBe(true);
  });

  it('rejects malformed substrings and extensible matches', () => {
    expect(decodeError(() => decodeMessage(rawFilter('a4 06 04 02 63 6e 30 00'))).message).toMatch(/without substrings/);
    expect(decodeError(() => decodeMessage(rawFilter('a4 0a 04 02 63 6e 30 04 81 00 80 00'))).message).toMatch(/initial substring not first/);
    expect(decodeError(() => decodeMessage(rawFilter('a4 0a 04 02 63 6e 30 04 82 00 81 00'))).message).toMatch(/after final/);
    expect(decodeError(() => decodeMessage(rawFilter('a4 08 04 02 63 6e 30 02 83 00'))).message).toMatch(/substring choice 0x83/);
    expect(decodeError(() => decodeMessage(rawFilter('a9 02 83 00'))).message).toMatch(/matching rule or a type/);
    expect(decodeError(() => decodeMessage(rawFilter('aa 00'))).message).toMatch(/unknown filter choice 0xaa/);
    expect(decodeError(() => decodeMessage(rawFilter('a2 00'))).message).toMatch(/expected tag|missing filter/);
    expect(decodeError(() => decodeMessage(rawFilter('a2 08 87 02 63 6e 87 02 63 6e'))).message).toMatch(/trailing/);
  });

  it('decodes dnAttributes given as any non-zero octet and defaults it to false', () => {
    expect(decodeMessage(rawFilter('a9 09 82 02 63 6e 83 00 84 01 01')).request).toMatchObject({
      filter: { type: 'extensible', attribute: 'cn', value: '', dnAttributes: true },
    });
    const f: Filter = { type: 'extensible', matchingRule: '2.5.13.2', value: 'x', dnAttributes: false };
    expect(decodeMessage(withFilter(f)).request).toMatchObject({ filter: f });
    const w = new BerWriter(16);
    writeFilter(w, f);
    expect(w.finish()).toEqual(h('a9 0d 81 08 32 2e 35 2e 31 33 2e 32 83 01 78'));
  });
});

describe('control and exop values', () => {
  it('paged results value (RFC 2696)', () => {
    expect(decodePagedResultsValue(h('30 0a 02 02 03 e8 04 04 01 02 03 04'))).toEqual({ size: 1000, cookie: h('01020304') });
    decodeError(() => decodePagedResultsValue(h('30 05 02 01 ff 04 00'))); // negative size
    decodeError(() => decodePagedResultsValue(h('30 05 02 01 01 04 00 00'))); // trailing byte
    decodeError(() => decodePagedResultsValue(h('')));
    decodeError(() => decodePagedResultsValue(h('30 03 02 01 01'))); // no cookie
  });

  it('password modify request value (RFC 3062)', () => {
    expect(decodePasswordModifyRequest(h('30 05 82 03 6e 65 77'))).toEqual({ newPassword: Buffer.from('new') });
    expect(decodePasswordModifyRequest(h('30 00'))).toEqual({});
    decodeError(() => decodePasswordModifyRequest(h('30 0a 82 03 6e 65 77 81 03 6f 6c 64'))); // out of order
    decodeError(() => decodePasswordModifyRequest(h('30 05 83 03 6e 65 77'))); // unknown field
    decodeError(() => decodePasswordModifyRequest(h('04 00')));
  });
});
