// npm run docs:cli: regenerates docs/cli.md from the command table (test/cli/cli-reference.test.ts checks it).
import { writeFileSync } from 'node:fs';
import { renderCliReference } from '../src/cli/cli-reference.js';
import { COMMANDS, topLevelHelp } from '../src/cli/main.js';

const file = new URL('../docs/cli.md', import.meta.url);
writeFileSync(file, await renderCliReference(COMMANDS, topLevelHelp()));
console.log(`wrote ${file.pathname}`);
