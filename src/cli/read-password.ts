import type { CliIo } from './cli-io.js';
import { UsageError } from './usage-error.js';

const MAX_STDIN_BYTES = 64 * 1024;

/**
 * Reads a password from standard input: the whole input without its final line break, so that
 * `printf '%s' pw | …`, `echo pw | …` and `< file` all work. Passwords are never taken from the
 * command line, where other users could read them in the process list.
 */
export async function readPasswordFromStdin(io: CliIo): Promise<string> {
  if (io.stdin.isTTY === true) {
    throw new UsageError('--password-stdin reads the password from standard input; pipe it in, e.g. printf "%s" "$PW" | pgdir ...');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError('the password on standard input is too long');
    chunks.push(buffer);
  }
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('no password on standard input');
  return password;
}
