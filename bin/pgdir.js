#!/usr/bin/env node
// Entry point installed as `pgdir`: runs the compiled CLI (built by `npm ci` through `prepare`).
import './check-node.js';
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(`pgdir: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
