import { availableParallelism } from 'node:os';
import { DirectoryError } from '../../domain/errors.js';

/**
 * Bounds the password-hashing work of sign-in attempts (issue 20, defect 5): a storm of wrong
 * logins from one address must not starve everybody else's.
 *
 * - Each attempt holds a ticket from its start to its answer. At most `maxPerSource` tickets per
 *   source address and `maxTotal` overall; beyond that the attempt is refused at once with
 *   `busy` (HTTP 429 + Retry-After, LDAP 51) — before any hashing or database work.
 * - Hashing jobs run `slots` at a time (the bcrypt threads), taken round-robin across sources, so
 *   one address's queue never delays another's by more than one job per active source.
 * - Urgent tickets (a bind on an LDAP connection that already signed in once) have their own
 *   queue, served first, and count against neither cap: a storm cannot starve them.
 */
export interface HashGate {
  enter(source: string, urgent: boolean): GateTicket;
  /** A typical job's duration (ms), for answering refused attempts after the same delay without the CPU work. */
  readonly typicalMs: number;
}

export interface GateTicket {
  /** Runs one hashing job of this attempt in its turn. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Gives the ticket back (idempotent); always call it, in a finally. */
  end(): void;
}

export interface HashGateOptions {
  readonly maxPerSource?: number;
  readonly maxTotal?: number;
  readonly slots?: number;
}

export const DEFAULT_MAX_PER_SOURCE = 8;
export const DEFAULT_MAX_TOTAL = 128;

const busy = (): DirectoryError => new DirectoryError('busy', 'too many sign-in attempts are in progress; try again in a moment');

export function createHashGate(options: HashGateOptions = {}): HashGate {
  const maxPerSource = options.maxPerSource ?? DEFAULT_MAX_PER_SOURCE;
  const maxTotal = options.maxTotal ?? DEFAULT_MAX_TOTAL;
  const slots = options.slots ?? Math.max(1, availableParallelism());
  const tickets = new Map<string, number>();
  let total = 0;
  let running = 0;
  const urgentQueue: (() => void)[] = [];
  /** Waiting jobs per source; Map order is the round-robin order (a served source moves to the end). */
  const queues = new Map<string, (() => void)[]>();
  let typicalMs = 50;

  function next(): (() => void) | undefined {
    const urgent = urgentQueue.shift();
    if (urgent !== undefined) return urgent;
    for (const [source, queue] of queues) {
      const job = queue.shift();
      queues.delete(source);
      if (queue.length > 0) queues.set(source, queue);
      if (job !== undefined) return job;
    }
    return undefined;
  }

  function release(): void {
    const start = next();
    if (start === undefined) running -= 1;
    else start(); // the slot passes straight on
  }

  async function schedule<T>(source: string, urgent: boolean, job: () => Promise<T>): Promise<T> {
    if (running < slots) running += 1;
    else {
      await new Promise<void>((resolve) => {
        if (urgent) urgentQueue.push(resolve);
        else (queues.get(source) ?? queues.set(source, []).get(source)!).push(resolve);
      });
    }
    const startedAt = performance.now();
    try {
      return await job();
    } finally {
      typicalMs = typicalMs * 0.9 + (performance.now() - startedAt) * 0.1;
      release();
    }
  }

  return {
    get typicalMs() {
      return typicalMs;
    },
    enter(source, urgent) {
      if (!urgent) {
        const mine = tickets.get(source) ?? 0;
        if (mine >= maxPerSource || total >= maxTotal) throw busy();
        tickets.set(source, mine + 1);
        total += 1;
      }
      let open = true;
      return {
        run: (job) => schedule(source, urgent, job),
        end() {
          if (!open || urgent) return void (open = false);
          open = false;
          total -= 1;
          const left = (tickets.get(source) ?? 1) - 1;
          if (left === 0) tickets.delete(source);
          else tickets.set(source, left);
        },
      };
    },
  };
}
