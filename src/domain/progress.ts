/**
 * Progress of long work (users import, connector sync), as the CLI and the HTTP jobs show it
 * (issue 12 "Long work shows progress"): which phase, and how many of its items are done.
 */
export interface Progress {
  /** e.g. `checking`, `writing` (import); `reading`, `users`, `groups`, `members` (sync). */
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}

export type ProgressListener = (progress: Progress) => void;

/**
 * Lets timers and sockets run between slices of long work. Awaiting a promise alone does not:
 * PGlite answers within the same macrotask (it runs on this thread), so a loop of awaited queries
 * would keep LDAP and HTTP waiting until it ends (issue 20, defect 4).
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Calls `listener` at most every `intervalMs`, always for the first and the last item of a phase. */
export function throttleProgress(listener: ProgressListener | undefined, intervalMs = 250): ProgressListener | undefined {
  if (listener === undefined) return undefined;
  let last = 0;
  let lastPhase = '';
  return (progress) => {
    const now = performance.now();
    const edge = progress.phase !== lastPhase || progress.done >= progress.total || progress.done === 0;
    if (!edge && now - last < intervalMs) return;
    last = now;
    lastPhase = progress.phase;
    listener(progress);
  };
}
