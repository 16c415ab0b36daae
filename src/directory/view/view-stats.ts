import type { ChangeFollower } from './change-follower.js';
import type { DirectoryState } from './directory-state.js';
import type { EncodedCache } from './encoded-cache.js';

export interface ViewStats {
  readonly revision: number;
  readonly entries: number;
  readonly users: number;
  readonly groups: number;
  readonly serviceAccounts: number;
  /** Duration of the last full load, and when it finished (epoch ms). */
  readonly loadMs: number;
  readonly loadedAt: number;
  readonly reloads: number;
  readonly catchUps: number;
  readonly catchUpFailures: number;
  readonly lastError: string | undefined;
  readonly encodedBytes: number;
  readonly encodedHits: number;
  readonly encodedMisses: number;
}

export function viewStats(
  state: DirectoryState | undefined,
  follower: ChangeFollower,
  cache: EncodedCache | undefined,
  timings: { loadMs: number; loadedAt: number; reloads: number },
): ViewStats {
  const lists = state?.entries.lists;
  return {
    revision: state?.revision ?? 0,
    entries: state?.entries.size ?? 0,
    users: lists?.user.length ?? 0,
    groups: lists?.group.length ?? 0,
    // cn=admin is always there; count only the accounts created through the API or CLI.
    serviceAccounts: Math.max(0, (lists?.system.length ?? 0) - 1),
    ...timings,
    catchUps: follower.catchUps,
    catchUpFailures: follower.failures,
    lastError: follower.lastError,
    encodedBytes: cache?.size ?? 0,
    encodedHits: cache?.hits ?? 0,
    encodedMisses: cache?.misses ?? 0,
  };
}
