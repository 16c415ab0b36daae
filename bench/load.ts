import { performance } from 'node:perf_hooks';
import { Client } from './client.js';
import { Latencies, type LatencySummary } from './latencies.js';
import type { Target } from './target.js';
import { type Workload, seededRandom } from './workload.js';

/**
 * The closed-loop load generator: C connections per workload, each with one request in flight,
 * for a bounded duration. Operations that finish during the warm-up are not counted; the
 * measured window is [warm-up end, deadline], so ops/s = counted operations / window.
 */

export interface LoadGroup {
  readonly workload: Workload;
  readonly conns: number;
}

export interface LoadOptions {
  readonly target: Target;
  readonly groups: readonly LoadGroup[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Seed for the request sequence (same seed → same users asked for, on every target). */
  readonly seed?: number;
  /** How long after the window operations still in flight may take before their connections are cut. */
  readonly graceMs?: number;
}

export interface LoadResult {
  readonly workload: string;
  readonly conns: number;
  readonly ops: number;
  readonly errors: number;
  /** Operations cut off because they outlasted the window by more than the grace period. */
  readonly unfinished: number;
  readonly opsPerSec: number;
  readonly entries: number;
  readonly latency: LatencySummary;
  readonly extra: Record<string, number>;
  /** First error seen, for the report. */
  readonly firstError?: string;
}

interface Tally {
  ops: number;
  errors: number;
  unfinished: number;
  entries: number;
  firstError?: string;
  readonly latencies: Latencies;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult[]> {
  const { target, groups } = options;
  const clients = await Promise.all(groups.map((g) => openClients(target, g)));
  const tallies: Tally[] = groups.map(() => ({ ops: 0, errors: 0, unfinished: 0, entries: 0, latencies: new Latencies() }));
  const start = performance.now();
  const window = { from: start + options.warmupSeconds * 1000, to: start + (options.warmupSeconds + options.seconds) * 1000 };
  let seed = options.seed ?? 1;
  const loops = groups.flatMap((g, gi) =>
    (clients[gi] ?? []).map((c) => loop(c, g.workload, target, seededRandom(seed++), tallies[gi] as Tally, window)),
  );
  // A target that never answers must not hang the run: cut what is still running after the grace.
  const graceMs = options.graceMs ?? Math.max(10_000, options.seconds * 1000);
  const cut = setTimeout(() => clients.flat().forEach((c) => c.abort()), window.to - start + graceMs);
  await Promise.all(loops);
  clearTimeout(cut);
  for (const list of clients) for (const c of list) c.close();
  return groups.map((g, gi) => {
    const t = tallies[gi] as Tally;
    const base = {
      workload: g.workload.name,
      conns: g.conns,
      ops: t.ops,
      errors: t.errors,
      unfinished: t.unfinished,
      opsPerSec: t.ops / options.seconds,
      entries: t.entries,
      latency: t.latencies.summary(),
      extra: g.workload.extra?.() ?? {},
    };
    return t.firstError ? { ...base, firstError: t.firstError } : base;
  });
}

async function openClients(target: Target, group: LoadGroup): Promise<Client[]> {
  const clients = await Promise.all(Array.from({ length: group.conns }, () => Client.open(target)));
  if (group.workload.bindAsAdmin) await Promise.all(clients.map((c) => c.bind(target.adminDn, target.adminPassword)));
  return clients;
}

async function loop(
  client: Client,
  workload: Workload,
  target: Target,
  random: () => number,
  tally: Tally,
  window: { from: number; to: number },
): Promise<void> {
  const session = workload.session(target, random);
  while (performance.now() < window.to) {
    const reply = await client.send((id) => session.next(id));
    if (reply.error && performance.now() > window.to) {
      tally.unfinished++;
      return;
    }
    if (reply.error) {
      tally.errors++;
      tally.firstError ??= reply.error.message;
      return; // the connection is gone
    }
    if (reply.endedAt > window.to) break;
    const measured = reply.endedAt >= window.from;
    const ok = session.done(reply.response, reply.entries, reply.latencyMs, measured);
    if (!measured) continue;
    if (!ok) {
      tally.errors++;
      tally.firstError ??= `result code ${reply.response.resultCode}, ${reply.entries} entries`;
      continue;
    }
    tally.ops++;
    tally.entries += reply.entries;
    tally.latencies.add(reply.latencyMs);
  }
}
