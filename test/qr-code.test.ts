import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeQr } from '../src/directory/lifecycle/qr-code.js';
import { matrixToPng, qrCodeDataUrl } from '../src/directory/lifecycle/qr-png.js';
import { otpauthUrl } from '../src/directory/lifecycle/totp.js';

const zbarimg = ['/usr/bin/zbarimg', '/usr/local/bin/zbarimg'].find((p) => existsSync(p));

/** Decodes with zbar (Debian package zbar-tools), an independent QR reader. */
async function decode(png: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pgdir-qr-'));
  try {
    const file = join(dir, 'qr.png');
    await writeFile(file, png);
    return execFileSync(zbarimg ?? 'zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('QR code', () => {
  it('has the finder patterns and the size of its version', () => {
    const m = encodeQr('hello');
    expect(m.length).toBe(21); // version 1
    const finderRow = m[0]?.slice(0, 7).map((d) => (d ? 1 : 0)).join('');
    expect(finderRow).toBe('1111111');
    expect(m[2]?.slice(0, 7).map((d) => (d ? 1 : 0)).join('')).toBe('1011101');
    expect(encodeQr('x'.repeat(150)).length).toBe(8 * 4 + 17); // version 8
    expect(encodeQr('x'.repeat(213)).length).toBe(10 * 4 + 17);
    expect(() => encodeQr('x'.repeat(214))).toThrow(/too long/);
  });

  it('writes a valid PNG data URL', () => {
    const url = qrCodeDataUrl('hello');
    expect(url).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe((21 + 8) * 6); // width
  });

  it.skipIf(zbarimg === undefined).each([
    ['a short text', 'hello'],
    ['an otpauth URL (version 7+, version info)', otpauthUrl('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'pgdir', 'alice.lastname@example.com')],
    ['200 bytes (version 10, two block sizes)', `${'0123456789'.repeat(19)}abcdefghij`],
    ['213 bytes, the most', 'z'.repeat(213)],
    ['version 8 (two block groups)', 'y'.repeat(140)],
  ])('zbar reads back %s', async (_name, text) => {
    expect(await decode(matrixToPng(encodeQr(text), 4))).toBe(text);
  });
});
