import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonStatus } from '../../app.js';
import { parseDuration } from '../../config/duration.js';
import { controlSocketPath } from '../../control/protocol.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command, CommandOptions } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import { UsageError } from '../usage-error.js';
import { fetchStatus } from './healthcheck.js';

const USAGE = `Usage: pgdir wait-ready [--config FILE] [--timeout DURATION]

Waits until the daemon for this configuration's data_dir answers on its control socket and has
finished starting (LDAP, HTTP and the store are up), then exits 0. Exits 1 when the timeout
passes first or the daemon is stopping. The systemd unit runs it as ExecStartPost, so units
ordered After=pgdir.service start only once pgdir answers.
  --timeout D   how long to wait, e.g. 30s or 2m (default 30s)
`;

const WAIT_READY_OPTIONS = { timeout: { type: 'string' } } as const satisfies CommandOptions;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Polls start quick (a daemon is usually ready within a second) and back off to one a second. */
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1_000;

export const waitReadyCommand: Command = {
  name: 'wait-ready',
  summary: 'wait until the daemon is ready (for systemd ExecStartPost and scripts)',
  options: WAIT_READY_OPTIONS,
  async run(argv, io: CliIo) {
    const { values } = parseOptions(argv, { name: 'wait-ready', options: WAIT_READY_OPTIONS });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const timeout = parseTimeout(values.timeout);
    const config = loadCliConfig(values as OptionValues, io);
    const socket = controlSocketPath(config.data_dir);
    const started = Date.now();
    const last = await pollUntilReady(socket, started + timeout);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (last?.state === 'ready') {
      io.stdout.write(`ready: pid ${last.pid}, ${last.mode}, after ${seconds} s\n`);
      return EXIT_OK;
    }
    const what = last === undefined ? `no pgdir daemon answered on ${socket}` : `the daemon (pid ${last.pid}) is ${last.state}`;
    io.stderr.write(`pgdir: not ready after ${seconds} s: ${what}\n`);
    return EXIT_FAILURE;
  },
};

/** `30s`, `2m`, `1500ms`; a bare number is refused (seconds or milliseconds? say which). */
function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = /^\s*\d+\s*$/.test(value) ? undefined : parseDuration(value);
  if (ms === undefined || ms <= 0) throw new UsageError('--timeout must be a duration with a unit, e.g. 30s or 2m', 'wait-ready');
  return ms;
}

/**
 * The last status seen: `ready`, or whatever it was when the deadline passed. A daemon that is
 * stopping will not become ready, so that ends the wait early. A missing socket or a status
 * request that fails (the daemon is still binding it) counts as "not yet".
 */
async function pollUntilReady(socket: string, deadline: number): Promise<DaemonStatus | undefined> {
  let last: DaemonStatus | undefined;
  let pause = FIRST_POLL_MS;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return last;
    last = await fetchStatus(socket, Math.min(left, 5_000)).catch(() => last);
    if (last?.state === 'ready' || last?.state === 'stopping' || last?.state === 'stopped') return last;
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
    pause = Math.min(pause * 2, MAX_POLL_MS);
  }
}
