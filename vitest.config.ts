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
    // One file at a time (vitest's default on CI's 2 vCPUs). Two at a time overlaps files' waiting
    // on daemons and clients, but made load-dependent assertions (a change seen within a second,
    // a replica taken out) the first to break under load; `npx vitest run --maxWorkers=2` tries it.
    maxWorkers: 1,
    sequence: { sequencer: HeavyFirstSequencer },
    reporters: ['default'],
  },
});
