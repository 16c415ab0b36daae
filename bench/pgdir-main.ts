/** Runs pgdir's CLI from source (through tsx) for the benchmark when dist/ is missing or stale. */
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
