import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingKey } from '../../src/directory/settings/setting-keys.js';
import { storeModes } from '../helpers/databases.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { PASSWORD, startApi, type Api } from './http-fixture.js';

const SENT = 'if this address may register here, a link to finish is on its way';

/** `/register` (issue 14): email on an allowed domain → a mailed link (single use, 24 h) → username and password. */
describe.each(storeModes)('the /register page on $mode', (mode) => {
  let api: Api;
  let smtp: SmtpCapture;
  const form = (body: Record<string, string>) =>
    fetch(`${api.base}/register`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const page = (query = '') => fetch(`${api.base}/register${query}`).then(async (r) => ({ status: r.status, text: await r.text() }));
  const linkFor = async (email: string): Promise<string> => {
    await expect.poll(() => smtp.mails.some((m) => m.to.includes(email)), { timeout: 20_000 }).toBe(true);
    const mail = smtp.mails.find((m) => m.to.includes(email))!;
    const link = /https?:\/\/\S+\/register\?token=[\w-]+/.exec(mail.text)?.[0];
    expect(link, mail.text).toBeDefined();
    return link!;
  };

  beforeAll(async () => {
    [api, smtp] = await Promise.all([startApi(mode), startSmtpCapture()]);
    const smtpSet = await api.call('PUT', '/api/v1/settings/smtp', { token: api.ownerToken, body: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'pgdir@example.com', publicUrl: api.base } });
    expect(smtpSet.status, smtpSet.text).toBe(200);
    expect((await api.call('PUT', '/api/v1/settings/registration', { token: api.ownerToken, body: { allowedDomains: ['example.com'] } })).status).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  it('an allowed address gets a link; the link makes the account once; the password then signs in', async () => {
    expect((await page()).text).toContain('name="email"');
    const sent = await form({ email: 'Nina.New@Example.com' });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain(SENT);
    const link = new URL(await linkFor('nina.new@example.com'));
    const token = link.searchParams.get('token')!;
    const shown = await page(link.search);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('nina.new@example.com');
    const weak = await form({ token, username: 'nina', password: 'short' });
    expect(weak.status).toBe(400);
    const taken = await form({ token, username: 'owner', password: PASSWORD });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('the username is taken');
    const made = await form({ token, username: 'Nina', password: PASSWORD });
    expect(made.status, made.text).toBe(200);
    expect(made.text).toContain('Your account nina is ready');
    const user = await api.store.findUserByUsername('nina');
    expect(user).toMatchObject({ email: 'nina.new@example.com', role: 'user', source: 'self-registered', active: true });
    expect((await api.call('POST', '/api/v1/auth/login', { body: { identifier: 'nina', password: PASSWORD } })).status).toBe(200);
    expect((await form({ token, username: 'nina2', password: PASSWORD })).status).toBe(410);
    expect((await page(link.search)).status).toBe(410);
    expect((await api.store.listAudit({ action: 'user.register', target: user!.id })).length).toBe(1);
  });

  it('the same answer for a taken address, a refused domain and nonsense; no mail for them; reasons audited', async () => {
    const before = smtp.mails.length;
    for (const email of ['owner@example.com', 'someone@elsewhere.org', 'not an address', '']) {
      const res = await form({ email });
      expect({ email, status: res.status, sent: res.text.includes(SENT) }).toEqual({ email, status: 200, sent: true });
    }
    await form({ email: 'olaf@example.com' });
    await linkFor('olaf@example.com');
    expect(smtp.mails.length).toBe(before + 1);
    const reasons = (await api.store.listAudit({ action: 'registration.request', limit: 10 })).map((a) => a.details['reason']);
    expect(reasons).toEqual(expect.arrayContaining(['exists', 'domain_not_allowed', 'invalid_email']));
  });

  it('a forged or unknown token is 410; without SMTP or while SAML is on the page is 404', async () => {
    expect((await page('?token=forged')).status).toBe(410);
    expect((await form({ token: 'forged', username: 'x', password: PASSWORD })).status).toBe(410);
    await api.store.write((tx) => tx.setSetting(SettingKey.samlSso, { enabled: true }));
    expect((await page()).status).toBe(404);
    expect((await form({ email: 'pia@example.com' })).status).toBe(404);
    await api.store.write((tx) => tx.deleteSetting(SettingKey.samlSso));
    expect((await api.call('PUT', '/api/v1/settings/smtp', { token: api.ownerToken, body: null })).status).toBe(200);
    expect((await page()).status).toBe(404);
  });
});
