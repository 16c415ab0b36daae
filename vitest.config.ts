import { defineConfig } from 'vitest/config';
// On Node < 22 vitest 5 loses its failure reports (Map.groupBy): stop with one clear line instead.
import './bin/check-node.js';
import { HeavyFirstSequencer } from './test/helpers/heavy-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is availableParallelism − 1 files at a time: one on CI's 2 vCPUs, so the
    // suite ran file after file while most files wait on daemons, PostgreSQL, clients and timers.
    // Two at a time overlaps that waiting. VITEST_MAX_WORKERS=1 (read by vitest) restores one.
    maxWorkers: 2,
    sequence: { sequencer: HeavyFirstSequencer },
    reporters: ['default'],
  },
});
