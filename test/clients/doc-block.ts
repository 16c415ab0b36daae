import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/pgdir-process.js';

/**
 * The settings a client test runs with come from the client's page in docs/clients/, so the page
 * cannot drift from what was tested: a fenced block whose info string carries `title=<name>`
 * (```ini title=sssd.conf) is read verbatim, and only the values that differ on a test machine
 * (host, port, certificate path, secrets) are replaced. Every replacement must find its text, so
 * renaming a value on the page fails the test instead of silently testing something else.
 */
export function docBlock(page: string, title: string): string {
  const text = readFileSync(join(REPO, 'docs', 'clients', page), 'utf8');
  const blocks = [...text.matchAll(/^```[^\n]*\btitle=(\S+)[^\n]*\n([\s\S]*?)^```$/gm)];
  const found = blocks.filter((m) => m[1] === title);
  if (found.length !== 1) throw new Error(`docs/clients/${page}: expected one block titled ${title}, found ${found.length}`);
  return found[0]?.[2] ?? '';
}

/** Replaces every occurrence of each key; a key the block does not contain is an error. */
export function fillIn(block: string, values: Readonly<Record<string, string>>): string {
  let out = block;
  for (const [from, to] of Object.entries(values)) {
    if (!out.includes(from)) throw new Error(`the documented block no longer contains ${JSON.stringify(from)}:\n${block}`);
    out = out.split(from).join(to);
  }
  return out;
}
