import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * With PGlite only one process may open data_dir/pglite. The daemon's control socket marks a
 * running daemon; this lock file marks a CLI command that opened the store itself. Each side first
 * claims its own marker and then checks the other's, so that at least one of them sees the other
 * (the daemon then waits for the command to finish; the command switches to the socket).
 */
export const CLI_LOCK_NAME = 'cli.lock';

export interface CliLockHolder {
  readonly pid: number;
  readonly since: string;
}

export const cliLockPath = (dataDir: string): string => join(dataDir, CLI_LOCK_NAME);

/** Takes the lock, waiting up to `waitMs` for a live holder; returns the release function. */
export async function acquireCliLock(dataDir: string, waitMs: number): Promise<() => Promise<void>> {
  const path = cliLockPath(dataDir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await tryCreate(path)) return () => unlink(path).catch(() => undefined);
    const holder = await liveHolder(path);
    if (holder === undefined) continue;
    if (Date.now() >= deadline) {
      throw new Error(`another pgdir command (pid ${holder.pid}) is using ${dataDir}; try again when it has finished`);
    }
    await sleep(100);
  }
}

/** Writes the holder to a private file and links it into place, so readers never see half a lock. */
async function tryCreate(path: string): Promise<boolean> {
  const body = JSON.stringify({ pid: process.pid, since: new Date().toISOString() } satisfies CliLockHolder);
  const temp = `${path}.${process.pid}`;
  await writeFile(temp, body, { mode: 0o600 });
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Waits until no live process holds the lock (the daemon calls this before opening PGlite). */
export async function waitForCliLock(dataDir: string, waitMs: number): Promise<void> {
  const path = cliLockPath(dataDir);
  const deadline = Date.now() + waitMs;
  let holder = await liveHolder(path);
  while (holder !== undefined) {
    if (Date.now() >= deadline) throw new Error(`a pgdir command (pid ${holder.pid}) still holds ${path}`);
    await sleep(100);
    holder = await liveHolder(path);
  }
}

/** The holder when it is alive; a lock left by a dead process is removed. */
async function liveHolder(path: string): Promise<CliLockHolder | undefined> {
  let holder: CliLockHolder;
  try {
    holder = JSON.parse(await readFile(path, 'utf8')) as CliLockHolder;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    holder = { pid: -1, since: '' }; // not written by pgdir: stale
  }
  if (holder.pid > 0 && holder.pid !== process.pid && isAlive(holder.pid)) return holder;
  await unlink(path).catch(() => undefined);
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
