import { systemActor } from '../src/domain/actor.js';
import { readImportFileYielding } from '../src/directory/transfer/import-rows.js';
import { importUsers } from '../src/directory/transfer/user-import.js';
import { createDirectoryView } from '../src/directory/view/index.js';
import { openStore } from '../src/store/open-store.js';
import { createPGliteDataDir } from '../test/helpers/databases.js';

/**
 * `bench/import.ts --blocking`: how long the event loop is held at a time while an import runs on
 * PGlite, with a directory view following the store as in the daemon (so its catch-up after the
 * commit counts). A 1 ms timer records, between two of its ticks, the CPU time this thread spent
 * (process.threadCpuUsage): that is what a waiting LDAP request waits for, independent of how
 * busy the machine's other processes keep the CPUs (wall-clock latencies on a shared machine
 * include the time this process was not scheduled at all).
 */
const cpuMs = (): number => {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) / 1000;
};

export async function runBlockingBench(rows: number, csv: string, batchSize: number | undefined): Promise<void> {
  const dir = await createPGliteDataDir();
  const store = await openStore({ dataDir: dir.path });
  const view = createDirectoryView({ store, suffix: 'dc=example,dc=com' });
  try {
    await view.load();
    const slices: { ms: number; phase: string }[] = [];
    let phase = 'reading the file';
    let last = cpuMs();
    const timer = setInterval(() => {
      const now = cpuMs();
      slices.push({ ms: now - last, phase });
      last = now;
    }, 1);
    const started = performance.now();
    const records = await readImportFileYielding('text/csv', csv);
    const report = await importUsers(store, systemActor(), records, 'atomic', { ...(batchSize === undefined ? {} : { batchSize }), onProgress: (p) => (phase = p.phase) });
    const importMs = performance.now() - started;
    phase = 'view catch-up';
    while (view.revision < (await store.revision())) await new Promise((r) => setTimeout(r, 5));
    const totalMs = performance.now() - started;
    clearInterval(timer);
    console.log(`PGlite + view, ${rows} rows: import ${(importMs / 1000).toFixed(2)} s, view caught up after ${(totalMs / 1000).toFixed(2)} s, created ${report.created}`);
    const sorted = slices.map((s) => s.ms).sort((a, b) => a - b);
    const at = (q: number): string => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(1);
    console.log(`  event loop held (CPU ms between 1 ms ticks): p50 ${at(0.5)}, p99 ${at(0.99)}, max ${at(1)} over ${sorted.length} ticks`);
    for (const name of [...new Set(slices.map((s) => s.phase))]) {
      const mine = slices.filter((s) => s.phase === name).map((s) => s.ms);
      console.log(`  ${name.padEnd(16)} longest ${Math.max(...mine).toFixed(1)} ms`);
    }
  } finally {
    view.close();
    await store.close();
    await dir.remove();
  }
}
