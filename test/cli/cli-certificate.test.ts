import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ensureSelfSignedCert } from '../../src/tls/self-signed-cert.js';
import { createTempDir } from '../helpers/databases.js';
import { memoryIo } from '../helpers/memory-io.js';

/**
 * `pgdir certificate`: the data directory is 0700, so nslcd (user nslcd) and Apache (www-data)
 * cannot read data/tls/cert.pem; this prints the public certificate for the admin to install.
 */
describe('pgdir certificate', () => {
  let dir: Awaited<ReturnType<typeof createTempDir>>;
  const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const mem = memoryIo({ cwd: dir.path, env: { PGDIR_CONFIG: '', PGDIR_DATA_DIR: join(dir.path, 'data'), ...env } });
    const code = await main(argv, mem.io);
    return { code, out: mem.stdout(), err: mem.stderr() };
  };

  beforeAll(async () => {
    dir = await createTempDir();
  });
  afterAll(async () => dir?.remove());

  it('says clearly when the self-signed certificate does not exist yet', async () => {
    const { code, err, out } = await run(['certificate']);
    expect(code).not.toBe(0);
    expect(out).toBe('');
    expect(err).toContain(`cannot read the certificate ${join(dir.path, 'data', 'tls', 'cert.pem')}`);
    expect(err).toContain('pgdir serve creates it at its first start');
  });

  it('prints the self-signed certificate serve made, and never the key', async () => {
    const made = await ensureSelfSignedCert(join(dir.path, 'data'));
    const { code, out } = await run(['certificate']);
    expect(code).toBe(0);
    expect(out).toBe(`${(await readFile(made.certFile, 'utf8')).trim()}\n`);
    expect(out).not.toContain('PRIVATE KEY');
    // openssl reads it as the certificate for localhost.
    const subject = execFileSync('openssl', ['x509', '-noout', '-subject'], { input: out }).toString();
    expect(subject).toMatch(/CN ?= ?localhost/);
    expect((await run(['certificate', '--path'])).out).toBe(`${made.certFile}\n`);
  });

  it('prints only the certificate blocks of ldap.tls.cert_file, even from a combined file', async () => {
    const made = await ensureSelfSignedCert(join(dir.path, 'data'));
    const combined = join(dir.path, 'combined.pem');
    const cert = (await readFile(made.certFile, 'utf8')).trim();
    await writeFile(combined, `${await readFile(made.keyFile, 'utf8')}\n${cert}\n`);
    const env = { PGDIR_LDAP__TLS__CERT_FILE: combined, PGDIR_LDAP__TLS__KEY_FILE: made.keyFile };
    const { code, out } = await run(['certificate'], env);
    expect(code).toBe(0);
    expect(out).toBe(`${cert}\n`);
  });
});
