import { writeSync } from 'node:fs';
import type { LogConfig } from '../config/schema.js';
import type { AccessLogger } from './access-logger.js';
import type { Logger } from './create-logger.js';

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
 * The access log's own writer for `pgdir serve`. Measured on the bench (`BENCH_PGDIR_ACCESS=all`):
 * through pino, one write per line, point searches fell to 0.3x of `off`; pino's per-call path
 * (bindings, wildcard redaction) was most of it. So lines are formatted here, in pino's JSON line
 * format, and gathered into 32 KiB writes, synchronous and on this thread like the main logger's
 * (the two never interleave), flushed at least every 500 ms and at shutdown. Pretty output (a
 * terminal) and levels above info go through the main logger.
 */
export function createAccessLogSink(config: LogConfig, main: Logger): AccessLogSink {
  const pretty = config.format === 'pretty' || (config.format === 'auto' && process.stdout.isTTY === true);
  // Above info (warn, error, …) hides access lines, as it would through the main logger.
  if (pretty || LEVELS[config.level] === undefined || (LEVELS[config.level] ?? 0) > 30) return { logger: main.child({ component: 'access' }), close: () => undefined };
  const head = `{"level":30,"time":`;
  const tail = `,"pid":${process.pid},"component":"access",`;
  let buffer = '';
  const flush = (): void => {
    if (buffer === '') return;
    const out = buffer;
    buffer = '';
    try {
      writeSync(1, out);
    } catch {
      // stdout gone (closed pipe): the access log is best effort, the daemon keeps serving.
    }
  };
  const timer = setInterval(flush, FLUSH_MS);
  timer.unref();
  return {
    logger: {
      info(obj: object, msg: string) {
        // The pino line format by hand: pino's own path (bindings, hooks, redaction) cost ~3x the
        // line itself on the bench. Fields are pgdir's own (access-log.ts), never a secret.
        const fields = JSON.stringify(obj).slice(1, -1);
        buffer += `${head}${Date.now()}${tail}${fields}${fields === '' ? '' : ','}"msg":${JSON.stringify(msg)}}\n`;
        if (buffer.length >= BUFFER_BYTES) flush();
      },
    },
    close() {
      clearInterval(timer);
      flush();
    },
  };
}

const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };
