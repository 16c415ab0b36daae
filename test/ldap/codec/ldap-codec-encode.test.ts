import { describe, expect, it } from 'vitest';
import { ResultCode } from '../../../src/domain/result-code.js';
import {
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
  PduBatch,
} from '../../../src/ldap/codec/index.js';
import type { SearchEntry } from '../../../src/ldap/protocol.js';
import { decodeResponse, entryAsStrings } from '../../fixtures/ldap/response-decoder.js';

const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const hex = (s: string): string => Buffer.from(s).toString('hex');

describe('LDAPResult responses', () => {
  it('encodes a BindResponse byte for byte', () => {
    expect(encodeResult(1, 'bind', { resultCode: ResultCode.success })).toEqual(h('30 0c 02 01 01 61 07 0a 01 00 04 00 04 00'));
  });

  it('uses the right [APPLICATION n] tag for every result op', () => {
    const tags = { bind: 0x61, searchDone: 0x65, modify: 0x67, add: 0x69, delete: 0x6b, modifyDN: 0x6d, compare: 0x6f } as const;
    for (const [op, tag] of Object.entries(tags)) {
      const pdu = encodeResult(9, op as keyof typeof tags, { resultCode: ResultCode.noSuchObject, matchedDN: 'dc=x', diagnosticMessage: 'no' });
      expect(decodeResponse(pdu)).toEqual({
        messageId: 9, tag, controls: [], result: { resultCode: 32, matchedDN: 'dc=x', diagnosticMessage: 'no' },
      });
    }
  });

  it('writes referral [3] only when there is one', () => {
    const withRef = encodeResult(2, 'searchDone', { resultCode: ResultCode.success, referral: ['ldap://a/', 'ldap://b/'] });
    expect(withRef.toString('hex')).toContain(`a316040a${hex('ldap://a/')}040a${hex('ldap://b/')}`.replace(/040a/g, '0409'));
    expect(decodeResponse(withRef).result?.referral).toEqual(['ldap://a/', 'ldap://b/']);
    expect(encodeResult(2, 'searchDone', { resultCode: 0, referral: [] })).toEqual(encodeResult(2, 'searchDone', { resultCode: 0 }));
  });

  it('encodes messageIDs as minimal two’s-complement INTEGERs', () => {
    const cases: [number, string][] = [
      [0, '020100'], [127, '02017f'], [128, '02020080'], [255, '020200ff'], [256, '02020100'],
      [32767, '02027fff'], [32768, '0203008000'], [2147483647, '02047fffffff'],
    ];
    for (const [id, enc] of cases) {
      expect(encodeResult(id, 'delete', { resultCode: 0 }).toString('hex').slice(4, 4 + enc.length)).toBe(enc);
      expect(encodeMessage(id, h('4200')).toString('hex').slice(4, 4 + enc.length)).toBe(enc);
      expect(decodeResponse(encodeResult(id, 'delete', { resultCode: 0 })).messageId).toBe(id);
    }
  });

  it('attaches controls as [0], criticality omitted when false and 0xFF when true', () => {
    const pdu = encodeResult(3, 'searchDone', { resultCode: 0 }, [
      encodePagedResultsControl(0, Buffer.alloc(0)),
      { oid: '1.2', critical: true },
    ]);
    expect(pdu.toString('hex')).toMatch(/a02d30210416\w+04073005020100040030080403312e320101ff$/);
    expect(decodeResponse(pdu).controls).toEqual([
      { oid: '1.2.840.113556.1.4.319', critical: false, value: h('30 05 02 01 00 04 00') },
      { oid: '1.2', critical: true },
    ]);
  });
});

describe('extended, intermediate, reference and notice of disconnection', () => {
  it('encodes ExtendedResponse name [10] and value [11]', () => {
    const pdu = encodeExtendedResponse(4, { resultCode: 0 }, '1.2.3', Buffer.from('dn:x'));
    expect(pdu).toEqual(h(`30 19 02 01 04 78 14 0a 01 00 04 00 04 00 8a 05 ${hex('1.2.3')} 8b 04 ${hex('dn:x')}`));
    expect(encodeExtendedResponse(4, { resultCode: 0 })).toEqual(h('30 0c 02 01 04 78 07 0a 01 00 04 00 04 00'));
  });

  it('encodes the Notice of Disconnection with messageID 0 (RFC 4511 §4.4.1)', () => {
    const pdu = encodeNoticeOfDisconnection(ResultCode.protocolError, 'bye');
    expect(pdu).toEqual(h(`30 27 02 01 00 78 22 0a 01 02 04 00 04 03 ${hex('bye')} 8a 16 ${hex('1.3.6.1.4.1.1466.20036')}`));
  });

  it('encodes IntermediateResponse [0]/[1] and SearchResultReference', () => {
    expect(encodeIntermediateResponse(5, '1.2', Buffer.from('v'))).toEqual(h(`30 0d 02 01 05 79 08 80 03 ${hex('1.2')} 81 01 76`));
    expect(encodeIntermediateResponse(5)).toEqual(h('30 05 02 01 05 79 00'));
    expect(decodeResponse(encodeSearchReference(6, ['ldap://h/dc=x', 'ldap://i/']))).toEqual({
      messageId: 6, tag: 0x73, uris: ['ldap://h/dc=x', 'ldap://i/'], controls: [],
    });
    expect(() => encodeSearchReference(6, [])).toThrow(RangeError);
  });

  it('encodes the Password Modify response value (RFC 3062) only when there is a generated password', () => {
    expect(encodePasswordModifyResponse(Buffer.from('abc'))).toEqual(h(`30 05 80 03 ${hex('abc')}`));
    expect(encodePasswordModifyResponse()).toBeUndefined();
  });
});

describe('search entries', () => {
  const entry: SearchEntry = {
    objectName: 'uid=alice,ou=users,dc=example,dc=com',
    attributes: [
      { type: 'cn', values: ['Alice Liddell'] },
      { type: 'objectClass', values: ['top', 'person'] },
      { type: 'jpegPhoto', values: [Buffer.from([0, 0xff, 0x80])] },
      { type: 'description', values: ['é€😀'.repeat(20)] },
    ],
  };

  it('encodes the body once and wraps it cheaply, identical to the one-pass encoding', () => {
    const body = encodeEntryBody(entry);
    expect(body[0]).toBe(0x64);
    expect(encodeMessage(77, body)).toEqual(encodeSearchEntry(77, entry));
    const decoded = decodeResponse(encodeMessage(77, body));
    expect(decoded.entry?.attributes[2]?.values[0]).toEqual(Buffer.from([0, 0xff, 0x80]));
    expect(entryAsStrings(decoded.entry!).attributes[3]).toEqual(entry.attributes[3]);
  });

  it('sends empty value sets with typesOnly', () => {
    const decoded = decodeResponse(encodeSearchEntry(1, entry, true));
    expect(decoded.entry?.attributes).toEqual(entry.attributes.map((a) => ({ type: a.type, values: [] })));
    expect(decodeResponse(encodeMessage(1, encodeEntryBody(entry, true)))).toEqual(decoded);
  });

  it('gets lengths right at every size boundary and for multi-byte UTF-8', () => {
    for (const n of [0, 1, 41, 42, 43, 127, 128, 255, 256, 65535, 65536, 70000]) {
      for (const ch of ['a', 'é', '€', '😀']) {
        const value = ch.repeat(n); // n code points: 1 to 4 UTF-8 octets each
        const e: SearchEntry = { objectName: value, attributes: [{ type: 'x', values: [value, Buffer.alloc(n, 1)] }] };
        const decoded = decodeResponse(encodeSearchEntry(n, e));
        expect(decoded.entry?.objectName).toBe(value);
        expect(decoded.entry?.attributes[0]?.values.map((v) => v.length)).toEqual([Buffer.byteLength(value), n]);
      }
    }
  });

  it('writes minimal long-form lengths', () => {
    const pdu = encodeSearchEntry(1, { objectName: 'a'.repeat(300), attributes: [] });
    expect(pdu.subarray(0, 12)).toEqual(h('30 82 01 39 02 01 01 64 82 01 32 04'));
    expect(pdu.subarray(12, 15)).toEqual(h('82 01 2c'));
  });

  it('wraps a cached body with controls in the envelope', () => {
    const pdu = encodeMessage(8, encodeEntryBody(entry), [{ oid: '1.9', critical: false, value: Buffer.from('z') }]);
    expect(decodeResponse(pdu).controls).toEqual([{ oid: '1.9', critical: false, value: Buffer.from('z') }]);
  });
});

describe('PduBatch', () => {
  it('coalesces small PDUs into chunks and passes large ones through uncopied', () => {
    const batch = new PduBatch(1000);
    const small = Array.from({ length: 30 }, (_, i) => encodeResult(i + 1, 'delete', { resultCode: 0, diagnosticMessage: 'x'.repeat(i * 3) }));
    const big = Buffer.alloc(1500, 7);
    for (const p of small.slice(0, 20)) batch.push(p);
    batch.push(big);
    for (const p of small.slice(20)) batch.push(p);
    expect(batch.size).toBe(Buffer.concat([...small, big]).length);
    const chunks = batch.drain();
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([...small.slice(0, 20), big, ...small.slice(20)]));
    expect(chunks).toContain(big);
    expect(chunks.every((c) => c === big || c.length <= 1000)).toBe(true);
    expect(chunks.length).toBeLessThan(8);
    expect(batch.drain()).toEqual([]);
  });

  it('pushMessage writes the same bytes as encodeMessage, for every size and with controls', () => {
    const bodies = [10, 200, 999, 5000].map((n) => encodeEntryBody({ objectName: 'x'.repeat(n), attributes: [] }));
    const ctl = [{ oid: '1.2', critical: true }];
    const batch = new PduBatch(1000);
    const expected: Buffer[] = [];
    bodies.forEach((body, i) => {
      for (const id of [1, 128, 2 ** 31 - 1]) {
        batch.pushMessage(id, body);
        expected.push(encodeMessage(id, body));
      }
      batch.pushMessage(i, body, ctl);
      expected.push(encodeMessage(i, body, ctl));
      batch.push(encodeResult(i, 'searchDone', { resultCode: 0 }));
      expected.push(encodeResult(i, 'searchDone', { resultCode: 0 }));
    });
    expect(batch.size).toBe(Buffer.concat(expected).length);
    const chunks = batch.drain();
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat(expected));
    // Bodies of a chunk or more follow their envelope uncopied (the cached bytes themselves).
    for (const body of bodies.slice(2)) expect(chunks.filter((c) => c === body)).toHaveLength(3);
    // 2 PDUs with controls and 6 big bodies go out alone; the small PDUs and envelopes share chunks.
    expect(chunks.length).toBeLessThanOrEqual(22);
  });
});
