import type { Store } from '../../store/store.js';
import { bounded, TimedOut } from './bounded.js';
import type { Lag } from './replica-lag.js';
import type { RevisionCheck } from './revision-check.js';

/** A part's own readiness (e.g. the LDAP listeners): true when ready. */
export type ReadinessProbe = () => boolean | Promise<boolean>;

export interface ReadinessReport {
  readonly ready: boolean;
  /**
   * `degraded`: only the database fails. LDAP keeps answering searches and binds of known users
   * from the view; writes answer 503 until it returns. Still not ready, so a balancer that checks
   * /readyz alone moves new clients to a healthy replica when there is one (docs/scaling.md).
   */
  readonly state: 'ready' | 'degraded' | 'unready';
  readonly checks: Readonly<Record<string, 'ok' | 'failing'>>;
  /** Why each failing check fails, in words an operator can act on. */
  readonly reasons: Readonly<Record<string, string>>;
  /** The directory view's lag behind the change log, when a view is followed. */
  readonly lag?: Lag;
}

export interface ReadinessOptions {
  readonly store: Store;
  /** Longest wait for any one check (`health.check_timeout`). */
  readonly timeoutMs: number;
  readonly probes?: Readonly<Record<string, ReadinessProbe>>;
  /** The periodic revision check: its lag decides the `replication` check. */
  readonly replica?: RevisionCheck;
  /** Unready once behind this long (`health.max_lag`). */
  readonly maxLagMs?: number;
}

/**
 * The one readiness function (/readyz, `pgdir healthcheck`, `pgdir status`): the database answers
 * within the timeout, every part is ready, and the view trails the change log by less than
 * `maxLagMs`. Bounded: a stalled database connection gives "failing" after `timeoutMs`, never a
 * hang. Concurrent checks share one database read, so a stall cannot pile up pool connections.
 */
export function createReadiness(options: ReadinessOptions): () => Promise<ReadinessReport> {
  let reading: Promise<number> | undefined;
  const head = (): Promise<number> =>
    options.replica?.readHead() ?? (reading ??= options.store.revision().finally(() => (reading = undefined)));
  return async () => {
    const checks: Record<string, 'ok' | 'failing'> = {};
    const reasons: Record<string, string> = {};
    const run = async (name: string, probe: () => Promise<string | undefined>): Promise<void> => {
      const reason = await probe().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
      checks[name] = reason === undefined ? 'ok' : 'failing';
      if (reason !== undefined) reasons[name] = reason;
    };
    const probes = Object.entries(options.probes ?? {}).map(([name, probe]) =>
      run(name, async () => ((await bounded(Promise.resolve().then(probe), options.timeoutMs, name)) ? undefined : 'not ready')),
    );
    await Promise.all([run('store', () => storeCheck(options, head)), ...probes]);
    const lag = options.replica?.currentLag();
    if (lag !== undefined) await run('replication', async () => lagReason(lag, options.maxLagMs ?? 15_000, checks['store'] === 'ok'));
    const ready = Object.values(checks).every((c) => c === 'ok');
    const onlyStore = checks['store'] === 'failing' && Object.entries(checks).every(([name, c]) => name === 'store' || name === 'replication' || c === 'ok');
    const state = ready ? 'ready' : onlyStore ? 'degraded' : 'unready';
    return { ready, state, checks, reasons, ...(lag === undefined ? {} : { lag }) };
  };
}

async function storeCheck(options: ReadinessOptions, head: () => Promise<number>): Promise<string | undefined> {
  try {
    options.replica?.observe(await bounded(head(), options.timeoutMs, 'the database'));
    return undefined;
  } catch (error) {
    if (error instanceof TimedOut) return error.message;
    return `the database is unreachable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function lagReason(lag: Lag, maxLagMs: number, headKnown: boolean): string | undefined {
  if (!headKnown || lag.revisions === 0 || lag.seconds * 1000 < maxLagMs) return undefined;
  return `the directory view is ${lag.revisions} revision(s) behind the change log, for ${lag.seconds.toFixed(1)} s (limit ${maxLagMs / 1000} s)`;
}
