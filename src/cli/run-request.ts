import { mkdir } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { acquireCliLock } from '../control/cli-lock.js';
import { DaemonNotRunning, probeSocket, sendControlRequest } from '../control/control-client.js';
import { toWireError } from '../control/control-server.js';
import { controlSocketPath, type WireError } from '../control/protocol.js';
import type { ProgressListener } from '../domain/progress.js';
import { EXIT_FAILURE, EXIT_USAGE } from './cli-io.js';

/** A management command failed; the message and exit code are the same locally and via the daemon. */
export class CommandFailed extends Error {
  readonly exitCode: number;
  constructor(
    readonly wire: WireError,
    fieldFlags: Readonly<Record<string, string>> = {},
  ) {
    super(describe(wire, fieldFlags));
    this.name = 'CommandFailed';
    this.exitCode = wire.kind === 'invalid' || wire.kind === 'usage' ? EXIT_USAGE : EXIT_FAILURE;
  }
}

/** `email "x" is not a valid email address (--email)`: points at the flag to fix. */
function describe(wire: WireError, fieldFlags: Readonly<Record<string, string>>): string {
  const flag = wire.field === undefined ? undefined : fieldFlags[wire.field];
  return flag === undefined || wire.message.includes(flag) ? wire.message : `${wire.message} (${flag})`;
}

/** How long a CLI command waits for another one holding the embedded database. */
const LOCK_WAIT_MS = 30_000;

/**
 * Runs a management request in the daemon when one owns data_dir (over the control socket), or in
 * this process against the store otherwise. With PGlite the CLI lock keeps a daemon that starts
 * meanwhile from opening the database until this command is done (see control/cli-lock.ts).
 */
export async function runRequest(config: Config, command: string, args: Record<string, unknown>, onProgress?: ProgressListener): Promise<unknown> {
  const socket = controlSocketPath(config.data_dir);
  const remote = await viaDaemon(socket, command, args, onProgress);
  if (remote.ran) return remote.result;
  if (config.database.url !== undefined) return local(config, command, args, onProgress);
  await mkdir(config.data_dir, { recursive: true, mode: 0o700 });
  const release = await acquireCliLock(config.data_dir, LOCK_WAIT_MS);
  try {
    if (await probeSocket(socket)) {
      await release();
      const retry = await viaDaemon(socket, command, args, onProgress);
      if (retry.ran) return retry.result;
    }
    return await local(config, command, args, onProgress);
  } finally {
    await release();
  }
}

/**
 * Requests whose work grows with the data: a 16 MB import or a sync of a large source can take
 * minutes in the daemon, and a client that gives up first would report a failure for a write
 * that then commits.
 */
const LONG_REQUESTS: Readonly<Record<string, number>> = { 'users.import': 30 * 60_000, 'sync.run': 30 * 60_000, 'store.backup': 30 * 60_000 };

async function viaDaemon(socket: string, command: string, args: Record<string, unknown>, onProgress?: ProgressListener): Promise<{ ran: boolean; result?: unknown }> {
  try {
    const response = await sendControlRequest(socket, command, args, LONG_REQUESTS[command], onProgress);
    if (!response.ok) throw new CommandFailed(response.error);
    return { ran: true, result: response.result };
  } catch (err) {
    if (err instanceof DaemonNotRunning) return { ran: false };
    throw err;
  }
}

async function local(config: Config, command: string, args: Record<string, unknown>, onProgress?: ProgressListener): Promise<unknown> {
  try {
    // Loaded only here: the store and its database drivers are most of the CLI's start-up time.
    const { runLocally } = await import('./run-locally.js');
    return await runLocally(config, command, args, onProgress);
  } catch (err) {
    const wire = toWireError(err);
    if (wire.kind === 'internal') throw err;
    throw new CommandFailed(wire);
  }
}
