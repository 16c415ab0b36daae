import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { StoreLogger } from './store-logger.js';

/**
 * Opening PGlite (Postgres compiled to WASM) with start-up time and memory tuned. Measured on this
 * project's machine (see docs in the store report): initdb is what makes a fresh data directory
 * slow (~3 s) and large (~0.8 GB RSS, mostly a second WASM instance plus heap copies that initdb
 * keeps for each bootstrap step); opening an existing directory takes ~0.3 s. So:
 * - a fresh directory is initialised in a short-lived child process, and the daemon then opens
 *   it as an existing one, never holding initdb's memory;
 * - shared_buffers is lowered from initdb's 128MB: in WASM the buffer pool is touched at start-up
 *   and stays resident, and pgdir serves reads from its in-memory view, not from Postgres pages.
 */
export interface PGliteTuning {
  /** Postgres shared_buffers (default '8MB'). */
  readonly sharedBuffers?: string;
  /** Initialise a fresh data directory in a child process (default true). */
  readonly initInChild?: boolean;
  /** Further `-c name=value` settings. */
  readonly settings?: Readonly<Record<string, string>>;
}

function startParams(tuning: PGliteTuning): string[] {
  // PGlite passes -F (fsync off). Dropping it would change nothing: emscripten's NODEFS has no
  // fsync, so writes reach the OS page cache, not the disk, when a transaction commits. The
  // embedded mode therefore survives a pgdir crash but may lose recent commits on power loss.
  const base = PGlite.defaultStartParams;
  const settings = { shared_buffers: tuning.sharedBuffers ?? '8MB', ...tuning.settings };
  return [...base, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

const INIT_SCRIPT = `
const { PGlite } = require(process.argv[1]);
PGlite.create({ dataDir: process.argv[2] })
  .then((db) => db.close())
  .catch((error) => { console.error(String(error && error.stack || error)); process.exit(1); });
`;

function initInChild(dir: string): Promise<void> {
  const modulePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', INIT_SCRIPT, modulePath, dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`PGlite initialisation exited with ${String(code)}: ${stderr.trim()}`));
    });
  });
}

export async function openPGlite(dir: string, tuning: PGliteTuning, logger: StoreLogger): Promise<PGlite> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dir, 'PG_VERSION')) && tuning.initInChild !== false) {
    const started = performance.now();
    try {
      await initInChild(dir);
      logger.info({ dir, ms: Math.round(performance.now() - started) }, 'initialised PGlite data directory');
    } catch (error) {
      // Falls back to PGlite's own in-process initdb (slower to give memory back, still correct).
      logger.warn({ err: error, dir }, 'PGlite initialisation in a child process failed; initialising in-process');
    }
  }
  return PGlite.create({ dataDir: dir, startParams: startParams(tuning) });
}
