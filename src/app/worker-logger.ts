import type { RpcPeer } from './worker-rpc.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
type Level = (typeof LEVELS)[number];

/** One log line from a worker thread: [level, object (bindings merged in), message]. */
export type LogLine = readonly [Level, object, string | undefined];

/** The part of pino's Logger the LDAP side uses. */
export interface RemoteLogger {
  level: string;
  child(bindings: object): RemoteLogger;
  isLevelEnabled(level: string): boolean;
  trace(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  fatal(obj: object | string, msg?: string): void;
}

/**
 * A logger in an LDAP worker thread whose lines go to the main thread's logger (one stdout, one
 * format, its redaction). Lines of one microtask run leave in one message, before the corked
 * responses of that run are written (those go out on process.nextTick, after the microtasks), so
 * the log is never behind what the clients saw. Lines below `level` are dropped here.
 */
export function remoteLogger(rpc: RpcPeer, channel: string, bindings: object, level: string): RemoteLogger {
  const queue: LogLine[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const lines = queue.splice(0);
    try {
      rpc.emit(channel, lines);
    } catch {
      // Something in a line cannot be cloned (a socket, a function): send it as JSON instead.
      rpc.emit(channel, lines.map(([l, o, m]) => [l, plain(o), m]));
    }
  };
  const make = (own: object): RemoteLogger => {
    const logger = { level } as RemoteLogger;
    const threshold = (): number => LEVELS.indexOf(logger.level as Level);
    logger.isLevelEnabled = (l) => LEVELS.indexOf(l as Level) >= threshold();
    logger.child = (more) => make({ ...own, ...more });
    for (const l of LEVELS) {
      logger[l] = (obj, msg) => {
        if (logger.level === 'silent' || LEVELS.indexOf(l) < threshold()) return;
        const [o, m] = typeof obj === 'string' ? [{}, obj] : [obj, msg];
        queue.push([l, { ...own, ...o }, m]);
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
      };
    }
    return logger;
  };
  return make(bindings);
}

function plain(o: object): object {
  try {
    return JSON.parse(JSON.stringify(o, (_k, v: unknown) => (v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v))) as object;
  } catch {
    return { unserializable: true };
  }
}
