/**
 * `npm run bench:faults`: the database fault scenarios of issue 17 with their report. Three
 * `pgdir serve` replicas on a private PostgreSQL cluster (initdb in a temp dir, its own port; the
 * shared server on 5432 is never touched), a constant LDAP load (searches and binds of known users
 * on every replica) and an API writer. Scenarios: PostgreSQL stopped for BENCH_OUTAGE_SECONDS
 * (default 30) and started; crashed mid-import; crashed mid-sync (needs slapd); a replica SIGKILLed.
 * The same code runs, shorter and with assertions, in test/e2e/faults.test.ts.
 */
import { cpus, loadavg } from 'node:os';
import { JC_SUFFIX, jumpcloudConnectorYaml, jumpcloudLdif } from '../test/connector/connector-seeds.js';
import { createTempDir } from '../test/helpers/databases.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../test/helpers/slapd.js';
import {
  closeWorld,
  convergenceLine,
  databaseOutage,
  importDuringRestart,
  ldapLines,
  replicaKilled,
  startWorld,
  syncDuringRestart,
  writeLines,
  type FaultWorld,
} from '../test/e2e/faults-scenarios.js';

const OUTAGE_S = Number(process.env['BENCH_OUTAGE_SECONDS'] ?? 30);
const IMPORT_ROWS = Number(process.env['BENCH_IMPORT_ROWS'] ?? 20_000);
const SOURCE_USERS = Number(process.env['BENCH_SYNC_USERS'] ?? 1_500);
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const work = await createTempDir('pgdir-bench-faults-');
  const slapd: TestSlapd | undefined = slapdAvailable() ? await startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif(SOURCE_USERS) }) : undefined;
  let world: FaultWorld | undefined;
  try {
    world = await startWorld({ workDir: work.path, knownUsers: 20, extraYaml: slapd === undefined ? [] : jumpcloudConnectorYaml(slapd, READER_PASSWORD) });
    say(`fault report: 3 replicas, private PostgreSQL on port ${world.pg.port}; load average ${load()} on ${cpus().length} CPUs at start`);

    const o = await databaseOutage(world, OUTAGE_S * 1000);
    say(`\n1. PostgreSQL stopped ${OUTAGE_S} s (pg_ctl stop -m fast), then started`);
    for (const line of [...ldapLines(o.ldap), ...writeLines(o.writes)]) say(line);
    say(`  /readyz during: ${o.readyDuring.map((r) => `${r.status} ${JSON.stringify(r.body['checks'])}`).join('; ')}`);
    say(`  pgdir users add during: exit ${o.cliDuring.code} after ${o.cliDuring.ms} ms: ${o.cliDuring.stderr.trim()} (before the outage it succeeded in ${o.cliBeforeMs} ms)`);
    say(`  time to recover (start → every replica writes and is ready): ${o.recoverMs} ms`);
    say(convergenceLine(o.convergence));
    say(`  load average ${load()}`);

    const i = await importDuringRestart(world, IMPORT_ROWS);
    say(`\n2. PostgreSQL crashed (pg_ctl stop -m immediate) during an atomic import of ${i.rows} rows`);
    say(`  interrupted run: exit ${i.firstRun.code}: ${i.firstRun.stderr}`);
    say(`  users of the import in the database afterwards: ${i.halfApplied} (atomic: 0 expected)`);
    say(`  run again: exit ${i.secondRun.code}, ${i.secondRun.created} created; ${i.usersAfter} in the database`);
    say(convergenceLine(i.convergence));

    if (slapd !== undefined) {
      const s = await syncDuringRestart(world, SOURCE_USERS);
      say(`\n3. PostgreSQL crashed during a sync of ${SOURCE_USERS + 3} source users (batches of 500)`);
      say(`  ${s.crashed ? 'interrupted run' : 'run (ended before a batch was seen: nothing interrupted)'}: exit ${s.firstRun.code}: ${s.firstRun.summary}`);
      say(`  mirrored users when crashed: ${s.atCrash}; after the restart: ${s.afterCrash} (whole batches only)`);
      say(`  next sync: exit ${s.secondRun.code}: ${s.secondRun.summary}; ${s.usersAfter} mirrored users`);
      say(convergenceLine(s.convergence));
    } else say('\n3. sync scenario skipped: /usr/sbin/slapd is not installed');

    const k = await replicaKilled(world);
    say('\n4. replica 2 SIGKILLed during writes (load and writes on replicas 0 and 1)');
    for (const line of [...ldapLines(k.ldap), ...writeLines(k.writes)]) say(line);
    say(`  restart to ready: ${k.restartMs} ms`);
    say(convergenceLine(k.convergence));
    say(`\nload average ${load()} at the end`);
  } finally {
    await closeWorld(world);
    await slapd?.cleanup();
    await work.remove();
  }
}

await main();
