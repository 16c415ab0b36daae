import fc from 'fast-check';
import { AndFilter, EqualityFilter, SubstringFilter, type Client, type Filter } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultCode } from './cases/context.js';
import { startDirectory, SUFFIX, USERS_DN, type E2eDirectory } from './harness.js';
import { httpLogin } from './seed.js';
import { bodyOf, pick, stringPaths, type JsonSchema } from '../helpers/openapi-sample.js';

/**
 * Issue 20 defect 7: hostile text (NUL and other control characters) in every HTTP string input —
 * path parameters, query parameters, JSON body strings, the CSV import body — and in LDAP bind DNs,
 * search bases, filter values and Compare DNs, against `pgdir serve` on PostgreSQL (which refuses
 * NUL in text: "invalid byte sequence for encoding UTF8: 0x00", SQLSTATE 22021). No answer may be a
 * 5xx over HTTP, nor `other` (80) or a dropped connection over LDAP.
 *
 * The HTTP operations come from the daemon's own OpenAPI document, so a new route is fuzzed as
 * soon as it exists. Each operation is first called once per string input with a NUL in that input
 * (deterministic coverage), then fast-check mixes random control-character strings.
 */
interface Slot {
  readonly in: 'path' | 'query' | 'body';
  /** Parameter name or body path (`members.0`). */
  readonly name: string;
}
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly params: readonly string[];
  readonly query: readonly string[];
  readonly bodySchema: JsonSchema | undefined;
  readonly csv: boolean;
  readonly form: boolean;
  readonly slots: readonly Slot[];
}
/** Routes left out: signing out would end the session the fuzzing uses. */
const SKIP = new Set(['POST /api/v1/auth/logout']);
/** The fields of the browser pages' form posts (accept invite, reset password, enrol 2FA). */
const FORM_FIELDS = ['token', 'username', 'identifier', 'password', 'password2', 'code', 'secret'];
const CONTROLS = [...Array.from({ length: 32 }, (_v, i) => String.fromCharCode(i)), '\u007f', '\u0085', '\u2028', '\ufeff'];

const controlText = fc
  .tuple(
    fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', 'z', '0', '.', '-', '@', ' ', 'é') }),
    fc.array(fc.constantFrom(...CONTROLS), { minLength: 1, maxLength: 3 }),
    fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'q', '1', '.', '@', ' ') }),
  )
  .map(([a, c, b]) => `${a}${c.join('')}${b}`);

function operations(doc: { paths: Record<string, Record<string, any>> }): Operation[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (SKIP.has(`${method.toUpperCase()} ${path}`)) continue;
      const parameters = (op.parameters ?? []) as { name: string; in: string; schema: JsonSchema }[];
      const params = parameters.filter((p) => p.in === 'path').map((p) => p.name);
      const query = parameters.filter((p) => p.in === 'query' && pick(p.schema).type === 'string').map((p) => p.name);
      const content = op.requestBody?.content ?? {};
      const bodySchema = content['application/json']?.schema as JsonSchema | undefined;
      const csv = content['text/csv'] !== undefined;
      const form = content['application/x-www-form-urlencoded'] !== undefined;
      const slots: Slot[] = [
        ...params.map((name): Slot => ({ in: 'path', name })),
        ...query.map((name): Slot => ({ in: 'query', name })),
        ...(bodySchema === undefined ? [] : stringPaths(bodySchema).map((p): Slot => ({ in: 'body', name: p.join('.') }))),
        ...(csv ? [{ in: 'body' as const, name: 'csv' }] : []),
        ...(form ? FORM_FIELDS.map((name): Slot => ({ in: 'body', name })) : []),
      ];
      ops.push({ method: method.toUpperCase(), path, params, query, bodySchema, csv, form, slots });
    }
  }
  return ops;
}

describe('control characters in every input (pgdir serve on PostgreSQL)', () => {
  let directory: E2eDirectory | undefined;
  let token = '';
  let ops: Operation[] = [];
  const dir = (): E2eDirectory => {
    if (directory === undefined) throw new Error('the directory did not start (see beforeAll)');
    return directory;
  };

  beforeAll(async () => {
    directory = await startDirectory({ mode: 'postgres', plainListener: false });
    const r = await directory.cli(['users', 'add', '--username', 'fuzzowner', '--email', 'fuzzowner@example.com', '--role', 'owner', '--password-stdin'], 'fuzzowner-Secret-1\n');
    if (r.code !== 0) throw new Error(r.stderr);
    token = await httpLogin(directory, { username: 'fuzzowner', password: 'fuzzowner-Secret-1' } as never);
    const doc = (await (await fetch(`${directory.httpUrl}/api/openapi.json`)).json()) as never;
    ops = operations(doc);
  }, 120_000);

  afterAll(async () => {
    const exit = await directory?.stop();
    if (exit !== undefined) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  /** One request with `text` in `slot` (or in every slot: 'all'); returns "METHOD path slot → status". */
  async function send(op: Operation, slot: Slot | 'all', text: string): Promise<{ bad: boolean; label: string }> {
    const at = (s: Slot): boolean => slot === 'all' || (slot.in === s.in && slot.name === s.name);
    let path = op.path;
    for (const name of op.params) {
      const value = at({ in: 'path', name }) ? text : 'plain-value';
      path = path.replace(`{${name}}`, encodeURIComponent(value));
    }
    const search = new URLSearchParams(op.query.map((name): [string, string] => [name, at({ in: 'query', name }) ? text : 'plain']));
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let body: string | undefined;
    if (op.bodySchema !== undefined) {
      const target = slot === 'all' ? 'all' : slot.in === 'body' ? slot.name.split('.') : ['\u0001none'];
      body = JSON.stringify(bodyOf(op.bodySchema, target, text));
      headers['content-type'] = 'application/json';
    } else if (op.csv) {
      body = `username,email\n${at({ in: 'body', name: 'csv' }) ? text : 'plain'},fuzz@example.com\n`;
      headers['content-type'] = 'text/csv';
    } else if (op.form) {
      body = new URLSearchParams(FORM_FIELDS.map((name): [string, string] => [name, at({ in: 'body', name }) ? text : 'plain-value'])).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const query = search.toString();
    const res = await fetch(`${dir().httpUrl}${path}${query === '' ? '' : `?${query}`}`, { method: op.method, headers, ...(body === undefined ? {} : { body }) });
    const detail = await res.text();
    const where = slot === 'all' ? 'all' : `${slot.in}:${slot.name}`;
    // A 503 from an unconfigured connector is an honest answer; a 500 or a database error is not.
    const bad = res.status === 500 || (res.status >= 400 && /database/i.test(detail));
    return { bad, label: `${op.method} ${op.path} ${where} ${JSON.stringify(text)} → ${res.status} ${bad ? detail : ''}`.trim() };
  }

  it('the OpenAPI document lists the inputs the issue names', () => {
    const names = ops.map((o) => `${o.method} ${o.path} ${o.slots.map((s) => `${s.in}:${s.name}`).join(',')}`).join('\n');
    for (const wanted of ['GET /api/v1/users/{id} path:id', 'POST /api/v1/auth/login body:identifier', 'POST /api/v1/auth/password-reset-request body:identifier', 'query:target', 'GET /api/v1/groups/{id} path:id']) {
      expect(names).toContain(wanted);
    }
    expect(names).toMatch(/service-accounts\/\{id\} path:id/);
  });

  it('a NUL in each HTTP string input, one at a time, is never a 500 nor a database error', async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const op of ops) {
      for (const slot of op.slots) {
        const r = await send(op, slot, 'x\u0000y');
        calls++;
        if (r.bad) failures.push(r.label);
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(80);
  }, 300_000);

  it('the issue\'s examples answer 400 or 404', async () => {
    const base = dir().httpUrl;
    const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    const post = (path: string, body: unknown, auth = true) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) => r.status);
    expect([400, 404]).toContain(await get('/api/v1/users/x%00'));
    expect([400, 404]).toContain(await get('/api/v1/groups/x%00'));
    expect([400, 404]).toContain(await get('/api/v1/service-accounts/x%00'));
    expect(await get('/api/v1/audit?target=x%00')).toBe(400);
    expect(await post('/api/v1/auth/login', { identifier: 'x\u0000', password: 'whatever-password' }, false)).toBe(400);
    expect(await post('/api/v1/auth/password-reset-request', { identifier: 'x\u0000' }, false)).toBe(400);
  });

  it('random control characters in random HTTP inputs (fast-check) are never a 500 nor a database error', async () => {
    const slots = ops.flatMap((op) => [...op.slots.map((slot) => ({ op, slot: slot as Slot | 'all' })), { op, slot: 'all' as const }]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...slots), controlText, async ({ op, slot }, text) => {
        const r = await send(op, slot, text);
        expect(r.bad, r.label).toBe(false);
      }),
      { numRuns: 300 },
    );
  }, 300_000);

  describe('LDAP', () => {
    const escaped = (s: string): string => [...Buffer.from(s, 'utf8')].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
    const bindDns = (v: string): string[] => [
      `uid=${v},${USERS_DN}`,
      `uid=${escaped(v)},${USERS_DN}`,
      `mail=${escaped(v)}@example.com,${USERS_DN}`,
      `cn=${escaped(v)},ou=system,${SUFFIX}`,
      `uid=alice+totpToken=${escaped(v)},${USERS_DN}`,
      v,
    ];

    async function bindCode(dn: string): Promise<number> {
      const client = dir().client();
      try {
        return await resultCode(client.bind(dn, 'some-Password-1'));
      } finally {
        await client.unbind().catch(() => undefined);
      }
    }

    it('the issue\'s bind DN uid=a\\00b answers 49; a raw NUL in the DN answers 34 or 49, never 80', async () => {
      expect(await bindCode(`uid=a\\00b,${USERS_DN}`)).toBe(49);
      expect(await bindCode(`uid=alice\\00,${USERS_DN}`)).toBe(49);
      expect([34, 49]).toContain(await bindCode(`uid=a\u0000b,${USERS_DN}`));
      // The connection still works after each of them: a correct bind succeeds.
      expect(await bindCode(dir().user('alice').dn).catch((e) => e)).not.toBe(80);
    });

    it('binds with control characters in the DN (fast-check) answer 49 or 34', async () => {
      await fc.assert(
        fc.asyncProperty(controlText, fc.integer({ min: 0, max: 5 }), async (v, which) => {
          const dn = bindDns(v)[which] as string;
          const code = await bindCode(dn);
          expect([34, 49], `bind ${JSON.stringify(dn)} → ${code}`).toContain(code);
        }),
        { numRuns: 150 },
      );
    }, 120_000);

    it('searches and compares with control characters in bases and filter values (fast-check) never answer 80', async () => {
      const alice = dir().user('alice');
      const client: Client = await dir().bound(alice.dn, alice.password);
      const admin: Client = await dir().bound(dir().adminDn, dir().adminPassword);
      try {
        const filters = (v: string): Filter[] => [
          new EqualityFilter({ attribute: 'uid', value: v }),
          new EqualityFilter({ attribute: 'member', value: `uid=${v},${USERS_DN}` }),
          new EqualityFilter({ attribute: 'member', value: `uid=${escaped(v)},${USERS_DN}` }),
          new EqualityFilter({ attribute: 'entryUUID', value: v }),
          new SubstringFilter({ attribute: 'cn', any: [v] }),
          new AndFilter({ filters: [new EqualityFilter({ attribute: 'objectClass', value: 'top' }), new EqualityFilter({ attribute: 'mail', value: v })] }),
        ];
        await fc.assert(
          fc.asyncProperty(controlText, fc.integer({ min: 0, max: 5 }), fc.boolean(), async (v, which, asAdmin) => {
            const c = asAdmin ? admin : client;
            const search = await resultCode(c.search(SUFFIX, { filter: filters(v)[which] as Filter }));
            expect([0, 32], `search filter ${which} ${JSON.stringify(v)}`).toContain(search);
            const base = await resultCode(c.search(`uid=${escaped(v)},${USERS_DN}`, { scope: 'base' }));
            expect([32, 34], `search base ${JSON.stringify(v)}`).toContain(base);
            const raw = await resultCode(c.search(`uid=${v},${USERS_DN}`, { scope: 'base' }));
            expect([32, 34], `search raw base ${JSON.stringify(v)}`).toContain(raw);
            const compare = await resultCode(c.compare(`uid=${escaped(v)},${USERS_DN}`, 'uid', v));
            expect([32, 34], `compare ${JSON.stringify(v)}`).toContain(compare);
          }),
          { numRuns: 100 },
        );
      } finally {
        await client.unbind().catch(() => undefined);
        await admin.unbind().catch(() => undefined);
      }
    }, 120_000);
  });
});
