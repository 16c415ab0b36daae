import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { DirectoryError } from '../domain/errors.js';
import type { ProgressListener } from '../domain/progress.js';
import type { Logger } from '../log/create-logger.js';
import { probeSocket } from './control-client.js';
import {
  MAX_REQUEST_BYTES,
  MAX_SOCKET_PATH_BYTES,
  PROTOCOL_VERSION,
  type ControlRequest,
  type ControlResponse,
  type ProgressLine,
  type WireError,
} from './protocol.js';

const REQUEST_TIMEOUT_MS = 10_000;

/** `progress` is given when the client asked for progress lines (protocol.ts). */
export type ControlHandler = (request: ControlRequest, progress?: ProgressListener) => Promise<unknown>;

export interface ControlServer {
  readonly path: string;
  /** Waits (up to `deadlineMs`) for the requests being handled. */
  drain(deadlineMs: number): Promise<void>;
  /** Stops accepting, waits for requests in flight (up to `deadlineMs`), removes the socket file. */
  close(deadlineMs: number): Promise<void>;
}

/**
 * Listens on a Unix socket. A socket file that still answers means another daemon owns this
 * data_dir, which start-up must refuse (two PGlite processes would corrupt it); a file that does
 * not answer was left by a crash and is replaced.
 */
export async function startControlServer(path: string, handler: ControlHandler, logger: Logger): Promise<ControlServer> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`control socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; choose a shorter data_dir`);
  }
  if (await probeSocket(path)) {
    throw new Error(`another pgdir daemon is already running on data_dir (its control socket ${path} answers)`);
  }
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  const inFlight = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  // Half-open: a client that ends its side right after the request still gets the reply.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const done = serveConnection(socket, handler, logger).finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  await listen(server, path);
  await chmod(path, 0o600);
  return {
    path,
    async drain(deadlineMs) {
      await Promise.race([Promise.allSettled([...inFlight]), delay(deadlineMs)]);
    },
    async close(deadlineMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.race([Promise.allSettled([...inFlight]), delay(deadlineMs)]);
      for (const socket of sockets) socket.destroy();
      await closed;
      await unlink(path).catch(() => undefined);
    },
  };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function serveConnection(socket: Socket, handler: ControlHandler, logger: Logger): Promise<void> {
  socket.on('error', () => undefined); // a client that went away is not the daemon's problem
  // A client that connects and never sends its request must not hold a slot until shutdown.
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
  let response: ControlResponse;
  try {
    const line = await readLine(socket);
    socket.setTimeout(0); // the command itself may take long (e.g. waiting for start-up)
    const request = parseRequest(line);
    logger.debug({ command: request.command }, 'control request');
    response = { ok: true, result: (await handler(request, request.progress === true ? progressWriter(socket) : undefined)) ?? null };
  } catch (err) {
    response = { ok: false, error: toWireError(err) };
    if (response.error.kind === 'internal') logger.error({ err }, 'control request failed');
  }
  if (!socket.destroyed) socket.end(`${JSON.stringify(response)}\n`);
}

/** Progress lines are best effort: a client that went away just misses them. */
function progressWriter(socket: Socket): ProgressListener {
  return (progress) => {
    const line: ProgressLine = { progress };
    if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(line)}\n`);
  };
}

function readLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    // A decoder keeps a UTF-8 character split across chunks whole; only the new chunk is searched
    // for the newline, so a large request (a users import) costs linear time.
    const decoder = new StringDecoder('utf8');
    const parts: string[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      const end = chunk.indexOf(0x0a);
      if (end >= 0) {
        parts.push(decoder.write(chunk.subarray(0, end)), decoder.end());
        finish(() => resolve(parts.join('')));
      } else if (bytes > MAX_REQUEST_BYTES) finish(() => reject(usage('request too large')));
      else parts.push(decoder.write(chunk));
    };
    const onEnd = (): void => finish(() => reject(usage('request ended before a newline')));
    const finish = (settle: () => void): void => {
      socket.off('data', onData).off('end', onEnd);
      settle();
    };
    socket.on('data', onData).on('end', onEnd);
  });
}

function parseRequest(line: string): ControlRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw usage('request is not JSON');
  }
  const request = value as Partial<ControlRequest> | null;
  if (request === null || typeof request !== 'object' || typeof request.command !== 'string') {
    throw usage('request must be an object with a command');
  }
  if (request.v !== PROTOCOL_VERSION) {
    throw usage(`control protocol version ${String(request.v)} is not supported (daemon speaks ${PROTOCOL_VERSION}); use the same pgdir version for the CLI and the daemon`);
  }
  const args = request.args ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw usage('args must be an object');
  return { v: request.v, command: request.command, args, ...(request.progress === true ? { progress: true } : {}) };
}

class ProtocolError extends Error {}
const usage = (message: string): ProtocolError => new ProtocolError(message);

/** DirectoryError travels as {kind, message, field}; the CLI rebuilds the same error on its side. */
export function toWireError(err: unknown): WireError {
  if (err instanceof DirectoryError) {
    return err.field === undefined ? { kind: err.kind, message: err.message } : { kind: err.kind, message: err.message, field: err.field };
  }
  if (err instanceof ProtocolError) return { kind: 'usage', message: err.message };
  if (err instanceof Error && err.name === 'UsageError') return { kind: 'usage', message: err.message };
  return { kind: 'internal', message: err instanceof Error ? err.message : String(err) };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
