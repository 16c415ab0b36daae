import { randomUUID, timingSafeEqual } from 'node:crypto';
import { DirectoryError } from '../domain/errors.js';
import type { Progress, ProgressListener } from '../domain/progress.js';

/**
 * Long requests run as jobs when asked (`?async=1` on the users import and the sync): the request
 * answers 202 with the job at once, and `GET /api/v1/jobs/:id` shows its progress and, when
 * finished, its result (issue 12 "Long work shows progress"). Jobs live in this process only
 * (a replica answers for the jobs it runs) and are forgotten an hour after they finish.
 *
 * A job belongs to the bearer token that started it (kept as its SHA-256), and reading it needs
 * that token. Why not the usual authentication: it reads the token from the database, and on the
 * embedded store the database is busy with the very import being watched (one transaction at a
 * time), so the progress would only show once it is over.
 */
export type JobState = 'running' | 'succeeded' | 'failed';

export interface JobView {
  readonly id: string;
  readonly kind: string;
  readonly state: JobState;
  readonly progress: Progress | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** The report when finished (an import's or a sync's, as the synchronous request returns it). */
  readonly result: unknown;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** What a job's work returns: its result, and the error that makes it `failed`, if any. */
export interface JobOutcome {
  readonly result: unknown;
  readonly error?: DirectoryError;
}

interface Job {
  view: JobView;
  readonly ownerKey: string;
}

const KEEP_MS = 60 * 60_000;
const MAX_JOBS = 200;

export class JobRegistry {
  readonly #jobs = new Map<string, Job>();

  /** Starts `work` now; its failures end up in the job, never as an unhandled rejection. */
  start(kind: string, ownerKey: string, work: (progress: ProgressListener) => Promise<JobOutcome>): JobView {
    this.#prune();
    const id = randomUUID();
    const job: Job = {
      ownerKey,
      view: { id, kind, state: 'running', progress: null, startedAt: new Date().toISOString(), finishedAt: null, result: null, error: null },
    };
    this.#jobs.set(id, job);
    const progress: ProgressListener = (p) => (job.view = { ...job.view, progress: p });
    const finish = (state: JobState, result: unknown, error: DirectoryError | undefined): void => {
      const failure = error === undefined ? null : { code: error.kind, message: error.kind === 'internal' ? 'internal error' : error.message };
      job.view = { ...job.view, state, result: result ?? null, error: failure, finishedAt: new Date().toISOString() };
    };
    void work(progress).then(
      (outcome) => finish(outcome.error === undefined ? 'succeeded' : 'failed', outcome.result, outcome.error),
      (error: unknown) => finish('failed', null, error instanceof DirectoryError ? error : new DirectoryError('internal', 'internal error', { cause: error })),
    );
    return job.view;
  }

  /** Only the token that started a job sees it; for any other it does not exist (404, no enumeration). */
  get(id: string, callerKey: string): JobView | undefined {
    const job = this.#jobs.get(id);
    if (job === undefined) return undefined;
    const [a, b] = [Buffer.from(job.ownerKey), Buffer.from(callerKey)];
    return a.length === b.length && timingSafeEqual(a, b) ? job.view : undefined;
  }

  #prune(): void {
    const now = Date.now();
    for (const [id, job] of this.#jobs) {
      const finished = job.view.finishedAt === null ? undefined : Date.parse(job.view.finishedAt);
      if (finished !== undefined && (now - finished > KEEP_MS || this.#jobs.size > MAX_JOBS)) this.#jobs.delete(id);
    }
  }
}
