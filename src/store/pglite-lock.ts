import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DirectoryError } from '../domain/errors.js';

/**
 * PGlite runs Postgres in single-user mode inside this process, so two processes (or two stores
 * in one process) on one data directory would corrupt it (DESIGN §2.2: one process only). A
 * pid file guards against that; a stale file (dead pid, or our own pid left by an earlier
 * container run where pgdir was also pid 1) is taken over.
 */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquirePGliteLock(file: string): () => void {
  if (heldHere.has(file)) {
    throw new DirectoryError('unavailable', `the embedded database is already open in this process (${file})`);
  }
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isSafeInteger(pid) && pid !== process.pid && alive(pid)) {
      throw new DirectoryError(
        'unavailable',
        `the embedded database is in use by process ${pid}; stop it, or remove ${file} if it is stale`,
      );
    }
    writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  }
  heldHere.add(file);
  return () => {
    heldHere.delete(file);
    rmSync(file, { force: true });
  };
}
