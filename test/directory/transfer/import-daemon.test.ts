import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPGliteDataDir, createTempDir } from '../../helpers/databases.js';
import { cleanEnv, freePort, runPgdir, startServe, waitReady, type ServeProcess } from '../../helpers/pgdir-process.js';

/**
 * A real `pgdir serve` on PGlite (issue 20 defect 4, issue 12 "Long work shows progress"):
 * LDAP keeps answering while thousands of rows are imported through the CLI (PGlite runs on the
 * daemon's thread; before, a 5,000-row import left LDAP without answers for ~27 s), the CLI
 * shows the daemon's progress as plain lines on a pipe, and the HTTP import runs as a job.
 */
const SUFFIX = 'dc=example,dc=com';
const SECRET = 'import test admin secret';
const ROWS = 4000;

function csv(rows: number, prefix: string, extra: string[] = []): string {
  const lines = ['username,email,full name,role'];
  for (let i = 1; i <= rows; i++) lines.push(`${prefix}${i},${prefix}${i}@example.com,${prefix} ${i},user`);
  return [...lines, ...extra].join('\n') + '\n';
}

let data: { path: string; remove(): Promise<void> };
let work: { path: string; remove(): Promise<void> };
let serve: ServeProcess;
let config: string;
let ldapPort: number;
let httpPort: number;
const cli = (args: string[], input?: string) => runPgdir([...args, '--config', config], { cwd: work.path, env: cleanEnv(), ...(input === undefined ? {} : { input }) });

beforeAll(async () => {
  [data, work] = await Promise.all([createPGliteDataDir(), createTempDir('pgdir-import-daemon-')]);
  [ldapPort, httpPort] = [await freePort(), await freePort()];
  config = join(work.path, 'pgdir.yaml');
  await writeFile(config, [
    `data_dir: ${JSON.stringify(data.path)}`, 'shutdown_timeout: 5s', 'log: { level: info, format: json }', 'bcrypt: { cost: 4 }',
    'ldap:', `  suffix: ${SUFFIX}`, `  listen: [ "ldap://127.0.0.1:${ldapPort}" ]`, `  admin_password: ${JSON.stringify(SECRET)}`,
    'http:', `  listen: 127.0.0.1:${httpPort}`, '',
  ].join('\n'));
  serve = startServe(config, work.path);
  await waitReady(serve, data.path);
}, 60_000);
afterAll(async () => {
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  await Promise.all([data?.remove(), work?.remove()]);
});

describe('pgdir users import through a daemon on PGlite', { timeout: 240_000 }, () => {
  it('LDAP searches keep getting answers while the import runs; the CLI prints progress lines on stderr and the report on stdout', async () => {
    await writeFile(join(work.path, 'many.csv'), csv(ROWS, 'bulk'));
    const client = new Client({ url: `ldap://127.0.0.1:${ldapPort}`, timeout: 60_000 });
    await client.bind(`cn=admin,ou=system,${SUFFIX}`, SECRET);
    const answered: { at: number; ms: number }[] = [];
    let importing = true;
    const searches = (async () => {
      while (importing) {
        const started = Date.now();
        await client.search(`ou=users,${SUFFIX}`, { filter: '(uid=nobody)', attributes: ['uid'] });
        answered.push({ at: started, ms: Date.now() - started });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const started = Date.now();
    const result = await cli(['users', 'import', 'many.csv', '--progress', 'lines']);
    const ended = Date.now();
    // The view then reads the committed rows (catch-up): searches must keep answering then too.
    await new Promise((r) => setTimeout(r, 3_000));
    importing = false;
    await searches;
    await client.unbind();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ created: ROWS, errors: [] });
    // Progress came from the daemon as it worked: every phase, the last at 100%.
    const lines = result.stderr.split('\n').filter((l) => l !== '');
    expect(lines.every((l) => /^pgdir: (validating|checking|writing) [\d,]+\/[\d,]+ \(\d+%\) [\d,]+\/s (ETA|in) /.test(l))).toBe(true);
    for (const phase of ['validating', 'checking', 'writing']) expect(lines.some((l) => l.startsWith(`pgdir: ${phase} 0/4,000`))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^pgdir: writing 4,000\/4,000 \(100%\)/));
    // While the import ran, searches were answered throughout and none waited long.
    const during = answered.filter((a) => a.at >= started && a.at <= ended);
    expect(during.length).toBeGreaterThanOrEqual(20);
    expect(Math.max(...answered.map((a) => a.ms))).toBeLessThan(2_000);
    // Imported users have no password yet, so LDAP does not list them (issue 7); the store has them.
    const exported = await cli(['users', 'export', '--format', 'json']);
    expect((JSON.parse(exported.stdout) as unknown[]).length).toBe(ROWS);
  });

  it('HTTP import with ?async=1: 202 with a job, progress while it runs, the report when done; atomic failures fail the job', async () => {
    const owner = await cli(['users', 'add', '--username', 'boss', '--email', 'boss@example.com', '--role', 'owner', '--password-stdin'], 'boss password 123\n');
    expect(owner.code).toBe(0);
    const base = `http://127.0.0.1:${httpPort}`;
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'boss', password: 'boss password 123' }) });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const post = (query: string, body: string) => fetch(`${base}/api/v1/users/import?${query}`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body });
    const job = async (id: string) => (await (await fetch(`${base}/api/v1/jobs/${id}`, { headers: auth })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

    const accepted = await post('async=1', csv(2000, 'web'));
    expect(accepted.status).toBe(202);
    const { job: started } = (await accepted.json()) as { job: { id: string; state: string; kind: string } };
    expect(started).toMatchObject({ state: 'running', kind: 'users.import' });
    expect(accepted.headers.get('location')).toBe(`/api/v1/jobs/${started.id}`);
    const seen: Record<string, any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (;;) {
      const view = await job(started.id);
      seen.push(view);
      if (view.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const last = seen.at(-1);
    expect(last).toMatchObject({ state: 'succeeded', error: null, result: { created: 2000, errors: [] }, progress: { phase: 'writing', done: 2000, total: 2000 } });
    expect(typeof last?.finishedAt).toBe('string');
    expect(seen.some((v) => v.state === 'running' && v.progress !== null && v.progress.done < v.progress.total)).toBe(true);

    // Atomic with a bad row: nothing written, the job failed with the same report as the 400.
    const bad = await post('async=1', csv(3, 'oops', ['web1,other@example.com,Dup,user']));
    const { job: badJob } = (await bad.json()) as { job: { id: string } };
    let view = await job(badJob.id);
    while (view.state === 'running') view = await job(badJob.id);
    expect(view).toMatchObject({
      state: 'failed',
      error: { code: 'invalid', message: '1 problem(s) found; nothing was imported' },
      result: { created: 0, errors: [{ row: 4, field: 'username', message: 'username "web1" is already taken' }] },
    });
    const sync = await post('', csv(1, 'plain'));
    expect([sync.status, await sync.json()]).toEqual([200, { created: 1, errors: [] }]);
    // A file the server cannot read is refused at once, not as a job; unknown jobs are 404.
    expect((await post('async=1', 'nonsense,header\n')).status).toBe(400);
    expect((await fetch(`${base}/api/v1/jobs/00000000-0000-0000-0000-000000000000`, { headers: auth })).status).toBe(404);
  });
});
