import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileKey, secretBoxOf } from '../../../src/crypto/secret-box.js';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUrl, totpStep } from '../../../src/crypto/totp.js';

const ascii = (s: string) => Buffer.from(s, 'ascii');

describe('HOTP (RFC 4226 Appendix D)', () => {
  it('gives the ten test values for counters 0..9', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, i) => hotp(ascii('12345678901234567890'), i))).toEqual(expected);
  });
});

describe('TOTP (RFC 6238 Appendix B, 8 digits)', () => {
  const keys = {
    sha1: ascii('12345678901234567890'),
    sha256: ascii('12345678901234567890123456789012'),
    sha512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
  };
  const table: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  it.each(table)('at %i s', (seconds, sha1, sha256, sha512) => {
    const step = totpStep(seconds * 1000);
    expect(hotp(keys.sha1, step, 8, 'sha1')).toBe(sha1);
    expect(hotp(keys.sha256, step, 8, 'sha256')).toBe(sha256);
    expect(hotp(keys.sha512, step, 8, 'sha512')).toBe(sha512);
  });
});

describe('matchTotp', () => {
  const secret = base32Encode(ascii('12345678901234567890'));
  const key = ascii('12345678901234567890');
  const now = 1_111_111_111_000;
  const step = totpStep(now);
  it('accepts the current step and one either side, and nothing further', () => {
    expect(matchTotp(secret, hotp(key, step), now)).toBe(step);
    expect(matchTotp(secret, hotp(key, step - 1), now)).toBe(step - 1);
    expect(matchTotp(secret, hotp(key, step + 1), now)).toBe(step + 1);
    expect(matchTotp(secret, hotp(key, step - 2), now)).toBeUndefined();
    expect(matchTotp(secret, hotp(key, step + 2), now)).toBeUndefined();
  });
  it('refuses malformed codes', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456']) expect(matchTotp(secret, code, now)).toBeUndefined();
  });
  it('round-trips base32 (RFC 4648 test vector) and builds the otpauth URL', () => {
    expect(base32Encode(ascii('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
    expect(otpauthUrl('ABC', 'pgdir', 'alice')).toBe('otpauth://totp/pgdir:alice?secret=ABC&issuer=pgdir&algorithm=SHA1&digits=6&period=30');
  });
});

describe('secret box', () => {
  it('creates data_dir/totp.key 0600 once, seals with AES-256-GCM and detects tampering', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgdir-totp-'));
    try {
      const path = join(dir, 'totp.key');
      const box = secretBoxOf(() => fileKey(path));
      const sealed = await box.seal('JBSWY3DPEHPK3PXP');
      expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(await secretBoxOf(() => fileKey(path)).open(sealed)).toBe('JBSWY3DPEHPK3PXP');
      const parts = sealed.split(':');
      const body = Buffer.from(parts[3] ?? '', 'base64url');
      body[0] = (body[0] ?? 0) ^ 1;
      await expect(box.open([parts[0], parts[1], parts[2], body.toString('base64url')].join(':'))).rejects.toThrow();
      await rm(path);
      await expect(secretBoxOf(() => fileKey(path)).open(sealed)).rejects.toThrow(); // another key
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
