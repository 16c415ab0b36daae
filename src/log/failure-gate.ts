import type { AccessLogger } from './access-logger.js';
import { DuplicateSuppressor } from './duplicate-suppressor.js';

/**
 * The access log's flood limit, shared by its LDAP and HTTP halves: failures of one kind pass
 * `burst` times per window, then one summary line per window says how many were left out.
 */
export interface FailureGate {
  admit(key: string, sample: object): boolean;
  /** Stops the window timer and writes the summaries still pending. */
  close(): void;
}

export function createFailureGate(logger: AccessLogger, options: { burst?: number; windowMs?: number } = {}): FailureGate {
  const windowMs = options.windowMs ?? 60_000;
  const suppressor = new DuplicateSuppressor({ burst: options.burst ?? 20, windowMs });
  const summary = (sample: object, suppressed: number): void =>
    logger.info({ ...sample, suppressed }, `${suppressed} more like this were not logged`);
  const timer = setInterval(() => suppressor.flush(summary), windowMs);
  timer.unref();
  return {
    admit: (key, sample) => suppressor.admit(key, sample, summary),
    close() {
      clearInterval(timer);
      suppressor.flush(summary, true);
    },
  };
}
