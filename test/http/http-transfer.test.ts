import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCsv, parseCsv } from '../../src/directory/transfer/csv.js';
import { storeModes } from '../helpers/databases.js';
import { startApi, type Api } from './http-fixture.js';

describe('RFC 4180 CSV', () => {
  it('round-trips any fields, including commas, quotes, line breaks and non-ASCII', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', '語', ',', '"', '\n', '\r\n', ' ', '😀') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
        expect(parseCsv(formatCsv(rows)).map((r) => r.fields)).toEqual(rows);
      }),
    );
  });

  it('quotes only when needed, ends records with CRLF, reads LF files, BOM and a missing last newline', () => {
    expect(formatCsv([['a', 'b,c', 'say "hi"', 'x\ny']])).toBe('a,"b,c","say ""hi""","x\ny"\r\n');
    expect(parseCsv('\uFEFFa,b\nc,"d\ne"\n\n').map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [2, ['c', 'd\ne']],
    ]);
    expect(parseCsv('a,b').map((r) => r.fields)).toEqual([['a', 'b']]);
    expect(() => parseCsv('a,"b\nc')).toThrow(/line 1: a quoted field is not closed/);
    expect(() => parseCsv('a,b"c"')).toThrow(/line 1: a quote may only start a field/);
  });
});

const HEADER = 'username,email,fallback email,full name,role';

describe.each(storeModes)('HTTP import and export on $mode', (mode) => {
  let api: Api;
  let manager: string;
  beforeAll(async () => {
    api = await startApi(mode);
    manager = (await api.userWithToken('importer', 'usermanager')).token;
  });
  afterAll(async () => {
    await api?.close();
  });

  const importCsv = (csv: string, query = '', token = manager) =>
    api.call('POST', `/api/v1/users/import${query}`, { token, raw: csv, contentType: 'text/csv' });
  const usernames = async () => (await api.store.listUsers({})).users.map((u) => u.username);

  it('imports CSV with commas, quotes and non-ASCII names; each user audited', async () => {
    const csv = `${HEADER}\r\n` + 'zoe,zoe@example.com,,"Zoë ""Z"" Ångström, PhD",user\r\n' + 'yann,Yann@Example.com,yann@backup.example,山田 太郎,\r\n';
    const res = await importCsv(csv);
    expect(res).toMatchObject({ status: 200, body: { created: 2, errors: [] } });
    const zoe = await api.store.findUserByUsername('zoe');
    expect(zoe).toMatchObject({ displayName: 'Zoë "Z" Ångström, PhD', fallbackEmail: null, role: 'user', passwordHash: null, active: true });
    expect(await api.store.findUserByUsername('yann')).toMatchObject({ email: 'yann@example.com', displayName: '山田 太郎', fallbackEmail: 'yann@backup.example' });
    const audits = await api.store.listAudit({ action: 'user.create', limit: 2 });
    expect(audits.map((a) => a.details['import'])).toEqual([true, true]);
    expect((await api.store.listAudit({ action: 'users.import', limit: 1 }))[0]?.details).toEqual({ mode: 'atomic', created: 2, rejected: 0 });
  });

  const BAD = [
    `${HEADER}`,
    'good1,good1@example.com,,Good One,user', // row 1
    'dup,dup@example.com,,,user', // row 2
    'dup,other@example.com,,,user', // row 3: duplicate username in the file
    'zoe,zoe2@example.com,,,user', // row 4: username taken in the directory
    'bad name,bad@example.com,,,user', // row 5: bad username
    'bademail,not-an-email,,,user', // row 6: bad email
    'badrole,badrole@example.com,,,emperor', // row 7: unknown role
    'good2,good2@example.com,,Good Two,user', // row 8
    'toofew,toofew@example.com', // row 9: wrong field count
  ].join('\n');
  const EXPECTED = [
    { row: 3, field: 'username' },
    { row: 4, field: 'username' },
    { row: 5, field: 'username' },
    { row: 6, field: 'email' },
    { row: 7, field: 'role' },
    { row: 9, field: 'file' },
  ];

  it('atomic (default): a file with bad rows writes nothing and reports every problem by row', async () => {
    const before = await usernames();
    const res = await importCsv(BAD);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid', field: 'file' }, created: 0 });
    expect(res.body.errors.map((e: { row: number; field: string }) => ({ row: e.row, field: e.field }))).toEqual(EXPECTED);
    expect(res.body.errors[0].message).toMatch(/row 2 of this file/);
    expect(await usernames()).toEqual(before);
  });

  it('partial: valid rows are written, the rest reported', async () => {
    const res = await importCsv(BAD, '?mode=partial');
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(3);
    expect(res.body.errors.map((e: { row: number; field: string }) => ({ row: e.row, field: e.field }))).toEqual(EXPECTED);
    const names = await usernames();
    expect(names).toEqual(expect.arrayContaining(['good1', 'good2', 'dup']));
    expect(names).not.toContain('badrole');
    expect((await api.store.findUserByUsername('dup'))?.email).toBe('dup@example.com');
  });

  it('refuses a wrong header, an empty file, another media type; a user manager cannot import admins', async () => {
    const wrong = await importCsv('user,mail\nx,x@example.com\n');
    expect(wrong).toMatchObject({ status: 400, body: { error: { field: 'header', message: expect.stringMatching(/unknown column "user"/) } } });
    expect((await importCsv('')).body.error.field).toBe('file');
    const xml = await api.call('POST', '/api/v1/users/import', { token: manager, raw: '<users/>', contentType: 'application/xml' });
    expect(xml.status).toBe(415);
    const admin = await importCsv(`${HEADER}\nboss,boss@example.com,,,admin\n`);
    expect(admin.body.errors).toEqual([{ row: 1, field: 'role', message: expect.stringMatching(/only admins and owners/) }]);
    const { token } = await api.userWithToken('noimport', 'user');
    expect((await importCsv(`${HEADER}\n`, '', token)).status).toBe(403);
  });

  it('imports JSON with camelCase keys and reports unknown keys by row', async () => {
    const body = [
      { username: 'jason', email: 'jason@example.com', fullName: 'Jason', role: 'user' },
      { username: 'jay', email: 'jay@example.com', password: 'nope nope nope' },
    ];
    const res = await api.call('POST', '/api/v1/users/import?mode=partial', { token: manager, body });
    expect(res.body).toEqual({ created: 1, errors: [{ row: 2, field: 'password', message: expect.stringMatching(/unknown field/) }] });
  });

  it('exports exactly the documented fields as CSV and JSON, never secrets', async () => {
    const csv = await api.call('GET', '/api/v1/users/export?format=csv', { token: manager });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('id,username,email,fallback email,full name,role,active');
    expect(csv.text).toContain('"Zoë ""Z"" Ångström, PhD"');
    expect(csv.text).not.toMatch(/\$2[aby]\$/);
    const json = await api.call('GET', '/api/v1/users/export?format=json', { token: manager });
    const zoe = json.body.find((u: { username: string }) => u.username === 'zoe');
    expect(Object.keys(zoe)).toEqual(['id', 'username', 'email', 'fallbackEmail', 'fullName', 'role', 'active']);
    expect(zoe).toMatchObject({ fallbackEmail: '', fullName: 'Zoë "Z" Ångström, PhD', active: true });
    expect((await api.call('GET', '/api/v1/users/export?format=xml', { token: manager })).status).toBe(400);
  });

  it('round trip: export → import into an empty directory reproduces the users (CSV and JSON)', async () => {
    await api.call('PUT', '/api/v1/users/good2/active', { token: manager, body: { active: false } });
    const csv = (await api.call('GET', '/api/v1/users/export', { token: api.ownerToken })).text;
    const json = (await api.call('GET', '/api/v1/users/export?format=json', { token: api.ownerToken })).body;
    for (const [type, payload] of [['text/csv', csv], ['application/json', JSON.stringify(json)]] as const) {
      const empty = await startApi(mode);
      try {
        // The empty directory has its own owner; drop it so the file's owner can come back as is.
        const res = await empty.call('POST', '/api/v1/users/import?mode=partial', { token: empty.ownerToken, raw: payload, contentType: type });
        expect(res.body.errors).toEqual([{ row: expect.any(Number), field: 'username', message: expect.stringMatching(/owner/) }]);
        expect(res.body.created).toBe(json.length - 1);
        const again = await empty.call('GET', '/api/v1/users/export?format=json', { token: empty.ownerToken });
        const strip = (list: { username: string }[]) => list.filter((u) => u.username !== 'owner');
        expect(strip(again.body)).toEqual(strip(json));
      } finally {
        await empty.close();
      }
    }
  });
});
