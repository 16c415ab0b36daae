import { readFileSync } from 'node:fs';

/**
 * pgdir's version, from package.json (one level up from both src/ and dist/). Kept at the root of
 * src/ so every edge (LDAP rootDSE, HTTP, CLI) reads it without importing another edge.
 */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
