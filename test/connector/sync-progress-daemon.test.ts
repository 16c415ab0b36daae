import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JC_SUFFIX, jumpcloudConnectorYaml, jumpcloudLdif } from './connector-seeds.js';
import { createPGliteDataDir, createTempDir } from '../helpers/databases.js';
import { cleanEnv, freePort, runPgdir, startServe, waitReady, type ServeProcess } from '../helpers/pgdir-process.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * Progress of `pgdir sync run` through a real `pgdir serve` on PGlite (issue 12): plain lines on
 * stderr when not on a terminal, stdout (text or --json) as before; and the HTTP sync as a job.
 */
const EXTRA_USERS = 600;

describe.skipIf(!slapdAvailable())('sync progress through the daemon', { timeout: 180_000 }, () => {
  let slapd: TestSlapd;
  let data: { path: string; remove(): Promise<void> };
  let work: { path: string; remove(): Promise<void> };
  let serve: ServeProcess;
  let config: string;
  let httpPort: number;
  const cli = (args: string[], input?: string) => runPgdir([...args, '--config', config], { cwd: work.path, env: cleanEnv(), ...(input === undefined ? {} : { input }) });

  beforeAll(async () => {
    [slapd, data, work] = await Promise.all([startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif(EXTRA_USERS) }), createPGliteDataDir(), createTempDir('pgdir-sync-progress-')]);
    const [ldapPort, port] = [await freePort(), await freePort()];
    httpPort = port;
    config = join(work.path, 'pgdir.yaml');
    await writeFile(config, [
      `data_dir: ${JSON.stringify(data.path)}`, 'shutdown_timeout: 5s', 'log: { level: info, format: json }', 'bcrypt: { cost: 4 }',
      'ldap:', `  listen: [ "ldap://127.0.0.1:${ldapPort}" ]`, '  admin_password: "sync test secret"',
      'http:', `  listen: 127.0.0.1:${httpPort}`,
      ...jumpcloudConnectorYaml(slapd, READER_PASSWORD), '',
    ].join('\n'));
    serve = startServe(config, work.path);
    await waitReady(serve, data.path);
  }, 120_000);
  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    await Promise.all([slapd?.cleanup(), data?.remove(), work?.remove()]);
  });

  it('pgdir sync run --progress lines: the daemon\'s phases on stderr, the report on stdout unchanged', async () => {
    const result = await cli(['sync', 'run', '--progress', 'lines']);
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').filter((l) => l !== '');
    expect(lines[0]).toMatch(/^pgdir: reading 0\/1 /);
    expect(lines).toContainEqual(expect.stringMatching(/^pgdir: reading 1\/1 \(100%\)/));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^pgdir: users ([\\d,]+)/\\1 \\(100%\\)`)));
    expect(lines.every((l) => /^pgdir: (reading|users|groups|members) [\d,]+\/[\d,]+ \(\d+%\) /.test(l))).toBe(true);
    expect(result.stdout).toMatch(/^sync done in \d+ ms; source 605 users, 2 groups; users: 603 created/);
    expect(result.stdout).not.toContain('pgdir:');
    // --json without --progress on a pipe: a quick run prints nothing on stderr, JSON on stdout.
    const json = await cli(['sync', 'run', '--json']);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'ok', users: expect.objectContaining({ unchanged: expect.any(Number) }) });
  });

  it('POST /api/v1/sync?async=1 answers 202 with a job; the job ends with the report', async () => {
    expect((await cli(['users', 'add', '--username', 'boss', '--email', 'boss@example.com', '--role', 'owner', '--password-stdin'], 'boss password 123\n')).code).toBe(0);
    const base = `http://127.0.0.1:${httpPort}`;
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'boss', password: 'boss password 123' }) });
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    const accepted = await fetch(`${base}/api/v1/sync?async=1`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(accepted.status).toBe(202);
    const { job } = (await accepted.json()) as { job: { id: string; kind: string; state: string } };
    expect(job).toMatchObject({ kind: 'sync', state: 'running' });
    let view: Record<string, any> = job; // eslint-disable-line @typescript-eslint/no-explicit-any
    while (view.state === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      view = (await (await fetch(`${base}/api/v1/jobs/${job.id}`, { headers: auth })).json()) as Record<string, unknown>;
    }
    expect(view).toMatchObject({ state: 'succeeded', error: null, result: { status: 'ok', trigger: 'api' } });
    // Another token (here: none) does not see it.
    expect((await fetch(`${base}/api/v1/jobs/${job.id}`)).status).toBe(401);
  });
});
