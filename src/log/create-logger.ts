import pino, { type DestinationStream, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';
import type { LogConfig } from '../config/schema.js';

export type { Logger } from 'pino';

/**
 * Field names that may hold secrets, at the top level and up to two levels down (pino's redaction
 * wildcards match exactly one level each). Code should not log secrets at all; this is the net
 * under that rule (DESIGN §10: logs are pino JSON with secrets redacted).
 */
const SECRET_FIELDS = [
  'password', 'oldPassword', 'newPassword', 'admin_password', 'bind_password', 'passwordHash',
  'secret', 'secretHash', 'token', 'authorization', 'cookie', 'totpSecret',
];
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'req.headers.authorization', 'req.headers.cookie', 'database.url', 'config.database.url',
];
export const REDACTED = '[redacted]';

export interface LoggerOptions {
  readonly level: LogConfig['level'];
  /** `auto`: pretty when the destination is a terminal, JSON otherwise. */
  readonly format?: LogConfig['format'];
  /** File descriptor (1 stdout, 2 stderr) or a stream (tests). Default 1. */
  readonly destination?: 1 | 2 | DestinationStream;
  /** Bound to every line, e.g. { component: 'cli' }. */
  readonly base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? 1;
  const fd = typeof destination === 'number' ? destination : undefined;
  const pretty = options.format === 'pretty' || (options.format !== 'json' && fd !== undefined && isTerminal(fd));
  const settings = {
    level: options.level,
    base: { pid: process.pid, ...options.base },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
  };
  if (pretty) {
    const stream = PinoPretty({ colorize: fd !== undefined && isTerminal(fd), destination: fd ?? 1, sync: true, ignore: 'pid,hostname' });
    return pino(settings, fd === undefined ? (destination as DestinationStream) : stream);
  }
  return pino(settings, fd === undefined ? (destination as DestinationStream) : pino.destination({ fd, sync: true }));
}

function isTerminal(fd: number): boolean {
  return (fd === 1 ? process.stdout : process.stderr).isTTY === true;
}

export { maskUrl } from './mask-url.js';
