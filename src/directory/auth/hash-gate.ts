import { BCRYPT_DEPTH, bcryptThreadCount } from '../../crypto/bcrypt-threads.js';
import { DirectoryError } from '../../domain/errors.js';
import { GateTickets } from './gate-tickets.js';

/**
 * Bounds the password-hashing work of sign-in attempts (issue 20, defect 5): a storm of wrong
 * logins from one address must not starve everybody else's.
 *
 * - Each attempt holds a ticket from its start to its answer. At most `maxPerSource` tickets per
 *   source address and `maxTotal` overall; beyond that the attempt is refused at once with
 *   `busy` (HTTP 429 + Retry-After, LDAP 51) — before any hashing or database work.
 * - Hashing jobs run `slots` at a time (two per bcrypt thread: one hashing, the next waiting in the
 *   thread's own queue, bcrypt-threads.ts), taken round-robin across sources, so one address's
 *   queue never delays another's by more than one job per active source and slot.
 * - Urgent tickets (a bind on an LDAP connection that already signed in once) have their own
 *   queue, served first, and count against neither cap: a storm cannot starve them.
 *
 * With LDAP worker threads (`ldap.workers` > 1) the caps and the hashing turns are the daemon's, not
 * each thread's: tickets are counted in one shared table (gate-tickets.ts), and a worker's hashing
 * jobs wait for their turn in the main thread's gate (`turns`), whose slots are the one bcrypt pool.
 */
export interface HashGate {
  enter(source: string, urgent: boolean): GateTicket;
  /** A typical job's duration (ms), for answering refused attempts after the same delay without the CPU work. */
  readonly typicalMs: number;
  /** Waits for a hashing slot in the fair order; the caller runs its job, then calls the release once. */
  turn(source: string, urgent: boolean): Promise<() => void>;
  /** The ticket table, shared with the LDAP worker threads. */
  readonly tickets: GateTickets;
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
  /** The daemon's ticket table (an LDAP worker thread: the main thread's, with its own region); default: a table of its own. */
  readonly tickets?: GateTickets;
  /** Threads that will share this gate's table (the main thread and the LDAP workers); default 1. */
  readonly threads?: number;
  /** Where hashing turns come from (an LDAP worker thread: the main thread's gate); default: this gate's slots. */
  readonly turns?: (source: string, urgent: boolean) => Promise<() => void>;
}

export const DEFAULT_MAX_PER_SOURCE = 8;
export const DEFAULT_MAX_TOTAL = 128;

const busy = (): DirectoryError => new DirectoryError('busy', 'too many sign-in attempts are in progress; try again in a moment');

export function createHashGate(options: HashGateOptions = {}): HashGate {
  const maxPerSource = options.maxPerSource ?? DEFAULT_MAX_PER_SOURCE;
  const maxTotal = options.maxTotal ?? DEFAULT_MAX_TOTAL;
  const slots = options.slots ?? bcryptThreadCount() * BCRYPT_DEPTH;
  const tickets = options.tickets ?? new GateTickets(GateTickets.allocate(options.threads ?? 1, maxTotal), 0);
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

  async function localTurn(source: string, urgent: boolean): Promise<() => void> {
    if (running < slots) running += 1;
    else {
      await new Promise<void>((resolve) => {
        if (urgent) urgentQueue.push(resolve);
        else (queues.get(source) ?? queues.set(source, []).get(source)!).push(resolve);
      });
    }
    let held = true;
    return () => {
      if (held) release();
      held = false;
    };
  }
  const turn = options.turns ?? localTurn;

  async function schedule<T>(source: string, urgent: boolean, job: () => Promise<T>): Promise<T> {
    const done = await turn(source, urgent);
    const startedAt = performance.now();
    try {
      return await job();
    } finally {
      typicalMs = typicalMs * 0.9 + (performance.now() - startedAt) * 0.1;
      done();
    }
  }

  return {
    get typicalMs() {
      return typicalMs;
    },
    turn,
    tickets,
    enter(source, urgent) {
      if (!urgent && !tickets.take(source, maxPerSource, maxTotal)) throw busy();
      let open = true;
      return {
        run: (job) => schedule(source, urgent, job),
        end() {
          if (open && !urgent) tickets.release(source);
          open = false;
        },
      };
    },
  };
}
