import pino from 'pino';
import type { LogConfig } from '../config/schema.js';
import type { AccessLogger } from './access-logger.js';
import { REDACT_PATHS, REDACTED, type Logger } from './create-logger.js';

/** Bytes gathered before one write: one syscall (and one read for journald or a pipe) per ~150 lines. */
const BUFFER_BYTES = 32 * 1024;
/** A quiet server's lines still leave within this time. */
const FLUSH_MS = 500;

export interface AccessLogSink {
  readonly logger: AccessLogger;
  /** Writes what is buffered (call at shutdown). */
  close(): void;
}

/**
 * The access log's own writer. One line per LDAP operation at 20,000 operations a second is too many
 * for one write each (measured on the bench: `log.access: all` cut point searches to 0.3x), so JSON
 * lines are gathered into 32 KiB writes, synchronous and on this thread like the main logger's (so
 * lines of the two never interleave), and flushed at least every 500 ms. Pretty output (a
 * terminal) goes through the main logger.
 */
export function createAccessLogSink(config: LogConfig, main: Logger): AccessLogSink {
  const pretty = config.format === 'pretty' || (config.format === 'auto' && process.stdout.isTTY === true);
  if (pretty) return { logger: main.child({ component: 'access' }), close: () => undefined };
  const destination = pino.destination({ dest: 1, sync: true, minLength: BUFFER_BYTES, maxWrite: 4 * BUFFER_BYTES });
  const logger = pino({ level: config.level, base: { pid: process.pid, component: 'access' }, redact: { paths: [...REDACT_PATHS], censor: REDACTED } }, destination);
  const timer = setInterval(() => destination.flushSync(), FLUSH_MS);
  timer.unref();
  return {
    logger,
    close() {
      clearInterval(timer);
      destination.flushSync();
    },
  };
}
