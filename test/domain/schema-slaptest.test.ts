import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allAttributeTypes } from '../../src/domain/attribute-schema.js';
import { subschemaAttributeTypes, subschemaObjectClasses } from '../../src/domain/subschema.js';

/**
 * OpenLDAP's schema parser is strict about RFC 4512 (ldap3's is lax), so every published
 * definition that slapd does not already hard-code is loaded into `slaptest`. slapd refuses
 * user-defined operational attributes and redefinitions of its built-in ones; those (and only
 * those) are left out, everything else must load cleanly.
 */
const SLAPTEST = '/usr/sbin/slaptest';
const dir = mkdtempSync(join(tmpdir(), 'pgdir-slaptest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const operational = new Set(allAttributeTypes().filter((t) => t.operational).map((t) => t.oid));
const SLAPD_BUILTIN = /Duplicate (attributeType|objectClass)|includes operational attributes/;

function slaptest(definitions: string[]): { ok: boolean; message: string; line: number } {
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, [...definitions, 'database config', ''].join('\n'));
  const run = spawnSync(SLAPTEST, ['-f', conf, '-u'], { encoding: 'utf8' });
  const message = `${run.stdout}${run.stderr}`;
  const line = Number(/line (\d+)/.exec(message)?.[1] ?? 0);
  return { ok: run.status === 0, message, line };
}

describe.skipIf(!existsSync(SLAPTEST))('subschema read by OpenLDAP slaptest', () => {
  it('accepts every definition slapd does not hard-code itself', () => {
    const oidOf = (d: string): string => d.split(' ')[1] as string;
    let defs = [
      ...subschemaAttributeTypes().filter((d) => !operational.has(oidOf(d))).map((d) => `attributetype ${d}`),
      ...subschemaObjectClasses().map((d) => `objectclass ${d}`),
    ];
    const skipped: string[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      const result = slaptest(defs);
      if (result.ok) break;
      const offending = defs[result.line - 1];
      expect(SLAPD_BUILTIN.test(result.message) && offending !== undefined, result.message).toBe(true);
      skipped.push(/NAME \(? ?'([^']+)'/.exec(offending ?? '')?.[1] ?? '');
      defs = defs.filter((d) => d !== offending);
    }
    expect(slaptest(defs).ok).toBe(true);
    // What slapd hard-codes; anything else being skipped would mean a broken definition.
    expect(skipped.sort()).toEqual(
      ['cn', 'description', 'extensibleObject', 'labeledURI', 'objectClass', 'seeAlso', 'subentry', 'subschema', 'top',
        'uid', 'uidNumber', 'gidNumber', 'userPassword'].sort(),
    );
  });
});
