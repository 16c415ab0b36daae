import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Short-lived state a form carries between two steps (the sign-in's password, kept for the
 * two-factor step) sealed with AES-256-GCM: the page holds only ciphertext, nothing is stored, and
 * a tampered or expired value opens to nothing. The key is derived from the daemon's persistent
 * secret (`totp.key`, directory-services.ts `deriveKey`), so a restart or another replica sharing
 * that key opens what this one sealed: a sign-in in progress survives both.
 */
export interface Sealer {
  seal(value: unknown, ttlMs: number): Promise<string>;
  open<T>(sealed: string): Promise<T | undefined>;
}

export function sealerOf(loadKey: () => Promise<Buffer>): Sealer {
  let cached: Promise<Buffer> | undefined;
  const key = (): Promise<Buffer> => (cached ??= loadKey());
  return {
    async seal(value, ttlMs) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', await key(), iv);
      const plain = Buffer.from(JSON.stringify({ v: value, exp: Date.now() + ttlMs }));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    async open<T>(sealed: string): Promise<T | undefined> {
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 29) return undefined;
      const secret = await key();
      try {
        const decipher = createDecipheriv('aes-256-gcm', secret, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
        const parsed = JSON.parse(plain.toString('utf8')) as { v: T; exp: number };
        return parsed.exp > Date.now() ? parsed.v : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
