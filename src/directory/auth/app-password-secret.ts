import { createHash, randomInt } from 'node:crypto';

/**
 * An app password (issue 14): 24 lowercase letters from the CSPRNG, shown in six groups of four
 * (`abcd-efgh-…`) so people can copy or type it. 24 × log2(26) ≈ 113 bits: far beyond offline
 * guessing, so a plain SHA-256 protects the stored form as well as bcrypt would, and a bind with it
 * costs one hash and one indexed lookup instead of a bcrypt verify (docs/app-passwords.md). It ends
 * in a letter, so `ldap.totp_suffix` never mistakes its tail for a six-digit code.
 */
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const GROUPS = 6;
const GROUP = 4;

export function newAppPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g += 1) {
    let group = '';
    for (let i = 0; i < GROUP; i += 1) group += LETTERS[randomInt(LETTERS.length)];
    groups.push(group);
  }
  return groups.join('-');
}

const SHAPE = new RegExp(`^[a-z]{${GROUPS * GROUP}}$`);

/**
 * The canonical letters of a secret shaped like an app password (dashes and spaces ignored, any
 * case), or undefined: only such secrets cost a database lookup on a bind.
 */
export function appPasswordLetters(secret: string): string | undefined {
  if (secret.length > 64) return undefined;
  const letters = secret.replace(/[-\s]/g, '').toLowerCase();
  return SHAPE.test(letters) ? letters : undefined;
}

export const hashAppPassword = (letters: string): string => createHash('sha256').update(letters, 'utf8').digest('hex');
