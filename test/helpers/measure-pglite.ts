/**
 * Measures PGlite start-up time and RSS for the store (run: `npx tsx test/helpers/measure-pglite.ts`).
 * Each figure comes from its own child process so that RSS is not polluted by earlier phases:
 *   fresh     openStore on an empty data_dir (initdb + migrations)
 *   populate  insert 10,000 users (100 per transaction)
 *   existing  openStore on the populated directory
 *   snapshot  existing + store.snapshot() (what the in-memory view loads at start-up)
 * Tunings compared: pgdir's defaults, PGlite's defaults (shared_buffers 128MB), initdb in-process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type PGliteTuning } from '../../src/store/open-store.js';

const mb = (bytes: number) => Math.round(bytes / 1048576);

async function phase(name: string, dataDir: string, pglite: PGliteTuning): Promise<Record<string, unknown>> {
  const started = performance.now();
  const store = await openStore({ dataDir, pglite });
  const openMs = Math.round(performance.now() - started);
  const result: Record<string, unknown> = { phase: name, openMs, rssMB: mb(process.memoryUsage().rss) };
  if (name === 'populate') {
    const t = performance.now();
    for (let batch = 0; batch < 100; batch++) {
      await store.write(async (tx) => {
        for (let i = 0; i < 100; i++) {
          const n = batch * 100 + i;
          await tx.insertUser({ username: `user${n}`, email: `user${n}@example.com`, displayName: `User ${n}`, passwordHash: '$2b$10$abcdefghijklmnopqrstuv' });
        }
      });
    }
    result['insertMs'] = Math.round(performance.now() - t);
    result['rssAfterMB'] = mb(process.memoryUsage().rss);
  }
  if (name === 'snapshot') {
    const t = performance.now();
    const snapshot = await store.snapshot();
    result['snapshotMs'] = Math.round(performance.now() - t);
    result['users'] = snapshot.users.length;
    result['rssAfterMB'] = mb(process.memoryUsage().rss);
  }
  await store.close();
  return result;
}

const [, , name, dataDir, tuning] = process.argv;
if (name && dataDir) {
  console.log(JSON.stringify(await phase(name, dataDir, JSON.parse(tuning ?? '{}') as PGliteTuning)));
} else {
  const self = fileURLToPath(import.meta.url);
  const tunings: Record<string, PGliteTuning> = {
    'pgdir defaults': {},
    'shared_buffers 128MB': { sharedBuffers: '128MB' },
    'initdb in-process': { initInChild: false },
  };
  for (const [label, pglite] of Object.entries(tunings)) {
    const dir = mkdtempSync(join(tmpdir(), 'pgdir-measure-'));
    for (const p of ['fresh', 'populate', 'existing', 'snapshot']) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', self, p, dir, JSON.stringify(pglite)], { encoding: 'utf8' });
      console.log(label.padEnd(22), run.stdout.trim() || run.stderr.trim());
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
