import { randomBytes } from 'node:crypto';
import { parseOptions } from '@node-rs/bcrypt';
import { sharedBcryptThreads } from './bcrypt-threads.js';
import { createSemaphore } from './semaphore.js';

/**
 * bcrypt hashing off the event loop (DESIGN §2.4): @node-rs/bcrypt runs each hash on worker
 * threads at a lower CPU priority (bcrypt-threads.ts), so a burst of binds never starves searches.
 * In-flight jobs are capped (default: the number of CPUs) so that a burst queues here instead of
 * thrashing the CPUs.
 */
export interface PasswordHasher {
  readonly cost: number;
  /** A new $2b$ hash at the configured cost. */
  hash(password: string): Promise<string>;
  /**
   * Whether `password` matches `encoded` ($2a$, $2b$, $2y$ and the other prefixes bcrypt verifiers
   * accept). For a missing or unparseable hash it still runs a full verify against a dummy hash of
   * the configured cost and answers false, so unknown users cost the same as known ones (DESIGN §4).
   */
  verify(password: string, encoded: string | null | undefined): Promise<boolean>;
  /** Whether a stored hash is weaker than the configured cost or unusable (rehash after login). */
  needsRehash(encoded: string): boolean;
}

export interface PasswordHasherOptions {
  /** bcrypt cost, 4–31 (DESIGN §7 default 10). */
  readonly cost?: number;
  /** Most hashes this hasher computes at once; by default the shared pool (one thread per CPU) decides. */
  readonly maxConcurrent?: number;
  /** The bcrypt threads' nice value (`bcrypt.nice`, 0–19; default 10): how much searches win over hashing on a busy CPU. */
  readonly nice?: number;
}

export const DEFAULT_BCRYPT_COST = 10;

export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const cost = options.cost ?? DEFAULT_BCRYPT_COST;
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) {
    throw new RangeError(`bcrypt cost must be an integer from 4 to 31 (got ${cost})`);
  }
  // The shared thread pool already queues beyond one job per CPU; a cap of its own only when asked.
  const limit = options.maxConcurrent === undefined ? <T>(job: () => Promise<T>): Promise<T> => job() : createSemaphore(options.maxConcurrent);
  const threads = sharedBcryptThreads(options.nice);
  const bcryptHash = (password: string): Promise<string> => threads.hash(password, cost);
  const bcryptVerify = (password: string, encoded: string): Promise<boolean> => threads.verify(password, encoded);
  // Made once, up front, so the first unknown user does not pay for making it (a timing tell).
  const dummy = bcryptHash(randomBytes(18).toString('base64'));
  dummy.catch(() => undefined);

  const usable = (encoded: string | null | undefined): encoded is string => {
    if (typeof encoded !== 'string' || encoded.length === 0) return false;
    try {
      parseOptions(encoded);
      return true;
    } catch {
      return false;
    }
  };

  return {
    cost,
    hash: (password) => limit(() => bcryptHash(password)),
    async verify(password, encoded) {
      const candidate = typeof password === 'string' ? password : '';
      if (usable(encoded) && typeof password === 'string') {
        return limit(() => bcryptVerify(candidate, encoded));
      }
      const target = await dummy;
      await limit(() => bcryptVerify(candidate, target));
      return false;
    },
    needsRehash(encoded) {
      if (!usable(encoded)) return true;
      const parsed = parseOptions(encoded);
      return parsed.cost < cost || parsed.version === '2x';
    },
  };
}
