/**
 * `node --import tsx test/helpers/pgdir-cli-entry.ts <args>`: the pgdir CLI from the TypeScript
 * sources, exactly as bin/pgdir.js runs the compiled one, so that process tests need no build.
 */
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`pgdir: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
