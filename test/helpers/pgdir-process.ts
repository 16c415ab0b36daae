import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DaemonStatus } from '../../src/app.js';
import { sendControlRequest } from '../../src/control/control-client.js';
import { controlSocketPath } from '../../src/control/protocol.js';

/** Runs pgdir as a separate process, from the sources (tsx), as users and systemd would. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(REPO, 'test/helpers/pgdir-cli-entry.ts');
/** Absolute, so that children started in a temp directory still find it. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The environment without PGDIR_* settings of the developer's shell (PGDIR_TEST_* stays). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PGDIR_') || k.startsWith('PGDIR_TEST_')));
  return { ...env, ...extra };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function spawnPgdir(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, ENTRY, ...args], {
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs one CLI command to completion, feeding `input` on stdin. */
export function runPgdir(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<RunResult> {
  const child = spawnPgdir(args, options);
  child.stdin?.end(options.input ?? '');
  return collect(child);
}

export function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  // Decode as one stream: a multi-byte character may straddle two chunks.
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A config file in `dir` with random ports, so that parallel tests never collide. */
export async function writeTestConfig(dir: string, dataDir: string, extra = ''): Promise<string> {
  const file = join(dir, 'pgdir.yaml');
  const [ldapPort, httpPort] = [await freePort(), await freePort()];
  await writeFile(
    file,
    `data_dir: ${JSON.stringify(dataDir)}\nshutdown_timeout: 5s\nlog:\n  level: debug\n  format: json\nbcrypt:\n  cost: 4\nldap:\n  listen: [ldaps://127.0.0.1:${ldapPort}]\nhttp:\n  listen: 127.0.0.1:${httpPort}\n${extra}`,
  );
  return file;
}

/** The daemon's status over its control socket, or undefined while it does not answer. */
export async function daemonStatus(dataDir: string): Promise<DaemonStatus | undefined> {
  try {
    const response = await sendControlRequest(controlSocketPath(dataDir), 'status', {}, 5_000);
    return response.ok ? (response.result as DaemonStatus) : undefined;
  } catch {
    return undefined;
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A running `pgdir serve` child with its output collected. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<RunResult>;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
}

/** Waits until the daemon answers `ready`; fails at once with its output if it exited. */
export async function waitReady(serve: ServeProcess, dataDir: string): Promise<DaemonStatus> {
  return waitFor('daemon ready', async () => {
    if (serve.child.exitCode !== null || serve.child.signalCode !== null) {
      throw new Error(`pgdir serve exited (${serve.child.exitCode ?? serve.child.signalCode}):\n${serve.output()}`);
    }
    const status = await daemonStatus(dataDir);
    return status?.state === 'ready' ? status : undefined;
  });
}

export function startServe(configFile: string, cwd: string, env?: NodeJS.ProcessEnv): ServeProcess {
  const child = spawnPgdir(['serve', '--config', configFile], env === undefined ? { cwd } : { cwd, env });
  child.stdin?.end();
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = collect(child).then((r) => ({ ...r, stdout: out }));
  return {
    child,
    output: () => out,
    exited,
    logs: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
