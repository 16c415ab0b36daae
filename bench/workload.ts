import type { FinalResponse } from './response-reader.js';
import type { Target } from './target.js';

/**
 * What one closed-loop client connection does. A session issues one request at a time; the load
 * generator measures from writing it until its final response (SearchResultDone / BindResponse).
 */
export interface Session {
  /** The next request, encoded with `messageId`. */
  next(messageId: number): Buffer;
  /** Judges the final response of the request; false counts the operation as an error. */
  done(response: FinalResponse, entries: number, latencyMs: number, measured: boolean): boolean;
}

export interface Workload {
  readonly name: string;
  /** Whether each connection binds as the admin before the measured loop (searches need it). */
  readonly bindAsAdmin: boolean;
  session(target: Target, random: () => number): Session;
  /** Extra figures for the report, gathered by the sessions during the measured window. */
  extra?(): Record<string, number>;
}

/** mulberry32: a small, fast, seedable PRNG so that every run issues the same request sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
