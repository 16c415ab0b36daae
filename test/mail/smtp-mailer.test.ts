import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigFiles } from '../../src/config/check-files.js';
import { loadConfig } from '../../src/config/index.js';
import { smtpSettingsFromConfig } from '../../src/mail/smtp-config.js';
import { createSmtpMailer, type SmtpSettings } from '../../src/mail/smtp-mailer.js';
import { createTestPki, type TestPki } from '../helpers/certs.js';
import { decodeWords } from '../helpers/mime-decode.js';
import { startSmtpCapture, type SmtpCapture, type SmtpCaptureOptions } from '../helpers/smtp-capture.js';

const message = { to: 'alice@example.com', subject: 'Réinitialiser — reset', text: 'line one\n.\nlast', html: '<p>Hello</p>' };
const ASCII = /^[\x20-\x7e\r\n\t]*$/;

async function withCapture(options: SmtpCaptureOptions, run: (capture: SmtpCapture) => Promise<void>): Promise<void> {
  const capture = await startSmtpCapture(options);
  try {
    await run(capture);
  } finally {
    await capture.close();
  }
}

/** Every RFC 2047 encoded word in a header block. */
const encodedWords = (raw: string): string[] => raw.slice(0, raw.indexOf('\r\n\r\n')).match(/=\?[^?]+\?[BQbq]\?[^?]*\?=/g) ?? [];

describe('SMTP mailer against a loopback server', () => {
  let pki: TestPki;
  let dir: string;
  beforeAll(() => {
    pki = createTestPki();
    dir = mkdtempSync(join(tmpdir(), 'pgdir-smtp-'));
  });
  afterAll(() => {
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The mailer the daemon builds from a YAML `smtp:` mapping. */
  const fromYaml = (yaml: string[]): SmtpSettings => {
    const file = join(dir, `pgdir-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, ['smtp:', ...yaml.map((l) => `  ${l}`)].join('\n'));
    const smtp = loadConfig({ path: file, env: {}, cwd: dir }).config.smtp;
    if (smtp === undefined) throw new Error('no smtp');
    return smtpSettingsFromConfig(smtp);
  };

  it('upgrades with STARTTLS (verifying the certificate), authenticates with PLAIN and delivers both parts', async () => {
    await withCapture({ tls: { cert: pki.cert, key: pki.key } }, async (capture) => {
      const mailer = createSmtpMailer({ host: 'localhost', port: capture.port, secure: false, username: 'mailer', password: 'pw', from: 'pgdir <noreply@example.com>', tls: { ca: pki.ca } });
      await mailer.send(message);
      expect(capture.mails).toHaveLength(1);
      const mail = capture.mails[0];
      expect(mail).toMatchObject({ from: 'noreply@example.com', to: ['alice@example.com'], subject: message.subject, text: message.text, html: message.html, auth: 'PLAIN mailer:pw', tls: true });
      expect(mail?.commands.slice(0, 3).map((c) => c.split(' ')[0])).toEqual(['EHLO', 'STARTTLS', 'EHLO']);
      expect(mail?.raw).toMatch(ASCII); // 7-bit clean: encoded words and quoted-printable
    });
  });

  it('sends a non-ASCII sender name as RFC 2047 encoded words of at most 75 characters', async () => {
    await withCapture({}, async (capture) => {
      const long = 'Zoë Müller-Lüdenscheidt von Überwald, Großherzögin der Straßenbahn';
      for (const name of ['Zoë Müller', long]) {
        await createSmtpMailer({ host: '127.0.0.1', port: capture.port, secure: false, from: `${name} <zoe@example.com>` }).send({ ...message, subject: `Grüße — ${'ü'.repeat(60)}` });
      }
      const [short, folded] = capture.mails;
      // Before: "From: Zoë Müller <…>" went out as raw 8-bit bytes.
      expect(short?.raw).toMatch(/^From: =\?UTF-8\?[BQ]\?[^?]+\?= <zoe@example\.com>\r\n/m);
      for (const mail of [short, folded]) {
        expect(mail?.raw).toMatch(ASCII);
        const words = encodedWords(mail?.raw ?? '');
        expect(words.length).toBeGreaterThan(0);
        for (const word of words) expect(word.length).toBeLessThanOrEqual(75); // RFC 2047 §2
      }
      expect(encodedWords(folded?.raw ?? '').length).toBeGreaterThan(3);
      expect(decodeWords(short?.headers.get('from') ?? '')).toBe('Zoë Müller <zoe@example.com>');
      expect(decodeWords(folded?.headers.get('from') ?? '')).toBe(`${long} <zoe@example.com>`);
      expect(folded?.subject).toBe(`Grüße — ${'ü'.repeat(60)}`);
      expect(short?.from).toBe('zoe@example.com');
    });
  });

  it('sends to an internationalised domain as punycode (RFC 5890), in the envelope and the To header', async () => {
    await withCapture({}, async (capture) => {
      await createSmtpMailer({ host: '127.0.0.1', port: capture.port, secure: false, from: 'noreply@example.com' }).send({ ...message, to: 'user@bücher.de' });
      const mail = capture.mails[0];
      expect(mail?.commands).toContain('RCPT TO:<user@xn--bcher-kva.de>');
      expect(mail?.headers.get('to')).toBe('user@xn--bcher-kva.de');
      expect(mail?.raw).toMatch(ASCII);
    });
  });

  it('uses SMTPUTF8 (RFC 6531) for an address that needs it when the server offers it', async () => {
    await withCapture({ smtputf8: true }, async (capture) => {
      await createSmtpMailer({ host: '127.0.0.1', port: capture.port, secure: false, from: 'zoë@bücher.de' }).send(message);
      const mailFrom = capture.mails[0]?.commands.find((c) => c.startsWith('MAIL FROM:'));
      expect(Buffer.from(mailFrom ?? '', 'latin1').toString('utf8')).toBe('MAIL FROM:<zoë@bücher.de> SMTPUTF8');
    });
  });

  it('require_tls: a server without STARTTLS gets no mail and no credentials, and the error says why', async () => {
    await withCapture({}, async (capture) => {
      const settings = fromYaml([`host: 127.0.0.1`, `port: ${capture.port}`, 'from: noreply@example.com', 'username: relay', 'password: secret-pw', 'require_tls: true']);
      const failure = await createSmtpMailer(settings).send(message).catch((e: unknown) => e as Error);
      expect(failure).toBeInstanceOf(Error);
      expect(failure?.message).toMatch(/does not offer STARTTLS and smtp\.require_tls is set .*the mail was not sent/);
      expect(capture.mails).toHaveLength(0);
      const commands = capture.sessions.flatMap((s) => s.commands);
      expect(commands.map((c) => c.split(' ')[0])).toEqual(['EHLO', 'STARTTLS']); // nothing after the refusal
      expect(commands.join('\n')).not.toContain(Buffer.from('secret-pw').toString('base64'));
    });
    // The same setting against a server that offers STARTTLS: delivered, encrypted.
    await withCapture({ tls: { cert: pki.cert, key: pki.key } }, async (capture) => {
      await createSmtpMailer(fromYaml([`host: localhost`, `port: ${capture.port}`, 'from: noreply@example.com', 'require_tls: true', `tls: { ca_file: ${pki.caFile} }`])).send(message);
      expect(capture.mails[0]?.tls).toBe(true);
    });
  });

  it('trusts a private CA from smtp.tls.ca_file, and only then (or with reject_unauthorized: false)', async () => {
    await withCapture({ tls: { cert: pki.cert, key: pki.key } }, async (capture) => {
      const base = [`host: localhost`, `port: ${capture.port}`, 'from: noreply@example.com'];
      await expect(createSmtpMailer(fromYaml(base)).send(message)).rejects.toThrow(/certificate/);
      expect(capture.mails).toHaveLength(0);
      await createSmtpMailer(fromYaml([...base, 'tls:', `  ca_file: ${pki.caFile}`])).send(message);
      expect(capture.mails).toHaveLength(1);
      expect(capture.mails[0]?.tls).toBe(true);
      await createSmtpMailer(fromYaml([...base, 'tls:', '  reject_unauthorized: false'])).send(message);
      expect(capture.mails).toHaveLength(2);
    });
    expect(() => fromYaml(['host: localhost', 'from: a@b.c', 'tls: { ca_file: ./missing-ca.pem }'])).toThrow(/smtp\.tls\.ca_file: cannot read .*missing-ca\.pem \(ENOENT\)/);
    // `pgdir check-config` and `pgdir serve` say so before anything starts.
    const check = (caFile: string) => () => {
      const file = join(dir, 'check.yaml');
      writeFileSync(file, `smtp: { host: localhost, from: a@b.c, tls: { ca_file: ${caFile} } }`);
      checkConfigFiles(loadConfig({ path: file, env: {}, cwd: dir }).config);
    };
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n');
    expect(check('missing-ca.pem')).toThrow(/smtp\.tls\.ca_file: .*missing-ca\.pem does not exist/);
    expect(check('junk.pem')).toThrow(/smtp\.tls\.ca_file: .*junk\.pem holds no PEM certificate/);
    expect(check(pki.caFile)).not.toThrow();
  });

  it('EHLO names smtp.ehlo_name, else the host of smtp.public_url, else the machine, never "pgdir"', async () => {
    await withCapture({}, async (capture) => {
      const base = [`host: 127.0.0.1`, `port: ${capture.port}`, 'from: noreply@example.com'];
      await createSmtpMailer(fromYaml([...base, 'ehlo_name: mail.example.org', 'public_url: https://dir.example.com'])).send(message);
      await createSmtpMailer(fromYaml([...base, 'public_url: https://dir.example.com/pgdir/'])).send(message);
      await createSmtpMailer(fromYaml(base)).send(message);
      await createSmtpMailer(fromYaml([...base, 'public_url: https://192.0.2.7:8443'])).send(message);
      expect(capture.mails.map((m) => m.ehlo)).toEqual(['mail.example.org', 'dir.example.com', hostname(), '[192.0.2.7]']);
      expect(capture.mails.map((m) => m.commands[0])).toEqual(capture.mails.map((m) => `EHLO ${m.ehlo}`));
    });
  });

  it('XOAUTH2 with an access token file, read again for every mail', async () => {
    const tokenFile = join(dir, 'token');
    await withCapture({ auth: 'XOAUTH2' }, async (capture) => {
      const mailer = createSmtpMailer(fromYaml([`host: 127.0.0.1`, `port: ${capture.port}`, 'from: relay@example.com', 'oauth2:', '  user: relay@example.com', `  access_token_file: ${tokenFile}`]));
      writeFileSync(tokenFile, 'first-token\n');
      await mailer.send(message);
      writeFileSync(tokenFile, 'second-token\n');
      await mailer.send(message);
      expect(capture.mails.map((m) => m.auth)).toEqual(['XOAUTH2 relay@example.com:first-token', 'XOAUTH2 relay@example.com:second-token']);
    });
  });

  it('XOAUTH2 with a refresh token traded at token_url (the Microsoft 365 / Google flow)', async () => {
    const requests: string[] = [];
    const server: Server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push(body);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: 'minted-token', expires_in: 3600, token_type: 'Bearer' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await withCapture({ auth: 'LOGIN XOAUTH2' }, async (capture) => {
        const oauth = ['oauth2:', '  user: relay@example.com', '  client_id: the-client', '  client_secret: the-secret', '  refresh_token: the-refresh', `  token_url: http://127.0.0.1:${port}/token`];
        await createSmtpMailer(fromYaml([`host: 127.0.0.1`, `port: ${capture.port}`, 'from: relay@example.com', ...oauth])).send(message);
        expect(capture.mails[0]?.auth).toBe('XOAUTH2 relay@example.com:minted-token');
        const form = new URLSearchParams(requests[0]);
        expect(Object.fromEntries(form)).toMatchObject({ grant_type: 'refresh_token', client_id: 'the-client', client_secret: 'the-secret', refresh_token: 'the-refresh' });
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(() => fromYaml(['host: x', 'from: a@b.c', 'oauth2: { user: u, client_id: c }'])).toThrow(/smtp\.oauth2\.client_secret.*required unless access_token_file/s);
  });

  it('refuses an untrusted certificate, and credentials without TLS to a remote host', async () => {
    await withCapture({ tls: { cert: pki.cert, key: pki.key } }, async (capture) => {
      await expect(createSmtpMailer({ host: 'localhost', port: capture.port, secure: false, from: 'noreply@example.com' }).send(message)).rejects.toThrow();
      expect(capture.mails).toHaveLength(0);
    });
    await withCapture({ auth: 'LOGIN', host: '0.0.0.0' }, async (plain) => {
      await createSmtpMailer({ host: '127.0.0.1', port: plain.port, secure: false, username: 'u', password: 'p', from: 'noreply@example.com' }).send(message);
      expect(plain.mails[0]).toMatchObject({ auth: 'LOGIN u:p', tls: false, text: message.text }); // loopback relay: allowed
      const external = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;
      if (external !== undefined) {
        await expect(createSmtpMailer({ host: external, port: plain.port, secure: false, username: 'u', password: 'p', from: 'noreply@example.com' }).send(message)).rejects.toThrow(/without TLS/);
        expect(plain.mails).toHaveLength(1);
      }
    });
  });

  it('fails clearly when nothing listens, and refuses header injection before connecting', async () => {
    await expect(createSmtpMailer({ host: '127.0.0.1', port: 1, secure: false, from: 'a@b.c', timeoutMs: 2000 }).send(message)).rejects.toThrow(/127\.0\.0\.1:1/);
    await withCapture({}, async (capture) => {
      const mailer = createSmtpMailer({ host: '127.0.0.1', port: capture.port, secure: false, from: 'a@b.c' });
      await expect(mailer.send({ ...message, subject: 'x\r\nBcc: evil@example.com' })).rejects.toThrow(/line breaks/);
      await expect(mailer.send({ ...message, to: 'a@example.com\r\nBcc: evil@example.com' })).rejects.toThrow(/line breaks/);
      expect(capture.sessions).toHaveLength(0);
    });
  });
});
