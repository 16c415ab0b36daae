import { defineConfig } from 'vitest/config';
// On Node < 22 vitest 5 loses its failure reports (Map.groupBy): stop with one clear line instead.
import './bin/check-node.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
