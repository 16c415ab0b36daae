import { join } from 'node:path';
import type { ErrorKind } from '../domain/errors.js';
import type { Progress } from '../domain/progress.js';

/**
 * The control socket protocol: one JSON object per line, one request and one response per
 * connection. A request with `progress: true` (users import, sync run) may get progress lines
 * (`{"progress": {phase, done, total}}`) before its response; other requests, and clients that
 * do not ask, see exactly one line as before. The socket lives in data_dir (mode 0600, data_dir 0700), so only the daemon's own
 * user can reach it; it is the way the CLI reaches a running daemon, which owns the store (PGlite
 * allows a single process).
 */
export const PROTOCOL_VERSION = 1;
export const SOCKET_NAME = 'pgdir.sock';
/**
 * Most requests are a command and a few arguments; `users import` carries its file (at most
 * MAX_IMPORT_BYTES, the HTTP import's default limit), which JSON escaping may make a few times
 * larger. Anything bigger is refused.
 */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;
export const MAX_REQUEST_BYTES = 4 * MAX_IMPORT_BYTES;
/** sockaddr_un.sun_path holds 108 bytes on Linux, including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

export interface ControlRequest {
  readonly v: number;
  readonly command: string;
  readonly args: Record<string, unknown>;
  /** Ask for progress lines before the response. */
  readonly progress?: boolean;
}

/** Sent before the response to a request that asked for progress. */
export interface ProgressLine {
  readonly progress: Progress;
}
export const PROGRESS_PREFIX = '{"progress":';

export interface WireError {
  readonly kind: ErrorKind | 'usage';
  readonly message: string;
  readonly field?: string;
}

export type ControlResponse =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: WireError };

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, SOCKET_NAME);
}
