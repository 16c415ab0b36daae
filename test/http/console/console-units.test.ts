import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { safeNext } from '../../../src/http/console/console-errors.js';
import { checkCsrf, csrfTokenFor } from '../../../src/http/console/csrf.js';
import { isLoopback } from '../../../src/http/console/loopback.js';
import { t } from '../../../src/http/console/messages.js';
import { open, seal } from '../../../src/http/console/sealed-state.js';
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

  it('sealed state opens only untouched and unexpired', async () => {
    const sealed = seal({ password: 'secret words' }, 60_000);
    expect(sealed).not.toContain('secret');
    expect(open(sealed)).toEqual({ password: 'secret words' });
    expect(open(`${sealed.slice(0, 30)}${sealed[30] === 'A' ? 'B' : 'A'}${sealed.slice(31)}`)).toBeUndefined();
    expect(open('garbage')).toBeUndefined();
    const short = seal({ a: 1 }, 1);
    await new Promise((r) => setTimeout(r, 5));
    expect(open(short)).toBeUndefined();
  });

  it('the catalog fills placeholders and leaves unknown ones visible', () => {
    expect(t('users.created', { name: 'alice' })).toBe('The user alice was created.');
    expect(t('users.created')).toBe('The user {name} was created.');
  });
});
