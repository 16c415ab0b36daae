import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/cli-io.js';

/** A CliIo over memory streams, for running main() in-process. */
export function memoryIo(options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const io: CliIo = {
    stdout,
    stderr,
    stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
    env: options.env ?? {},
    cwd: options.cwd,
  };
  return { io, stdout: () => out, stderr: () => err };
}
