import { connect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { ProgressListener } from '../domain/progress.js';
import { PROGRESS_PREFIX, PROTOCOL_VERSION, type ControlResponse, type ProgressLine } from './protocol.js';

/** The daemon is not there (no socket file, or a stale one): the caller may open the store itself. */
export class DaemonNotRunning extends Error {
  constructor(path: string, readonly code: string) {
    super(`no pgdir daemon answers on ${path} (${code})`);
    this.name = 'DaemonNotRunning';
  }
}

const ABSENT = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);
/** The daemon closed or reset the connection before its whole reply (it exited or was killed). */
const LOST = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The connection to the daemon closed before a reply. Writes are one transaction each, so a
 * daemon that dies mid-command has not committed it (imports and syncs are all-or-nothing).
 */
export class ConnectionLost extends Error {
  constructor(readonly command: string) {
    super(`the connection to the daemon was lost; the ${BULK_COMMANDS[command] ?? 'command'} was not applied`);
    this.name = 'ConnectionLost';
  }
}

const BULK_COMMANDS: Readonly<Record<string, string>> = { 'users.import': 'import', 'sync.run': 'sync' };

/**
 * Sends one command and returns the daemon's response. Rejects with DaemonNotRunning when nothing
 * listens; other failures (timeout, broken reply) are real errors. With `onProgress`, the daemon
 * is asked for progress lines, each passed on as it arrives.
 */
export function sendControlRequest(
  path: string,
  command: string,
  args: Record<string, unknown>,
  timeoutMs = 60_000,
  onProgress?: ProgressListener,
): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    // Whole UTF-8 characters even when one is split across chunks (large replies: users export).
    const decoder = new StringDecoder('utf8');
    let reply = '';
    let connected = false;
    // The daemon may still finish the command (its write is one transaction): say so.
    const timer = setTimeout(
      () => fail(new Error(`the pgdir daemon did not answer within ${timeoutMs} ms; the command may still complete there (check before retrying)`)),
      timeoutMs,
    );
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ v: PROTOCOL_VERSION, command, args, ...(onProgress ? { progress: true } : {}) })}\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      reply += decoder.write(chunk);
      if (onProgress !== undefined) reply = takeProgress(reply, onProgress);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected && ABSENT.has(err.code ?? '')) fail(new DaemonNotRunning(path, err.code ?? 'error'));
      else if (connected && LOST.has(err.code ?? '')) fail(new ConnectionLost(command));
      else if (err.code === 'EACCES') fail(new Error(`permission denied on the control socket ${path}; run this as the daemon's user (e.g. sudo -u pgdir pgdir …)`));
      else fail(new Error(`control socket ${path}: ${err.message}`));
    });
    socket.on('end', () => {
      clearTimeout(timer);
      const text = reply + decoder.end();
      // A whole reply ends with a newline: anything less means the daemon went away mid-command.
      if (!text.endsWith('\n')) return reject(new ConnectionLost(command));
      try {
        resolve(JSON.parse(text.trim()) as ControlResponse);
      } catch {
        reject(new Error(`the pgdir daemon sent an unreadable reply on ${path}`));
      }
    });
  });
}

/** Passes on the complete progress lines at the start of `reply`; returns the rest. */
function takeProgress(reply: string, onProgress: ProgressListener): string {
  let rest = reply;
  let end: number;
  while (rest.startsWith(PROGRESS_PREFIX) && (end = rest.indexOf('\n')) >= 0) {
    try {
      onProgress((JSON.parse(rest.slice(0, end)) as ProgressLine).progress);
    } catch {
      // a progress line is only a hint; the response decides
    }
    rest = rest.slice(end + 1);
  }
  return rest;
}

/** True when a process accepts connections on the socket. */
export function probeSocket(path: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connect(path);
    const timer = setTimeout(() => done(false), timeoutMs);
    const done = (answer: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    socket.on('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}
