import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LdapDecodeError } from '../../../src/ldap/codec/index.js';
import { PduFramer } from '../../../src/ldap/server/pdu-framer.js';
import { searchReq } from '../../helpers/ldap-wire.js';

const pdus = fc.array(fc.string({ maxLength: 300 }).map((base) => searchReq(7, base)), { minLength: 1, maxLength: 20 });

describe('PduFramer', () => {
  it('yields the same PDUs whatever the chunking, and never rewrites memory it handed out', () => {
    fc.assert(
      fc.property(pdus, fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 50 }), (messages, cuts) => {
        const stream = Buffer.concat(messages);
        const framer = new PduFramer(64 * 1024);
        const out: Buffer[] = [];
        let offset = 0;
        for (const cut of cuts) {
          if (offset >= stream.length) break;
          out.push(...framer.push(Buffer.from(stream.subarray(offset, offset + cut))));
          offset += cut;
        }
        if (offset < stream.length) out.push(...framer.push(Buffer.from(stream.subarray(offset))));
        expect(out.map((b) => b.toString('hex'))).toEqual(messages.map((b) => b.toString('hex')));
        expect(framer.buffered).toBe(0);
      }),
    );
  });

  it('buffers an incomplete PDU and refuses an oversized header before its body arrives', () => {
    const framer = new PduFramer(1000);
    const pdu = searchReq(1, 'dc=example,dc=com');
    expect(framer.push(pdu.subarray(0, 5))).toEqual([]);
    expect(framer.buffered).toBe(5);
    expect(framer.push(pdu.subarray(5))).toEqual([pdu]);
    expect(() => new PduFramer(1000).push(Buffer.from([0x30, 0x84, 0x06, 0x40, 0x00, 0x00]))).toThrow(LdapDecodeError);
    expect(() => new PduFramer(1000).push(Buffer.from([0x30, 0x82, 0x03, 0xe6]))).toThrow(/exceeds/); // 1000+4
    expect(new PduFramer(1000).push(Buffer.from([0x30, 0x82, 0x03, 0xe4]))).toEqual([]); // exactly 1000
  });
});
