import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { createPGliteDataDir, createTempDir } from '../test/helpers/databases.js';
import { cleanEnv, freePort, runPgdir, startServe, waitReady } from '../test/helpers/pgdir-process.js';

/**
 * `bench/import.ts --daemon`: a real `pgdir serve` on PGlite; one LDAP client searches in a
 * closed loop and one HTTP client polls /healthz while `pgdir users import` runs through the
 * daemon. The window measured runs from the CLI's start until 5 s after it returned, so that
 * the view's catch-up after the commit counts too (imported users have no password yet, so
 * LDAP does not list them: the window cannot end when they show up).
 */
const SUFFIX = 'dc=example,dc=com';
const SECRET = 'bench admin secret';

interface Loop {
  readonly latencies: number[];
  stop(): Promise<void>;
}

/** A failed or timed-out operation counts with the time it took (e.g. the client's 30 s timeout). */
function closedLoop(op: () => Promise<unknown>): Loop {
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      await op().catch(() => undefined);
      latencies.push(performance.now() - started);
    }
  })();
  return { latencies, stop: async () => ((running = false), await done) };
}

function summary(name: string, values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): string => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(1);
  return `${name}: ${sorted.length} answered, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}

export async function runDaemonBench(rows: number, csv: string): Promise<void> {
  const [data, work] = await Promise.all([createPGliteDataDir(), createTempDir('pgdir-bench-import-')]);
  const [ldapPort, httpPort] = [await freePort(), await freePort()];
  const config = join(work.path, 'pgdir.yaml');
  await writeFile(config, [
    `data_dir: ${JSON.stringify(data.path)}`, 'shutdown_timeout: 5s', 'log: { level: warn, format: json }', 'bcrypt: { cost: 4 }',
    'ldap:', `  suffix: ${SUFFIX}`, `  listen: [ "ldap://127.0.0.1:${ldapPort}" ]`, `  admin_password: ${JSON.stringify(SECRET)}`,
    'http:', `  listen: 127.0.0.1:${httpPort}`, '',
  ].join('\n'));
  await writeFile(join(work.path, 'users.csv'), csv);
  const serve = startServe(config, work.path);
  const client = new Client({ url: `ldap://127.0.0.1:${ldapPort}`, timeout: 30_000 });
  try {
    await waitReady(serve, data.path);
    await client.bind(`cn=admin,ou=system,${SUFFIX}`, SECRET);
    const search = (uid: string) => client.search(`ou=users,${SUFFIX}`, { filter: `(uid=${uid})`, attributes: ['uid'] });
    await search('warm-up');
    // The same loops with nothing else going on first: on a shared machine the baseline shows
    // how much of the latency is the machine's, not the import's.
    const idleLdap = closedLoop(() => search('nobody'));
    const idleHttp = closedLoop(() => fetch(`http://127.0.0.1:${httpPort}/healthz`).then((r) => r.text()));
    await new Promise((r) => setTimeout(r, 5_000));
    await Promise.all([idleLdap.stop(), idleHttp.stop()]);
    const ldap = closedLoop(() => search('nobody'));
    const http = closedLoop(() => fetch(`http://127.0.0.1:${httpPort}/healthz`).then((r) => r.text()));
    const started = performance.now();
    const cli = await runPgdir(['users', 'import', 'users.csv', '--config', config], { cwd: work.path, env: cleanEnv() });
    const cliSeconds = (performance.now() - started) / 1000;
    if (cli.code !== 0) throw new Error(`import failed (${cli.code}): ${cli.stderr}`);
    await new Promise((r) => setTimeout(r, 5_000));
    await Promise.all([ldap.stop(), http.stop()]);
    console.log(`daemon on PGlite, ${rows} rows via \`pgdir users import\`: CLI ${cliSeconds.toFixed(2)} s; latencies from its start to 5 s after its end`);
    console.log(`  ${summary('LDAP search, idle daemon (5 s before)', idleLdap.latencies)}`);
    console.log(`  ${summary('HTTP /healthz, idle daemon', idleHttp.latencies)}`);
    console.log(`  ${summary('LDAP search during the import', ldap.latencies)}`);
    console.log(`  ${summary('HTTP /healthz during the import', http.latencies)}`);
  } finally {
    await client.unbind().catch(() => undefined);
    serve.child.kill('SIGTERM');
    await serve.exited;
    await Promise.all([data.remove(), work.remove()]);
  }
}
