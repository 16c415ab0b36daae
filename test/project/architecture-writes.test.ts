import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every write goes through the directory's use cases (docs/architecture.md): no file of an edge
 * (ldap, http, control, connector, cli) opens a store transaction or writes audit or settings rows
 * itself. The import rules are checked by dependency-cruiser (npm run depcheck); this checks the
 * calls, which an import rule cannot see.
 */

const ROOT = join(import.meta.dirname, '../..');
const EDGES = ['src/ldap', 'src/http', 'src/control', 'src/connector', 'src/cli'];
const WRITE = /\b(store|tx)\s*\.\s*(write|setSetting|appendAudit)\s*\(|\.write\(\s*async\s*\(\s*tx\b|\.write\(\s*\(\s*tx\b/;

/** None left: sign-in audit and API tokens moved to directory/auth/api-tokens.ts. */
const KNOWN = new Set<string>();

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('writes go through use cases', () => {
  it('no edge file opens a transaction or writes audit/settings rows', () => {
    const offenders = EDGES.flatMap((edge) => files(join(ROOT, edge)))
      .map((path) => relative(ROOT, path))
      .filter((path) => !KNOWN.has(path) && WRITE.test(readFileSync(join(ROOT, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the pattern finds the writes it is meant to find', () => {
    expect(WRITE.test('await store.write(async (tx) => {')).toBe(true);
    expect(WRITE.test('directory.store.write((tx) => setAdminSecret(tx))')).toBe(true);
    expect(WRITE.test('await tx.appendAudit({})')).toBe(true);
    expect(WRITE.test('void io.stdout.write(text)')).toBe(false);
  });
});
