/**
 * Bulk import benchmark (issue 12 "Make bulk import fast", issue 20 defect 4).
 *
 *   node --import tsx bench/import.ts                       # both stores, 20,000 rows, atomic
 *   node --import tsx bench/import.ts --store pglite --rows 5000 --mode partial
 *   node --import tsx bench/import.ts --daemon --rows 5000  # LDAP latency during a CLI import
 *   node --import tsx bench/import.ts --blocking --rows 5000 # longest event-loop slices (CPU time)
 *
 * Direct runs call the import use case (the code behind `pgdir users import` and
 * `POST /api/v1/users/import`) on a fresh store and print the time. `--daemon` starts a real
 * `pgdir serve` on PGlite, imports through the CLI while one LDAP client searches in a closed
 * loop, and prints the search latencies seen while the import ran (and the import's own time).
 * `--blocking` measures, in process, how long the import and the view's catch-up hold the event
 * loop at a time (import-blocking.ts).
 */
import { parseArgs } from 'node:util';
import { systemActor } from '../src/domain/actor.js';
import { readImportFileYielding } from '../src/directory/transfer/import-rows.js';
import { importUsers, type ImportMode } from '../src/directory/transfer/user-import.js';
import { openStore } from '../src/store/open-store.js';
import { createPGliteDataDir, createTestDatabase } from '../test/helpers/databases.js';
import { importCsv } from './import-csv.js';
import { runBlockingBench } from './import-blocking.js';
import { runDaemonBench } from './import-daemon.js';

async function direct(store: 'pglite' | 'postgres', rows: number, mode: ImportMode): Promise<void> {
  const pglite = store === 'pglite' ? await createPGliteDataDir() : undefined;
  const database = store === 'postgres' ? await createTestDatabase() : undefined;
  const opened = await openStore(pglite ? { dataDir: pglite.path } : { url: database?.url, dataDir: '/nonexistent' });
  try {
    const records = await readImportFileYielding('text/csv', importCsv(rows));
    const started = performance.now();
    let lastLine = 0;
    const report = await importUsers(opened, systemActor(), records, mode, { onProgress: (p) => {
      if (performance.now() - lastLine < 2000) return;
      lastLine = performance.now();
      console.error(`  ${p.phase} ${p.done}/${p.total}`);
    } });
    const seconds = (performance.now() - started) / 1000;
    const rate = Math.round(rows / seconds);
    console.log(`${store.padEnd(8)} ${rows} rows ${mode}: ${seconds.toFixed(2)} s (${rate} rows/s), created ${report.created}, errors ${report.errors.length}`);
  } finally {
    await opened.close();
    await pglite?.remove();
    await database?.drop();
  }
}

async function benchMain(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: 'string', default: 'both' },
      rows: { type: 'string', default: '20000' },
      mode: { type: 'string', default: 'atomic' },
      daemon: { type: 'boolean', default: false },
      blocking: { type: 'boolean', default: false },
      batch: { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  if (values.daemon) return runDaemonBench(rows, importCsv(rows));
  if (values.blocking) return runBlockingBench(rows, importCsv(rows), values.batch === undefined ? undefined : Number(values.batch));
  const stores = values.store === 'both' ? (['pglite', 'postgres'] as const) : [values.store as 'pglite' | 'postgres'];
  for (const store of stores) await direct(store, rows, values.mode as ImportMode);
}

benchMain().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
