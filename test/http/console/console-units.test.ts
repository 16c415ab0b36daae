import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { safeNext } from '../../../src/http/console/console-errors.js';
import { checkCsrf, csrfTokenFor } from '../../../src/http/console/csrf.js';
import { isLoopback } from '../../../src/http/console/loopback.js';
import { t } from '../../../src/http/console/messages.js';
import { randomBytes } from 'node:crypto';
import { sealerOf } from '../../../src/http/console/sealed-state.js';
import { boundaryOf, parseMultipart } from '../../../src/http/console/multipart-form.js';
import { importProgress } from '../../../src/http/console/pages/user-import-progress.js';
import type { JobView } from '../../../src/http/job-registry.js';
import type { Caller, Route } from '../../../src/http/route.js';

const page = { page: true } as Route<unknown, unknown>;
const req = (method: string, headers: Record<string, string> = {}) => ({ method, headers: { host: 'pgdir.test:8080', ...headers } }) as unknown as IncomingMessage;
const cookieCaller = (csrf: string) => ({ csrf }) as Caller;
const form = (text: string) => ({ contentType: 'application/x-www-form-urlencoded', text });

describe('console building blocks', () => {
  it('first-run is for loopback addresses only', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1'].map(isLoopback)).toEqual([true, true, true]);
    expect(['10.0.0.1', '::ffff:127.0.0.1', '1270.0.0.1', '::2', '', '127.0.0.1.evil'].map(isLoopback)).toEqual([false, false, false, false, false, false]);
  });

  it('sends people back only to a path on this site (no open redirect)', () => {
    expect(safeNext('/users?role=admin')).toBe('/users?role=admin');
    for (const bad of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'users', '', undefined, null]) expect(safeNext(bad)).toBe('/');
  });

  it('the CSRF token is bound to the session token and checked from the form field or the header', () => {
    const token = csrfTokenFor('session-a');
    expect(token).toBe(csrfTokenFor('session-a'));
    expect(token).not.toBe(csrfTokenFor('session-b'));
    expect(token).not.toContain('session-a');
    const caller = cookieCaller(token);
    expect(() => checkCsrf(page, req('POST'), caller, form(`a=1&_csrf=${token}`))).not.toThrow();
    expect(() => checkCsrf(page, req('POST', { 'x-csrf-token': token }), caller, undefined)).not.toThrow();
    expect(() => checkCsrf(page, req('POST'), caller, form('a=1'))).toThrow(/another site/);
    expect(() => checkCsrf(page, req('DELETE'), caller, undefined)).toThrow(/another site/);
    expect(() => checkCsrf(page, req('POST'), caller, form(`_csrf=${csrfTokenFor('session-b')}`))).toThrow(/another site/);
    expect(() => checkCsrf(page, req('GET'), caller, undefined)).not.toThrow(); // reads are not state changes
  });

  it('a form without a session must come from this site', () => {
    expect(() => checkCsrf(page, req('POST', { 'sec-fetch-site': 'same-origin', origin: 'null' }), undefined, form(''))).not.toThrow();
    expect(() => checkCsrf(page, req('POST', { 'sec-fetch-site': 'cross-site' }), undefined, form(''))).toThrow();
    expect(() => checkCsrf(page, req('POST', { 'sec-fetch-site': 'same-site' }), undefined, form(''))).toThrow();
    expect(() => checkCsrf(page, req('POST', { origin: 'http://pgdir.test:8080' }), undefined, form(''))).not.toThrow();
    expect(() => checkCsrf(page, req('POST', { origin: 'http://evil.example' }), undefined, form(''))).toThrow();
    expect(() => checkCsrf(page, req('POST', { origin: 'null' }), undefined, form(''))).toThrow();
    // API routes without a cookie session (bearer tokens, scripts) are not affected.
    expect(() => checkCsrf({} as Route<unknown, unknown>, req('POST', { origin: 'http://evil.example' }), undefined, undefined)).not.toThrow();
  });

  it('sealed state opens only untouched, unexpired and under the same key', async () => {
    const key = randomBytes(32);
    const { seal, open } = sealerOf(async () => key);
    const sealed = await seal({ password: 'secret words' }, 60_000);
    expect(sealed).not.toContain('secret');
    expect(await open(sealed)).toEqual({ password: 'secret words' });
    // Another process with the same key (a restart, a replica) opens it; another key does not.
    expect(await sealerOf(async () => Buffer.from(key)).open(sealed)).toEqual({ password: 'secret words' });
    expect(await sealerOf(async () => randomBytes(32)).open(sealed)).toBeUndefined();
    expect(await open(`${sealed.slice(0, 30)}${sealed[30] === 'A' ? 'B' : 'A'}${sealed.slice(31)}`)).toBeUndefined();
    expect(await open('garbage')).toBeUndefined();
    const short = await seal({ a: 1 }, 1);
    await new Promise((r) => setTimeout(r, 5));
    expect(await open(short)).toBeUndefined();
  });

  it('the catalog fills placeholders and leaves unknown ones visible', () => {
    expect(t('users.created', { name: 'alice' })).toBe('The user alice was created.');
    expect(t('users.created')).toBe('The user {name} was created.');
  });

  it('reads a multipart form (RFC 7578): fields, a file with its name and type, quoted boundaries', () => {
    const type = 'multipart/form-data; boundary="----b0und"';
    expect(boundaryOf(type)).toBe('----b0und');
    expect(boundaryOf('multipart/form-data; boundary=xyz; charset=utf-8')).toBe('xyz');
    expect(boundaryOf('multipart/form-data')).toBeUndefined();
    const body = [
      'preamble',
      '------b0und',
      'Content-Disposition: form-data; name="_csrf"',
      '',
      'tok',
      '------b0und',
      'Content-Disposition: form-data; name="file"; filename="a %22b%22.csv"',
      'Content-Type: text/csv',
      '',
      'username,email\r\nx,x@example.com\r\n',
      '------b0und',
      'Content-Disposition: form-data; name="empty"; filename=""',
      'Content-Type: application/octet-stream',
      '',
      '',
      '------b0und--',
      '',
    ].join('\r\n');
    const form = parseMultipart(body, type);
    expect(form.fields).toEqual({ _csrf: 'tok' });
    expect(form.files['file']).toEqual({ filename: 'a "b".csv', contentType: 'text/csv', text: 'username,email\r\nx,x@example.com\r\n' });
    expect(form.files['empty']).toEqual({ filename: '', contentType: 'application/octet-stream', text: '' });
    expect(() => parseMultipart(body, 'multipart/form-data')).toThrow(/boundary/);
  });

  it('the CSRF token of a multipart upload is read from its field', () => {
    const token = csrfTokenFor('session-m');
    const type = 'multipart/form-data; boundary=zz';
    const text = `--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--zz--\r\n`;
    const upload = (body: string) => ({ contentType: 'multipart/form-data', text: body });
    expect(() => checkCsrf(page, req('POST', { 'content-type': type }), cookieCaller(token), upload(text))).not.toThrow();
    expect(() => checkCsrf(page, req('POST', { 'content-type': type }), cookieCaller(token), upload(text.replace(token, csrfTokenFor('other'))))).toThrow(/another site/);
    expect(() => checkCsrf(page, req('POST', { 'content-type': 'multipart/form-data' }), cookieCaller(token), upload(text))).toThrow(/another site/);
  });

  it('a running import shows its progress, polled by htmx, with a Refresh link and no meta refresh; an ended one its report', () => {
    const job = (over: Partial<JobView>): JobView => ({ id: 'j1', kind: 'users.import', state: 'running', progress: null, startedAt: '', finishedAt: null, result: null, error: null, ...over });
    const running = importProgress(job({ progress: { phase: 'writing', done: 200, total: 1000 } }), true);
    expect(running).toContain('hx-get="/users-import/j1" hx-trigger="every 1s"');
    expect(running).toContain('Creating the users: 200 of 1000');
    expect(running).toContain('<progress value="200" max="1000"');
    expect(running).toContain('<a class="button secondary" href="/users-import/j1">Refresh</a>');
    expect(running).not.toMatch(/http-equiv/i);
    const ended = importProgress(job({ state: 'succeeded', result: { created: 0, errors: [{ row: 2, field: 'email', message: 'bad <email>' }] } }), true);
    expect(ended).not.toContain('hx-get');
    expect(ended).toContain('1 problem(s) found; nothing was imported.');
    expect(ended).toContain('<td>2</td><td>email</td><td>bad &lt;email&gt;</td>');
  });
});
