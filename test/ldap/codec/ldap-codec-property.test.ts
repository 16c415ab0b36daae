import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../../src/domain/filter.js';
import type { ResultCode } from '../../../src/domain/result-code.js';
import {
  decodeMessage,
  decodePagedResultsValue,
  decodePasswordModifyRequest,
  encodeEntryBody,
  encodeExtendedResponse,
  encodeMessage,
  encodeResult,
  LdapDecodeError,
  pduLength,
} from '../../../src/ldap/codec/index.js';
import type { Control, LdapResult, ProtocolOp, RequestMessage, ResultOp, SearchEntry } from '../../../src/ldap/protocol.js';
import { encodeRequest } from '../../fixtures/ldap/request-encoder.js';
import { decodeResponse } from '../../fixtures/ldap/response-decoder.js';

const str = fc.string({ unit: 'binary', maxLength: 24 });
const longStr = fc.oneof(str, fc.string({ unit: 'binary', minLength: 40, maxLength: 200 }));
const bytes = fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a));
const u31 = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
/** Drops undefined keys: decoded objects omit absent optional fields. */
const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', maxDepth: 6, withCrossShrink: true },
    fc.record({ type: fc.constantFrom('equality', 'greaterOrEqual', 'lessOrEqual', 'approx'), attribute: str, value: longStr }) as fc.Arbitrary<Filter>,
    fc.record({ type: fc.constant('present' as const), attribute: str }),
    fc
      .record({ attribute: str, initial: opt(str), any: fc.array(str, { maxLength: 3 }), final: opt(str) })
      .filter((s) => s.initial !== undefined || s.any.length > 0 || s.final !== undefined)
      .map((s) => clean({ type: 'substrings' as const, ...s })),
    fc
      .record({ matchingRule: opt(str), attribute: opt(str), value: str, dnAttributes: fc.boolean() })
      .filter((e) => e.matchingRule !== undefined || e.attribute !== undefined)
      .map((e) => clean({ type: 'extensible' as const, ...e })),
    fc.record({ type: fc.constantFrom('and' as const, 'or' as const), filters: fc.array(tie('f'), { maxLength: 4 }) }),
    fc.record({ type: fc.constant('not' as const), filter: tie('f') }),
  ),
})).f;

const attribute = (minValues: number) => fc.record({ type: str, values: fc.array(bytes, { minLength: minValues, maxLength: 4 }) });

const opArb: fc.Arbitrary<ProtocolOp> = fc.oneof(
  fc.record({
    op: fc.constant('bind' as const), version: fc.integer({ min: 1, max: 127 }), name: str,
    auth: fc.oneof(
      fc.record({ kind: fc.constant('simple' as const), password: bytes }),
      fc.record({ kind: fc.constant('sasl' as const), mechanism: str, credentials: opt(bytes) }).map(clean),
    ),
  }),
  fc.constant({ op: 'unbind' as const }),
  fc.record({
    op: fc.constant('search' as const), baseObject: longStr, scope: fc.constantFrom(0, 1, 2), derefAliases: fc.constantFrom(0, 1, 2, 3),
    sizeLimit: u31, timeLimit: u31, typesOnly: fc.boolean(), filter: filterArb, attributes: fc.array(str, { maxLength: 5 }),
  }) as fc.Arbitrary<ProtocolOp>,
  fc.record({
    op: fc.constant('modify' as const), object: str,
    changes: fc.array(fc.record({ operation: fc.constantFrom(0, 1, 2, 3), type: str, values: fc.array(bytes, { maxLength: 3 }) }), { maxLength: 4 }),
  }) as fc.Arbitrary<ProtocolOp>,
  fc.record({ op: fc.constant('add' as const), entry: str, attributes: fc.array(attribute(1), { maxLength: 4 }) }),
  fc.record({ op: fc.constant('delete' as const), entry: longStr }),
  fc.record({ op: fc.constant('modifyDN' as const), entry: str, newRdn: str, deleteOldRdn: fc.boolean(), newSuperior: opt(str) }).map(clean),
  fc.record({ op: fc.constant('compare' as const), entry: str, attribute: str, value: bytes }),
  fc.record({ op: fc.constant('abandon' as const), idToAbandon: u31 }),
  fc.record({ op: fc.constant('extended' as const), name: str, value: opt(bytes) }).map(clean),
);

const controlArb: fc.Arbitrary<Control> = fc.record({ oid: str, critical: fc.boolean(), value: opt(bytes) }).map(clean);
const messageArb: fc.Arbitrary<RequestMessage> = fc.record({ messageId: u31, request: opArb, controls: fc.array(controlArb, { maxLength: 3 }) });

describe('round trips', () => {
  it('every random valid request decodes to what was encoded', () => {
    fc.assert(
      fc.property(messageArb, (msg) => {
        expect(decodeMessage(encodeRequest(msg), { maxDepth: 64 })).toEqual(msg);
      }),
      { numRuns: 1500 },
    );
  });

  const resultArb: fc.Arbitrary<LdapResult> = fc.record({
    resultCode: fc.integer({ min: 0, max: 80 }).map((n) => n as ResultCode),
    matchedDN: str, diagnosticMessage: longStr,
    referral: opt(fc.array(str, { minLength: 1, maxLength: 3 })),
  }).map(clean);

  it('every random response decodes back (test-only response decoder)', () => {
    const entryArb: fc.Arbitrary<SearchEntry> = fc.record({
      objectName: longStr,
      attributes: fc.array(fc.record({ type: str, values: fc.array(longStr, { maxLength: 5 }) }), { maxLength: 6 }),
    });
    const ops: ResultOp[] = ['bind', 'searchDone', 'modify', 'add', 'delete', 'modifyDN', 'compare'];
    fc.assert(
      fc.property(u31, entryArb, resultArb, fc.constantFrom(...ops), fc.array(controlArb, { maxLength: 2 }), opt(str), opt(bytes), (id, entry, result, op, controls, name, value) => {
        const e = decodeResponse(encodeMessage(id, encodeEntryBody(entry), controls));
        expect(e.messageId).toBe(id);
        expect(e.controls).toEqual(controls);
        expect(e.entry?.objectName).toBe(entry.objectName);
        expect(e.entry?.attributes.map((a) => ({ type: a.type, values: a.values.map(String) }))).toEqual(entry.attributes);
        const full = { matchedDN: '', diagnosticMessage: '', ...result };
        expect(decodeResponse(encodeResult(id, op, result, controls)).result).toEqual(full);
        const ext = decodeResponse(encodeExtendedResponse(id, result, name, value));
        expect(clean({ result: ext.result, name: ext.name, value: ext.value })).toEqual(clean({ result: full, name, value }));
      }),
      { numRuns: 800 },
    );
  });
});

/** Calls `f`; anything thrown must be the codec's own error. Returns elapsed milliseconds. */
function onlyCodecErrors(f: () => unknown): number {
  const start = performance.now();
  try {
    f();
  } catch (e) {
    if (!(e instanceof LdapDecodeError)) throw e;
    expect(e.resultCode).toBe(2);
  }
  return performance.now() - start;
}

describe('hostile input', () => {
  const validPdu = messageArb.map(encodeRequest);
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  );
  const mutate = (pdu: Buffer, ms: readonly { kind: string; at: number; byte?: number; bytes?: Uint8Array }[]): Buffer => {
    let b = Buffer.from(pdu);
    for (const m of ms) {
      const at = m.at % (b.length + 1);
      if (m.kind === 'flip' && at < b.length) b[at] = m.byte ?? 0;
      if (m.kind === 'cut') b = b.subarray(0, at);
      if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes ?? Buffer.alloc(0), b.subarray(at)]);
    }
    return b;
  };
  let slowest = 0;
  let memBefore = 0;
  beforeAll(() => {
    memBefore = process.memoryUsage().arrayBuffers;
  });

  it('mutated valid PDUs never throw anything but LdapDecodeError, and never hang', () => {
    fc.assert(
      fc.property(validPdu, fc.array(mutation, { minLength: 1, maxLength: 4 }), (pdu, ms) => {
        const bad = mutate(pdu, ms);
        slowest = Math.max(slowest, onlyCodecErrors(() => decodeMessage(bad)), onlyCodecErrors(() => pduLength(bad, 0, 1 << 16)));
      }),
      { numRuns: 4000 },
    );
  });

  it('random bytes never throw anything but LdapDecodeError, in any decoder', () => {
    const sequenceish = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.concat([Buffer.from([0x30, a.length]), a]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), sequenceish), fc.nat({ max: 70 }), (b, offset) => {
        slowest = Math.max(
          slowest,
          onlyCodecErrors(() => decodeMessage(b)),
          onlyCodecErrors(() => {
            const n = pduLength(b, offset, 1 << 16);
            expect(n === 0 || (n > 0 && offset + n <= b.length)).toBe(true);
          }),
          onlyCodecErrors(() => decodePagedResultsValue(b)),
          onlyCodecErrors(() => decodePasswordModifyRequest(b)),
        );
      }),
      { numRuns: 4000 },
    );
  });

  it('stayed fast and allocated nothing in proportion to claimed lengths', () => {
    // Generous bound: a GC pause on a busy 2-core machine is not a hang; a hang would never return.
    expect(slowest).toBeLessThan(500);
    expect(process.memoryUsage().arrayBuffers - memBefore).toBeLessThan(64 * (1 << 20));
  });
});
