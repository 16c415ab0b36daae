import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMime } from '../src/mail/mime-message.js';
import { createSmtpMailer } from '../src/mail/smtp-mailer.js';
import { createTestPki, type TestPki } from './helpers/certs.js';
import { startSmtpCapture } from './helpers/smtp-capture.js';

const message = { to: 'alice@example.com', subject: 'Réinitialiser — reset', text: 'line one\n.\nlast', html: '<p>Hello</p>' };

describe('SMTP mailer against a loopback server', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki?.cleanup());

  it('upgrades with STARTTLS (verifying the certificate), authenticates with PLAIN and delivers both parts', async () => {
    const capture = await startSmtpCapture({ tls: { cert: pki.cert, key: pki.key } });
    try {
      const mailer = createSmtpMailer({ host: 'localhost', port: capture.port, secure: false, username: 'mailer', password: 'pw', from: 'pgdir <noreply@example.com>', tls: { ca: pki.ca } });
      await mailer.send(message);
      expect(capture.mails).toHaveLength(1);
      const mail = capture.mails[0];
      expect(mail).toMatchObject({ from: 'noreply@example.com', to: ['alice@example.com'], subject: message.subject, text: message.text, html: message.html, auth: 'PLAIN mailer:pw', tls: true });
    } finally {
      await capture.close();
    }
  });

  it('refuses an untrusted certificate, and credentials without TLS to a remote host', async () => {
    const capture = await startSmtpCapture({ tls: { cert: pki.cert, key: pki.key } });
    try {
      await expect(createSmtpMailer({ host: 'localhost', port: capture.port, secure: false, from: 'noreply@example.com' }).send(message)).rejects.toThrow();
      expect(capture.mails).toHaveLength(0);
    } finally {
      await capture.close();
    }
    const plain = await startSmtpCapture({ auth: 'LOGIN', host: '0.0.0.0' });
    try {
      await createSmtpMailer({ host: '127.0.0.1', port: plain.port, secure: false, username: 'u', password: 'p', from: 'noreply@example.com' }).send(message);
      expect(plain.mails[0]).toMatchObject({ auth: 'LOGIN u:p', tls: false, text: message.text }); // loopback relay: allowed
      const external = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;
      if (external !== undefined) await expect(createSmtpMailer({ host: external, port: plain.port, secure: false, username: 'u', password: 'p', from: 'noreply@example.com' }).send(message)).rejects.toThrow(/without TLS/);
    } finally {
      await plain.close();
    }
  });

  it('fails clearly when nothing listens, and refuses header injection', async () => {
    await expect(createSmtpMailer({ host: '127.0.0.1', port: 1, secure: false, from: 'a@b.c', timeoutMs: 2000 }).send(message)).rejects.toThrow();
    expect(() => buildMime('a@b.c', { ...message, subject: 'x\r\nBcc: evil@example.com' })).toThrow(/line breaks/);
  });
});
