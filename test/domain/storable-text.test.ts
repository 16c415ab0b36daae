import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../src/domain/errors.js';
import { assertNoNul, nulPath } from '../../src/domain/storable-text.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';

/** Issue 20 defect 7: the NUL guard of every protocol edge, and the store's net behind it. */
describe('nulPath / assertNoNul', () => {
  it('finds NUL in strings, array items, nested values and object keys, naming the path', () => {
    expect(nulPath('plain\ttext\n')).toBeUndefined();
    expect(nulPath({ a: ['x', { b: 'y\u0000' }] })).toEqual(['a', '1', 'b']);
    expect(nulPath({ ['k\u0000']: 'v' })).toEqual(['k\\u0000']);
    expect(nulPath('\u0000')).toEqual([]);
    expect(nulPath({ n: 1, t: true, z: null })).toBeUndefined();
  });

  it('throws 400 invalid with the field', () => {
    expect(() => assertNoNul({ identifier: 'x\u0000' }, 'body')).toThrow(expect.objectContaining({ status: 400, field: 'identifier' }));
    expect(() => assertNoNul('a\u0000', 'body')).toThrow(expect.objectContaining({ status: 400, field: 'body' }));
    expect(() => assertNoNul({ identifier: 'x\u0001\u007f' }, 'body')).not.toThrow();
  });
});

describe.each(storeModes)('a NUL that reaches the store on $mode', (mode) => {
  let fixture: StoreFixture;
  let store: Store;
  beforeAll(async () => {
    fixture = await mode.create();
    store = await openStore({ ...fixture.options });
  });
  afterAll(async () => {
    await store?.close();
    await fixture?.cleanup();
  });

  it('is a 400 invalid DirectoryError (SQLSTATE 22021 mapped), never a raw database error', async () => {
    for (const call of [() => store.findUserByUsername('a\u0000b'), () => store.findGroupByName('g\u0000'), () => store.listAudit({ target: 't\u0000' } as never)]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(DirectoryError);
      expect(error).toMatchObject({ kind: 'invalid', status: 400 });
      expect((error as Error).message).toContain('NUL');
    }
    // The store still works afterwards.
    expect(await store.findUserByUsername('nobody')).toBeUndefined();
  });
});
