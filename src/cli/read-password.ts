import type { CliIo } from './cli-io.js';
import { UsageError } from './usage-error.js';

const MAX_STDIN_BYTES = 64 * 1024;

/**
 * Reads a password from standard input: the whole input without its final line break, so that
 * `printf '%s' pw | …`, `echo pw | …` and `< file` all work; on a terminal it prompts without echo.
 * Passwords are never taken from the command line, where other users could read them in the
 * process list.
 */
export async function readPasswordFromStdin(io: CliIo): Promise<string> {
  const password =
    io.stdin.isTTY === true ? await promptHidden(io) : (await readAll(io, MAX_STDIN_BYTES, 'the password on standard input is too long')).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('no password on standard input');
  return password;
}

/** All of standard input as bytes; more than `maxBytes` is a usage error with `tooLong`. */
export async function readAll(io: CliIo, maxBytes: number, tooLong: string, command?: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBytes) throw new UsageError(tooLong, command);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Raw mode: characters are not echoed; Enter ends, Backspace deletes, Ctrl-C/Ctrl-D cancel. */
function promptHidden(io: CliIo): Promise<string> {
  const { stdin } = io;
  io.stderr.write('Password: ');
  stdin.setRawMode?.(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let password = '';
    const finish = (settle: () => void): void => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off('data', onData);
      io.stderr.write('\n');
      settle();
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish(() => resolve(password));
        if (char === '\u0003' || char === '\u0004') return finish(() => reject(new UsageError('cancelled')));
        if (char === '\u007f' || char === '\b') password = password.slice(0, -1);
        else password += char;
      }
    };
    stdin.on('data', onData);
  });
}
