import { createHash, randomBytes } from 'node:crypto';

/**
 * 32 random bytes, base64url, behind a `pgdir_` prefix so secret scanners and people recognise a
 * leaked token. Only the SHA-256 is stored: with 256 bits of entropy a slow hash adds nothing.
 */
export const newBearerToken = (): string => `pgdir_${randomBytes(32).toString('base64url')}`;

export const hashBearerToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
