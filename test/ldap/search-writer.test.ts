import { describe, expect, it } from 'vitest';
import type { DirectoryView } from '../../src/directory/view/index.js';
import { SearchWriter } from '../../src/ldap/ops/search-writer.js';
import type { ResponseSink } from '../../src/ldap/server/ldap-handler.js';

/** A sink that wants draining after every `every`-th write and records each write's size. */
function recordingSink(every: number) {
  const writes: Buffer[] = [];
  let drains = 0;
  const sink: ResponseSink = {
    send(pdu) {
      writes.push(pdu);
      return writes.length % every !== 0;
    },
    drained: async () => {
      drains++;
    },
    closed: false,
  };
  return { sink, writes, drains: () => drains };
}

const entry = (values: number) => ({
  dn: 'cn=big,ou=groups,dc=example,dc=com',
  normDn: 'cn=big,ou=groups,dc=example,dc=com',
  attributes: new Map([['memberuid', Array.from({ length: values }, (_, i) => `member-number-${i}`)]]),
});

describe('search writer output', () => {
  it('writes an entry over 1 MB in 256 KiB slices with backpressure, byte for byte', async () => {
    const { sink, writes, drains } = recordingSink(2);
    const writer = new SearchWriter(7, sink, new AbortController().signal, {} as DirectoryView);
    writer.special(entry(200_000), ['memberUid'], false);
    const done = Buffer.from([0x30, 0x0c, 0x02, 0x01, 0x07, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);
    await writer.finish(done);
    const total = Buffer.concat(writes);
    expect(total.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(Math.max(...writes.map((w) => w.length))).toBe(256 * 1024);
    expect(writes.length).toBeGreaterThan(16);
    expect(drains()).toBe(Math.floor(writes.length / 2)); // waited each time the sink asked
    expect(total.subarray(-done.length)).toEqual(done);
    expect(total.toString('latin1')).toContain('member-number-199999');
    expect(total[0]).toBe(0x30); // one LDAPMessage SEQUENCE, then the done PDU
  });

  it('writes small entries in one piece', async () => {
    const { sink, writes } = recordingSink(1000);
    const writer = new SearchWriter(3, sink, new AbortController().signal, {} as DirectoryView);
    writer.special(entry(10), ['memberUid'], false);
    await writer.finish(Buffer.from([0x30, 0x00]));
    expect(writes).toHaveLength(1);
  });
});
