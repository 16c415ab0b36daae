import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCsv, neutraliseFormula, parseCsv, restoreFormula } from '../../../src/directory/transfer/csv.js';
import { readImportFile } from '../../../src/directory/transfer/import-rows.js';
import { storeModes } from '../../helpers/databases.js';
import { startApi, type Api } from '../../http/http-fixture.js';

/** CSV export against formula injection (OWASP "CSV Injection") and a strict reader (RFC 4180). */

describe('formula neutralisation', () => {
  it("prefixes values a spreadsheet would run with a single quote, and only those", () => {
    for (const value of ['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx', "'=x", "''-x"]) expect(neutraliseFormula(value)).toBe(`'${value}`);
    for (const value of ['', 'alice', 'a=b', "'quoted", ' =x', 'é=']) expect(neutraliseFormula(value)).toBe(value);
  });

  it('is undone exactly by the import, for every value', () => {
    const unit = fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', 'a', ' ', 'é');
    fc.assert(fc.property(fc.string({ unit }), (value) => {
      expect(restoreFormula(neutraliseFormula(value))).toBe(value);
    }));
  });
});

describe('CSV reader: text after a closing quote', () => {
  it('reports the record and field instead of accepting "abc"x, and keeps reading', () => {
    const records = parseCsv('a,b\n"abc"x,ok\n"fine",2\nz,"q" \n');
    expect(records.map((r) => r.fields.length)).toEqual([2, 2, 2, 2]);
    expect(records[1]?.error).toEqual({ field: 0, message: 'line 2: text after the closing quote of field 1 (a quoted field must end at a comma or the end of the line)' });
    expect(records[1]?.fields[1]).toBe('ok');
    expect(records[2]).toEqual({ fields: ['fine', '2'], line: 3 });
    expect(records[3]?.error?.field).toBe(1);
    // Quotes in the rejected remainder do not derail the rest of the file.
    expect(parseCsv('"a"b"c,d\ne,f').map((r) => [r.fields[1], r.error?.field])).toEqual([['d', 0], ['f', undefined]]);
  });

  it('turns it into a row error naming the column; in a header it is a header error', () => {
    const rows = readImportFile('text/csv', 'username,email,full name\nann,ann@example.com,"Ann"x\nbob,bob@example.com,Bob\n');
    expect(rows[0]).toEqual({ row: 1, error: { row: 1, field: 'fullName', message: expect.stringMatching(/^line 2: text after the closing quote of field 3/) } });
    expect(rows[1]).toMatchObject({ row: 2, values: { username: 'bob' } });
    expect(() => readImportFile('text/csv', '"username"x,email\n')).toThrow(/the header is malformed: line 1: text after the closing quote/);
  });

  it('still writes what it reads (RFC 4180 round trip)', () => {
    const rows = [['"abc"', 'x"y', '=1', '']];
    expect(parseCsv(formatCsv(rows)).map((r) => r.fields)).toEqual(rows);
  });
});

const pglite = storeModes.find((m) => m.mode === 'pglite');

describe('over HTTP', () => {
  let api: Api;
  beforeAll(async () => {
    if (pglite === undefined) throw new Error('no PGlite mode');
    api = await startApi(pglite);
  });
  afterAll(async () => {
    await api?.close();
  });
  const importCsv = (csv: string, query = '') =>
    api.call('POST', `/api/v1/users/import${query}`, { token: api.ownerToken, raw: csv, contentType: 'text/csv' });

  it('import: "abc"x is a 400 row error in atomic mode, nothing written', async () => {
    const res = await importCsv('username,email,full name\nfine,fine@example.com,Fine\nbad,bad@example.com,"Bad"x\n');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ created: 0, errors: [{ row: 2, field: 'fullName', message: expect.stringContaining('text after the closing quote') }] });
    expect(await api.store.findUserByUsername('fine')).toBeUndefined();
  });

  it('export neutralises formulas in CSV only; importing the export restores them', async () => {
    const csv = 'username,email,full name\nmallory,+mallory@example.com,"=HYPERLINK(""http://evil.example"")"\nmeg,meg@example.com,-1\n';
    expect((await importCsv(csv)).body).toEqual({ created: 2, errors: [] });
    const exported = (await api.call('GET', '/api/v1/users/export', { token: api.ownerToken })).text;
    expect(exported).toContain(`,mallory,'+mallory@example.com,,"'=HYPERLINK(""http://evil.example"")",user,true\r\n`);
    expect(exported).toContain(`,meg,meg@example.com,,'-1,user,true\r\n`);
    const json = (await api.call('GET', '/api/v1/users/export?format=json', { token: api.ownerToken })).body as { username: string; email: string; fullName: string }[];
    expect(json.find((u) => u.username === 'mallory')).toMatchObject({ email: '+mallory@example.com', fullName: '=HYPERLINK("http://evil.example")' });

    const empty = await startApi(pglite!);
    try {
      // The fixture's own users (owner, …) exist in both: import just the two from the export.
      const lines = exported.split('\r\n').filter((line, i) => i === 0 || /,(mallory|meg),/.test(line));
      const res = await empty.call('POST', '/api/v1/users/import', { token: empty.ownerToken, raw: lines.join('\r\n'), contentType: 'text/csv' });
      expect(res.body).toEqual({ created: 2, errors: [] });
      expect(await empty.store.findUserByUsername('mallory')).toMatchObject({ email: '+mallory@example.com', displayName: '=HYPERLINK("http://evil.example")' });
      expect((await empty.store.findUserByUsername('meg'))?.displayName).toBe('-1');
    } finally {
      await empty.close();
    }
  });
});
