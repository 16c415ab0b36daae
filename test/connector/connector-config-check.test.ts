import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createTempDir } from '../helpers/databases.js';
import { memoryIo } from '../helpers/memory-io.js';
import { cleanEnv, runPgdir, writeTestConfig } from '../helpers/pgdir-process.js';

/**
 * The `connector:` section is parsed by the connector itself (config/schema.ts only checks that it
 * is a mapping): `pgdir check-config` and `pgdir serve` both run that parser, so a misspelt or bad
 * key fails with exit 2 and names `connector.<key>` instead of being ignored.
 */

let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await createTempDir('pgdir-connector-check-');
});
afterAll(async () => {
  await dir.remove();
});

const GOOD = ['connector:', '  provider: ad', '  url: ldaps://dc1.corp.example.com', '  base_dn: dc=corp,dc=example,dc=com'];

async function checkConfig(connectorLines: readonly string[]) {
  const file = await writeTestConfig(dir.path, join(dir.path, 'data'), `${connectorLines.join('\n')}\n`);
  const mem = memoryIo({ cwd: dir.path, env: { PGDIR_CONFIG: '' } });
  const code = await main(['check-config', '--config', file], mem.io);
  return { code, stdout: mem.stdout(), stderr: mem.stderr() };
}

describe('check-config runs the connector parser', () => {
  it('accepts a valid connector section', async () => {
    const ok = await checkConfig(GOOD);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/^configuration OK/);
  });

  it('rejects a misspelt key with exit 2, naming it and suggesting the right one', async () => {
    const bad = await checkConfig([...GOOD, '  user_base_dn: ou=Staff,dc=corp,dc=example,dc=com']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe('pgdir: invalid configuration: connector.user_base_dn: unknown key (did you mean connector.users_base_dn?)\n');
  });

  it('rejects bad values and missing requirements naming each key', async () => {
    const bad = await checkConfig([...GOOD, '  users_filter: (broken', '  on_missing: delete']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/connector\.users_filter: "\(broken" is not an LDAP filter/);
    expect(bad.stderr).toMatch(/connector\.on_missing: must be one of keep, deactivate/);
    const missing = await checkConfig(['connector:', '  provider: other', '  bind_dn: cn=reader,dc=example,dc=com']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/connector\.url: is required/);
    expect(missing.stderr).toMatch(/connector\.bind_password: is required with connector\.bind_dn/);
  });
});

describe('serve refuses to start with a bad connector key', () => {
  it('exits 2 and logs the key', async () => {
    const data = join(dir.path, 'serve-data');
    const file = await writeTestConfig(dir.path, data, `${[...GOOD, '  sync_group: false'].join('\n')}\n`);
    const result = await runPgdir(['serve', '--config', file], { cwd: dir.path, env: cleanEnv() });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('connector.sync_group: unknown key (did you mean connector.sync_groups?)');
    expect(result.stdout).toContain('pgdir could not start');
  }, 60_000);
});
