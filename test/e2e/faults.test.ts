import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JC_SUFFIX, jumpcloudConnectorYaml, jumpcloudLdif } from '../connector/connector-seeds.js';
import { createTempDir } from '../helpers/databases.js';
import { postgresBinDir } from '../helpers/private-postgres.js';
import { READER_PASSWORD, slapdAvailable, startTestSlapd, type TestSlapd } from '../helpers/slapd.js';
import {
  closeWorld,
  databaseOutage,
  importDuringRestart,
  replicaKilled,
  startWorld,
  syncDuringRestart,
  type Convergence,
  type FaultWorld,
} from './faults-scenarios.js';

/**
 * Issue 17, database faults under constant LDAP load: three `pgdir serve` replicas on a private
 * PostgreSQL cluster that is stopped, crashed and restarted (the shared server is never touched).
 * Short outages keep this file's time bounded; `npm run bench:faults` runs the 30 s outage and
 * prints the report. Nothing here asserts timing beyond "answers instead of hanging".
 */
const SOURCE_USERS = 1_500;

function expectConverged(c: Convergence): void {
  expect(c.lost).toEqual([]);
  expect(c.refusedButApplied).toEqual([]);
  expect(c.appliedTwice).toEqual([]);
  expect(c.revisionGaps).toBe(0);
  expect(c.headMatches).toBe(true);
  expect(c.divergent).toEqual([]);
}

describe.skipIf(postgresBinDir() === undefined || !slapdAvailable())('database faults under LDAP load, three replicas', { timeout: 300_000 }, () => {
  let world: FaultWorld;
  let slapd: TestSlapd;
  let work: { path: string; remove(): Promise<void> };

  beforeAll(async () => {
    [slapd, work] = await Promise.all([startTestSlapd({ suffix: JC_SUFFIX, ldif: jumpcloudLdif(SOURCE_USERS) }), createTempDir('pgdir-faults-')]);
    world = await startWorld({ workDir: work.path, extraYaml: jumpcloudConnectorYaml(slapd, READER_PASSWORD) });
  }, 300_000); // three replicas start one after the other: slow on a loaded shared machine
  afterAll(async () => {
    await closeWorld(world);
    await Promise.all([slapd?.cleanup(), work?.remove()]);
  });

  it('PostgreSQL stopped and started: LDAP keeps answering, writes answer 503 at once, nothing lost or doubled', async () => {
    const r = await databaseOutage(world, 5_000);
    const outage = r.ldap.get('outage');
    // Searches and binds of known users went on, with no error, on every replica.
    expect(outage?.searches).toBeGreaterThan(0);
    expect(outage?.binds).toBeGreaterThan(0);
    expect(outage?.errors).toEqual({});
    expect(r.ldap.get('before')?.errors).toEqual({});
    expect(r.ldap.get('after')?.errors).toEqual({});
    // Writes: refused with a clear 503, never left hanging.
    const refused = r.writes.get('outage')?.refused ?? {};
    expect(Object.keys(refused).length).toBeGreaterThan(0);
    for (const kind of Object.keys(refused)) expect(kind).toMatch(/^503 /);
    expect(r.writes.get('outage')?.slowestRefusalMs).toBeLessThan(15_000);
    expect(r.writes.get('after')?.created).toBeGreaterThan(0);
    expect(r.cliDuring.code).not.toBe(0);
    expect(r.cliDuring.stderr).toMatch(/database|unavailable/i);
    for (const ready of r.readyDuring) {
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'degraded', checks: { store: 'failing', ldap: 'ok' } });
    }
    expectConverged(r.convergence);
  });

  it('PostgreSQL crashed in the middle of an atomic import: nothing of it applied; run again, everything once', async () => {
    const r = await importDuringRestart(world, 10_000);
    expect(r.firstRun.code).not.toBe(0);
    expect(r.firstRun.stderr).toMatch(/pgdir: the database is unavailable$/);
    expect(r.halfApplied).toBe(0);
    expect(r.secondRun).toEqual({ code: 0, created: 10_000 });
    expect(r.usersAfter).toBe(10_000);
    expectConverged(r.convergence);
  });

  it('PostgreSQL crashed in the middle of a sync: whole batches or nothing; the next sync completes it', async () => {
    const r = await syncDuringRestart(world, SOURCE_USERS);
    expect(r.crashed).toBe(true);
    expect(r.atCrash % 500).toBe(0); // batches of 500 per transaction (DESIGN §9)
    expect(r.afterCrash % 500).toBe(0);
    expect(r.afterCrash).toBeLessThan(SOURCE_USERS + 3);
    expect(r.secondRun.code).toBe(0);
    expect(r.usersAfter).toBe(SOURCE_USERS + 3); // the bulk and the seed's three users pgdir can mirror
    expectConverged(r.convergence);
  });

  it('a replica SIGKILLed during writes: the others answer on, the restarted one converges', async () => {
    const r = await replicaKilled(world);
    for (const phase of ['before', 'replica down', 'restarting', 'after']) expect(r.ldap.get(phase)?.errors ?? {}, phase).toEqual({});
    for (const phase of ['replica down', 'restarting', 'after']) {
      expect(r.writes.get(phase)?.refused ?? {}, phase).toEqual({});
      expect(r.writes.get(phase)?.created, phase).toBeGreaterThan(0);
    }
    expectConverged(r.convergence);
  });
});
