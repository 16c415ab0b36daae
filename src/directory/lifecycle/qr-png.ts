import { crc32, deflateSync } from 'node:zlib';
import { encodeQr } from './qr-code.js';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit greyscale PNG (RFC 2083) of a module matrix, `scale` pixels a module, 4-module quiet zone. */
export function matrixToPng(matrix: readonly (readonly boolean[])[], scale = 6): Buffer {
  const border = 4;
  const side = (matrix.length + 2 * border) * scale;
  const raw = Buffer.alloc((side + 1) * side, 0xff);
  for (let py = 0; py < side; py++) {
    raw[py * (side + 1)] = 0; // filter type None
    const y = Math.floor(py / scale) - border;
    for (let px = 0; px < side; px++) {
      const x = Math.floor(px / scale) - border;
      if (matrix[y]?.[x] === true) raw[py * (side + 1) + 1 + px] = 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, greyscale, deflate, no filter set, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** `data:image/png;base64,…` of the QR code of `text` (the otpauth:// URL). */
export const qrCodeDataUrl = (text: string): string => `data:image/png;base64,${matrixToPng(encodeQr(text)).toString('base64')}`;
