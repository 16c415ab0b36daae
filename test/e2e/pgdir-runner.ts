import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How the e2e tests start pgdir: the installed entry point `node bin/pgdir.js` (compiled dist/),
 * as users run it. When dist/ is older than src/ (someone edited sources without `npm run build`)
 * the sources run through tsx instead, so the suite never tests stale code; PGDIR_E2E_RUNNER=dist
 * or =source forces one.
 */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin/pgdir.js');
const DIST_MAIN = join(REPO, 'dist/cli/main.js');
const SOURCE_ENTRY = join(REPO, 'test/helpers/pgdir-cli-entry.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function distIsFresh(): boolean {
  try {
    return statSync(DIST_MAIN).mtimeMs >= newestMtime(join(REPO, 'src'));
  } catch {
    return false;
  }
}

let chosen: 'dist' | 'source' | undefined;

export function pgdirRunner(): 'dist' | 'source' {
  const forced = process.env['PGDIR_E2E_RUNNER'];
  chosen ??= forced === 'dist' || forced === 'source' ? forced : distIsFresh() ? 'dist' : 'source';
  return chosen;
}

/** The environment without PGDIR_* settings from the developer's shell. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PGDIR_')));
}

export function spawnPgdir(args: readonly string[], cwd: string): ChildProcess {
  const entry = pgdirRunner() === 'dist' ? [BIN] : ['--import', TSX, SOURCE_ENTRY];
  return spawn(process.execPath, [...entry, ...args], { cwd, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one CLI command to completion with `input` on stdin. */
export function runPgdir(args: readonly string[], cwd: string, input = ''): Promise<CliResult> {
  const child = spawnPgdir(args, cwd);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin?.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
