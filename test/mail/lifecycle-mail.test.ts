import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/actor.js';
import { createAuthThrottle } from '../../src/directory/auth/auth-throttle.js';
import { createDirectoryServices, type DirectoryServices } from '../../src/directory/directory-services.js';
import { base32Decode, hotp, totpStep } from '../../src/crypto/totp.js';
import { createHttpService, type HttpService } from '../../src/http/http-service.js';
import { createSmtpMailer } from '../../src/mail/smtp-mailer.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { storeModes, type StoreFixture } from '../helpers/databases.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';

const PASSWORD = 'correct horse battery';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const tokenIn = (text: string) => /token=([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? '';

describe.each(storeModes)('lifecycle mails through a loopback SMTP server on $mode', (mode) => {
  let fixture: StoreFixture;
  let store: Store;
  let directory: DirectoryServices;
  let service: HttpService;
  let smtp: SmtpCapture;
  let ownerToken: string;
  const call = async (method: string, path: string, body?: unknown, token = ownerToken) => {
    const res = await fetch(`${service.address().url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  const mailTo = async (to: string) => {
    await expect.poll(() => smtp.mails.some((m) => m.to.includes(to)), { timeout: 5000 }).toBe(true);
    return smtp.mails.filter((m) => m.to.includes(to)).at(-1);
  };

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    fixture = await mode.create();
    store = await openStore(fixture.options);
    const mailer = createSmtpMailer({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'pgdir <noreply@example.com>' });
    directory = createDirectoryServices({ store, bcryptCost: 4, mailer, publicUrl: 'https://pgdir.example.test' });
    service = createHttpService({ listen: '127.0.0.1:0', directory, throttle: createAuthThrottle({ store, maxFailures: 50, windowMs: 60_000 }), logger: quiet });
    await service.start();
    await directory.users.addUser({ username: 'owner', email: 'owner@example.com', password: PASSWORD, role: 'owner' }, systemActor());
    ownerToken = (await call('POST', '/api/v1/auth/login', { identifier: 'owner', password: PASSWORD })).body.token;
  });
  afterAll(async () => {
    await service?.close(1000);
    await store?.close();
    await fixture?.cleanup();
    await smtp?.close();
  });

  it('invite: the mail goes to the fallback email with the link, which then works', async () => {
    const created = await call('POST', '/api/v1/users', { email: 'ivy@example.com', fallbackEmail: 'ivy.home@example.org' });
    expect(created).toMatchObject({ status: 201, body: { inviteEmailSent: true } });
    const mail = await mailTo('ivy.home@example.org');
    expect(mail).toMatchObject({ from: 'noreply@example.com', subject: 'You are invited to pgdir' });
    expect(created.body.inviteLink).toMatch(/^https:\/\/pgdir\.example\.test\/accept-invite\?token=/);
    expect(mail?.text).toContain(created.body.inviteLink);
    expect(mail?.html).toContain(`href="${created.body.inviteLink}"`);
    const accepted = await call('POST', '/api/v1/auth/invite/accept', { token: tokenIn(mail?.text ?? ''), username: 'ivy', password: PASSWORD });
    expect(accepted).toMatchObject({ status: 200, body: { username: 'ivy' } });
  });

  it('forgot password: a mail for a known account, none for an unknown one, same answer', async () => {
    await directory.users.addUser({ username: 'rita', email: 'rita@example.com', password: PASSWORD }, systemActor());
    const before = smtp.mails.length;
    const unknown = await call('POST', '/api/v1/auth/password-reset-request', { identifier: 'ghost@example.com' });
    const known = await call('POST', '/api/v1/auth/password-reset-request', { identifier: 'RITA' });
    // The link's address comes from smtp.public_url, never from the request (reset poisoning).
    expect(unknown).toEqual(known);
    expect(known.status).toBe(202);
    const mail = await mailTo('rita@example.com');
    expect(smtp.mails.length).toBe(before + 1);
    expect(mail?.subject).toBe('Reset your pgdir password');
    expect(mail?.text).toMatch(/https:\/\/pgdir\.example\.test\/reset-password\?token=[A-Za-z0-9_-]{43}/);
    expect((await call('POST', '/api/v1/auth/password-reset', { token: tokenIn(mail?.text ?? ''), password: 'a fresh password' })).status).toBe(204);
    expect((await call('POST', '/api/v1/auth/login', { identifier: 'rita', password: 'a fresh password' })).status).toBe(200);
  });

  it('SMTP from the YAML is locked for the API', async () => {
    expect((await call('GET', '/api/v1/settings/smtp')).body).toEqual({ configured: true, locked: true, settings: null });
    const put = await call('PUT', '/api/v1/settings/smtp', { host: 'x', port: 25, secure: false, from: 'a@b.c' });
    expect(put).toMatchObject({ status: 409, body: { error: { field: 'smtp' } } });
  });

  it('managers send reset mails; disabling 2FA tells the user', async () => {
    const sent = await call('POST', '/api/v1/users/rita/send_password_reset_email');
    expect(sent).toMatchObject({ status: 202, body: { sentTo: 'rita@example.com' } });
    const user = await directory.users.addUser({ username: 'tom', email: 'tom@example.com', password: PASSWORD }, systemActor());
    const token = (await call('POST', '/api/v1/auth/login', { identifier: 'tom', password: PASSWORD })).body.token;
    const secret = (await call('POST', '/api/v1/profile/2fa/secret', undefined, token)).body.secret;
    expect((await call('POST', '/api/v1/profile/2fa/enable', { totpToken: hotp(base32Decode(secret), totpStep(Date.now())) }, token)).status).toBe(200);
    expect((await call('POST', `/api/v1/users/${user.id}/2fa/disable`)).status).toBe(200);
    expect((await mailTo('tom@example.com'))?.subject).toBe('Two-factor authentication was turned off');
  });
});
