import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** zbarimg (Debian package zbar-tools), an independent QR reader; undefined where not installed. */
export const zbarimg = ['/usr/bin/zbarimg', '/usr/local/bin/zbarimg'].find((p) => existsSync(p));

const PREFIX = 'data:image/png;base64,';

/** The PNG inside a `data:image/png;base64,` URL (throws on any other kind). */
export function pngOf(dataUrl: string): Buffer {
  if (!dataUrl.startsWith(PREFIX)) throw new Error(`not a PNG data URL: ${dataUrl.slice(0, 40)}`);
  return Buffer.from(dataUrl.slice(PREFIX.length), 'base64');
}

/** The text of the QR code in `png`, as zbar reads it. */
export async function decodeQr(png: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pgdir-qr-'));
  try {
    const file = join(dir, 'qr.png');
    await writeFile(file, png);
    return execFileSync(zbarimg ?? 'zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
