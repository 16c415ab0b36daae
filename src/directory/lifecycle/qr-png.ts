import { toDataURL } from 'qrcode';

/**
 * Error correction M (ISO/IEC 18004 §7.5.1: ~15 % of the symbol may be lost) reads well from a
 * screen; a text too long for M at version 40 (2331 bytes) is tried again at L (2953 bytes).
 */
const LEVELS = ['M', 'L'] as const;

/**
 * `data:image/png;base64,…` of the QR code of `text` (the otpauth:// URL), drawn by the qrcode
 * package: the smallest version that holds the text, 6 pixels a module, the 4-module quiet zone.
 */
export async function qrCodeDataUrl(text: string): Promise<string> {
  for (const level of LEVELS) {
    try {
      return await toDataURL(text, { errorCorrectionLevel: level, margin: 4, scale: 6, type: 'image/png' });
    } catch (error) {
      if (level === 'L' || !/too big/i.test((error as Error).message)) throw error;
    }
  }
  throw new Error('unreachable');
}
