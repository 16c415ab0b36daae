import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Short-lived state a form carries between two steps (the sign-in's password, kept for the
 * two-factor step) sealed with AES-256-GCM under a key that never leaves this process: the page
 * holds only ciphertext, nothing is stored, and a tampered or expired value opens to nothing.
 * A restart (or another replica) simply asks the person to sign in again.
 */
const KEY = randomBytes(32);

export function seal(value: unknown, ttlMs: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', KEY, iv);
  const plain = Buffer.from(JSON.stringify({ v: value, exp: Date.now() + ttlMs }));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function open<T>(sealed: string): T | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', KEY, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    const parsed = JSON.parse(plain.toString('utf8')) as { v: T; exp: number };
    return parsed.exp > Date.now() ? parsed.v : undefined;
  } catch {
    return undefined;
  }
}
