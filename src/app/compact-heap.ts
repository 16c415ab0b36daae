import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Below this much young generation the start-up left nothing worth a collection (a small directory). */
const WORTH_IT = 16 * 1024 * 1024;

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * Gives the memory the first load of the view left behind back to the system, once, at start-up
 * (issue 18, footprint; docs/performance.md "Memory"). Reading the snapshot makes V8 grow its
 * young generation to its maximum (everything allocated then survives: 2 × 64 MB) and leaves the
 * rows as garbage in the old generation; an idle daemon runs no further collection, so both
 * stayed resident (100,000 users: 460 MB RSS, of which ~240 MB heap in use after a full GC).
 * A last-resort collection (V8's CollectAllAvailableGarbage: full collections with the
 * memory-reducing flag) frees the rows and shrinks the young generation to its minimum; it grows
 * again under load as V8 sees fit. `gc` is reached the way `--expose-gc` would expose it, in a
 * fresh context, so that no flag is needed on the command line and the global object is untouched.
 * Returns the collection's duration in ms, or undefined when it was not worth one.
 */
export function compactHeap(): number | undefined {
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  if (young < WORTH_IT) return undefined;
  const started = performance.now();
  exposedGc()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return Math.round(performance.now() - started);
}

function exposedGc(): Gc {
  const own = (globalThis as { gc?: Gc }).gc;
  if (typeof own === 'function') return own;
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as Gc;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
