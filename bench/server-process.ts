import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Helpers for the benchmark's server processes (slapd, pgdir, the trivial server). */

/** A port the kernel just handed out on 127.0.0.1 (closed again, so a child can bind it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('could not allocate a port');
  return address.port;
}

/** Resident set size in bytes from /proc (Linux), or undefined once the process is gone. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** The last few kilobytes of stdout+stderr, for error messages. */
  output(): string;
  /** Whether it exited already (with its code or signal). */
  exited(): string | undefined;
  stop(timeoutMs?: number): Promise<void>;
}

export function startServer(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): ServerProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  let log = '';
  let exit: string | undefined;
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `code ${code}`;
  });
  child.on('error', (err) => {
    exit = err.message;
  });
  return {
    child,
    output: () => log,
    exited: () => exit,
    async stop(timeoutMs = 10_000) {
      if (exit !== undefined || child.exitCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await gone;
      clearTimeout(timer);
    },
  };
}
