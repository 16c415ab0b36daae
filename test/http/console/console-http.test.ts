import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, hotp, totpStep } from '../../../src/crypto/totp.js';
import { LOGIN_FAILED } from '../../../src/http/auth/login.js';
import { storeModes } from '../../helpers/databases.js';
import { PASSWORD, startApi, type Api } from '../http-fixture.js';
import { ConsoleClient } from './console-client.js';

/** One character of the sealed state changed (GCM's tag then fails). */
const tamper = (text: string): string => `${text.slice(0, 20)}${text[20] === 'A' ? 'B' : 'A'}${text.slice(21)}`;

const assetsOf = (html: string) => ({
  css: /href="(\/assets\/console-[0-9a-f]{12}\.css)"/.exec(html)?.[1] ?? '',
  js: /src="(\/assets\/htmx-[0-9a-f]{12}\.js)"/.exec(html)?.[1] ?? '',
});

describe.each(storeModes)('web console over HTTP on $mode', (mode) => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi(mode);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('serves the sign-in page with a strict CSP, and its stylesheet and the pinned htmx from the package', async () => {
    const page = await new ConsoleClient(api.base).get('/');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.text).not.toMatch(/<style|style="|<script>/); // nothing inline for the CSP to refuse
    const { css, js } = assetsOf(page.text);
    const style = await fetch(`${api.base}${css}`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await style.text()).toContain(':focus-visible');
    const script = await fetch(`${api.base}${js}`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const pinned = await readFile(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
    expect(await script.text()).toBe(pinned);
    expect((await fetch(`${api.base}/assets/htmx-000000000000.js`)).status).toBe(404);
  });

  it('signs in with a cookie that is HttpOnly, SameSite=Strict, not Secure over plain HTTP; a wrong password shows the uniform error', async () => {
    const browser = new ConsoleClient(api.base);
    const wrong = await browser.signIn('owner', 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(LOGIN_FAILED);
    expect(browser.cookie).toBeUndefined();
    const res = await fetch(`${api.base}/`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: api.base }, body: new URLSearchParams({ identifier: 'owner@example.com', password: PASSWORD, next: '/groups' }) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/groups');
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^pgdir_session=pgdir_[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    const session = await browser.signIn('owner', PASSWORD);
    expect(session).toMatchObject({ status: 303, location: '/' });
    expect((await browser.get('/')).location).toBe('/users'); // the owner's home: the first page the nav offers
  });

  it('refuses a sign-in form posted from another site (login CSRF)', async () => {
    const browser = new ConsoleClient(api.base);
    const forged = await browser.post('/', { identifier: 'owner', password: PASSWORD }, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(browser.cookie).toBeUndefined();
    const site = await browser.post('/', { identifier: 'owner', password: PASSWORD }, { 'sec-fetch-site': 'cross-site' });
    expect(site.status).toBe(403);
  });

  it('CSRF: a state change with the cookie but without the session token is refused and changes nothing', async () => {
    const browser = new ConsoleClient(api.base);
    await browser.signIn('owner', PASSWORD);
    const csrf = ConsoleClient.csrfOf((await browser.get('/users/new')).text);
    const fields = { email: 'csrf@example.com', how: 'password', password: PASSWORD };
    expect((await browser.post('/users/new', fields)).status).toBe(403);
    expect((await browser.post('/users/new', { ...fields, _csrf: 'x'.repeat(csrf.length) })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/users?search=csrf', { token: api.ownerToken })).body.total).toBe(0);
    // Another session's token does not fit this one.
    const other = new ConsoleClient(api.base);
    await other.signIn('owner', PASSWORD);
    const otherCsrf = ConsoleClient.csrfOf((await other.get('/users/new')).text);
    expect(otherCsrf).not.toBe(csrf);
    expect((await browser.post('/users/new', { ...fields, _csrf: otherCsrf })).status).toBe(403);
    const made = await browser.post('/users/new', { ...fields, _csrf: csrf });
    expect(made.status).toBe(303);
    expect((await api.call('GET', '/api/v1/users?search=csrf', { token: api.ownerToken })).body.total).toBe(1);
  });

  it('the API accepts the cookie session: reads freely, changes only with X-CSRF-Token', async () => {
    const browser = new ConsoleClient(api.base);
    await browser.signIn('owner', PASSWORD);
    const csrf = ConsoleClient.csrfOf((await browser.get('/users')).text);
    expect((await browser.get('/api/v1/profile')).status).toBe(200);
    const body = JSON.stringify({ name: 'cookie-group' });
    const json = { 'content-type': 'application/json' };
    expect((await browser.send('/api/v1/groups', { method: 'POST', body, headers: json })).status).toBe(403);
    expect((await browser.send('/api/v1/groups', { method: 'POST', body, headers: { ...json, 'x-csrf-token': csrf } })).status).toBe(201);
  });

  it('usermanager: no role control on the pages, and forged role posts are refused', async () => {
    const { user: target } = await api.userWithToken('plain', 'user');
    await api.userWithToken('manager', 'usermanager');
    const browser = new ConsoleClient(api.base);
    await browser.signIn('manager', PASSWORD);
    const form = await browser.get('/users/new');
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('name="role"');
    const csrf = ConsoleClient.csrfOf(form.text);
    const forged = await browser.post('/users/new', { _csrf: csrf, email: 'boss@example.com', username: 'boss', role: 'admin', how: 'password', password: PASSWORD });
    expect(forged.status).toBe(403);
    expect((await api.call('GET', '/api/v1/users?search=boss', { token: api.ownerToken })).body.total).toBe(0);
    const edit = await browser.get(`/users/${target.id}`);
    expect(edit.status).toBe(200);
    expect(edit.text).not.toContain('name="role"');
    expect(edit.text).toContain('name="fullName"');
    const promote = await browser.post(`/users/${target.id}/role`, { _csrf: csrf, role: 'admin' });
    expect(promote.status).toBe(403);
    expect((await api.call('GET', `/api/v1/users/${target.id}`, { token: api.ownerToken })).body.role).toBe('user');
    expect((await browser.get('/users')).text).not.toContain('href="/settings'); // nav follows may()
  });

  it('a plain user sees no Users or Groups pages (403 page), and the nav offers neither', async () => {
    await api.userWithToken('nobody', 'user');
    const browser = new ConsoleClient(api.base);
    await browser.signIn('nobody', PASSWORD);
    const home = await browser.get('/profile'); // a plain user's home: / sends them to their profile (console2)
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('href="/users"');
    expect((await browser.get('/users')).status).toBe(403);
    expect((await browser.get('/groups')).status).toBe(403);
  });

  it('two-factor sign-in: the password step leads to the code step; a wrong code is refused, the right one signs in', async () => {
    const { user } = await api.userWithToken('tfa', 'usermanager');
    const { secret } = await api.directory.lifecycle.twoFactor.newSecret(user);
    const code = (step: number) => hotp(base32Decode(secret), step);
    const step = totpStep(Date.now());
    await api.directory.lifecycle.twoFactor.enable(user, code(step), '127.0.0.1');
    const browser = new ConsoleClient(api.base);
    const first = await browser.signIn('tfa', PASSWORD);
    expect(first.status).toBe(200);
    expect(first.text).toContain('autocomplete="one-time-code"');
    expect(browser.cookie).toBeUndefined();
    expect(first.text).not.toContain(PASSWORD); // the password travels sealed
    const state = /name="state" value="([^"]+)"/.exec(first.text)?.[1] ?? '';
    const wrong = await browser.post('/', { step: 'totp', state, totpToken: code(step + 5) });
    expect(wrong.status).toBe(401);
    expect(browser.cookie).toBeUndefined();
    expect((await browser.post('/', { step: 'totp', state: tamper(state), totpToken: code(step + 1) })).status).toBe(400); // tampered
    const ok = await browser.post('/', { step: 'totp', state, totpToken: code(step + 1) });
    expect(ok.status).toBe(303);
    expect(browser.cookie).toBeDefined();
  });

  it('sign out ends the session on the server (the old cookie no longer works) and clears the cookie', async () => {
    const browser = new ConsoleClient(api.base);
    await browser.signIn('owner', PASSWORD);
    const old = browser.cookie;
    const csrf = ConsoleClient.csrfOf((await browser.get('/users')).text);
    const out = await browser.post('/sign-out', { _csrf: csrf });
    expect(out).toMatchObject({ status: 303, location: '/?signedOut=1' });
    expect(out.headers.getSetCookie()[0]).toMatch(/^pgdir_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict$/);
    expect(browser.cookie).toBeUndefined();
    browser.cookie = old;
    expect((await browser.get('/users')).location).toBe('/?next=%2Fusers');
  });

  it('a browser asking for a page that does not exist gets an HTML 404; the API keeps JSON', async () => {
    const html = await fetch(`${api.base}/no-such-page`, { headers: { accept: 'text/html,*/*' } });
    expect(html.status).toBe(404);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('There is no such page.');
    const json = await fetch(`${api.base}/api/v1/nothing`, { headers: { accept: 'text/html' } });
    expect(json.status).toBe(404);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('the first-run set-up page is closed once an owner exists', async () => {
    const page = await new ConsoleClient(api.base).get('/setup');
    expect(page.status).toBe(404);
    const posted = await new ConsoleClient(api.base).post('/setup', { username: 'intruder', email: 'i@example.com', password: PASSWORD });
    expect(posted.status).toBe(404);
    expect((await api.call('GET', '/api/v1/users?search=intruder', { token: api.ownerToken })).body.total).toBe(0);
  });

  it('mandatory 2FA sends a signed-in user without 2FA to enrolment, and every other page there too', async () => {
    await api.userWithToken('late', 'usermanager');
    expect((await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { mandatory2fa: true } })).status).toBe(200);
    try {
      const browser = new ConsoleClient(api.base);
      const signed = await browser.signIn('late', PASSWORD);
      expect(signed).toMatchObject({ status: 303, location: '/two-factor' });
      expect((await browser.get('/users')).location).toBe('/two-factor');
      expect((await browser.get('/')).location).toBe('/two-factor');
      const enrol = await browser.get('/two-factor');
      expect(enrol.status).toBe(200);
      expect(enrol.text).toContain('Two-factor authentication is required here');
      expect(enrol.text).toMatch(/<img src="data:image\/png;base64,/);
    } finally {
      await api.call('PUT', '/api/v1/settings/user-directory', { token: api.ownerToken, body: { mandatory2fa: false } });
    }
  });
});
