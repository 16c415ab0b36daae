import { toDataURL } from 'qrcode';
import { describe, expect, it } from 'vitest';
import { qrCodeDataUrl } from '../../../src/directory/lifecycle/qr-png.js';
import { otpauthUrl, totpIssuer } from '../../../src/crypto/totp.js';
import { decodeQr, pngOf, zbarimg } from '../../helpers/zbar.js';

describe('QR code', () => {
  it('writes a PNG data URL: the smallest version, 6 pixels a module, a 4-module quiet zone', async () => {
    const url = await qrCodeDataUrl('hello');
    const png = pngOf(url);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe((21 + 8) * 6); // width: version 1 is 21 modules
    expect(png.readUInt32BE(20)).toBe((21 + 8) * 6); // height
    expect(await qrCodeDataUrl('hello')).toBe(url); // the same picture every time (the enrol page relies on it)
  });

  // The organisation name with a long address: 238 bytes, over the old encoder's 213.
  const longOrg = otpauthUrl('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', totpIssuer('Example Corporation International Holdings'), 'alice.lastname@example.com');

  it.skipIf(zbarimg === undefined).each([
    ['a short text', 'hello'],
    ['an otpauth URL (version 7+, version info)', otpauthUrl('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'pgdir', 'alice.lastname@example.com')],
    ['213 bytes, the most the old encoder held', 'z'.repeat(213)],
    ['214 bytes, one more', 'z'.repeat(214)],
    ['a long organisation name', longOrg],
    ['a 254-character email and a long non-ASCII organisation name', otpauthUrl('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', totpIssuer('Société Générale de Développement Économique et Numérique — Filiale Européenne'), `${'a'.repeat(64)}@${'sub-domain-label.'.repeat(10)}${'x'.repeat(17)}.example`)],
    ['2000 bytes (version 38 or so at M)', `${'0123456789abcdefghij'.repeat(100)}`],
    ['2500 bytes (too long for M: at L)', `${'0123456789abcdefghij'.repeat(125)}`],
  ])('zbar reads back %s', async (_name, text) => {
    expect(await decodeQr(pngOf(await qrCodeDataUrl(text)))).toBe(text);
  });

  it('falls back to level L only when M cannot hold the text', async () => {
    const text = '0123456789abcdefghij'.repeat(125);
    await expect(toDataURL(text, { errorCorrectionLevel: 'M' })).rejects.toThrow(/too big/);
    expect(pngOf(await qrCodeDataUrl(text)).readUInt32BE(16)).toBe((4 * 36 + 17 + 8) * 6); // version 36 at L (M stops at 2331 bytes)
  });

  it('says so when a text is too long for any QR code', async () => {
    await expect(qrCodeDataUrl('x'.repeat(3000))).rejects.toThrow(/too big/);
  });
});
