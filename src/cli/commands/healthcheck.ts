import type { DaemonStatus } from '../../daemon/service.js';
import type { ReadinessReport } from '../../directory/health/readiness.js';
import { DaemonNotRunning, sendControlRequest } from '../../control/control-client.js';
import { controlSocketPath } from '../../control/protocol.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command, CommandOptions } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: pgdir healthcheck [--config FILE] [--timeout MS]

Exits 0 when the daemon for this configuration's data_dir answers on its control socket, has
finished starting and is ready by the same check as GET /readyz (database reachable within
health.check_timeout, LDAP listening, directory view not lagging beyond health.max_lag); exits 1
otherwise, with the reason on stderr (for Docker HEALTHCHECK and monitoring scripts).
`;

const HEALTHCHECK_OPTIONS = { timeout: { type: 'string' } } as const satisfies CommandOptions;

export const healthcheckCommand: Command = {
  name: 'healthcheck',
  summary: 'exit 0 when the running daemon is ready',
  options: HEALTHCHECK_OPTIONS,
  async run(argv, io: CliIo) {
    const { values } = parseOptions(argv, { name: 'healthcheck', options: HEALTHCHECK_OPTIONS });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const timeout = values.timeout === undefined ? 5_000 : Number(values.timeout);
    if (!Number.isInteger(timeout) || timeout <= 0) {
      throw new UsageError('--timeout must be a positive number of milliseconds', 'healthcheck');
    }
    const config = loadCliConfig(values as OptionValues, io);
    const status = await fetchStatus(controlSocketPath(config.data_dir), timeout);
    if (status === undefined) {
      io.stderr.write(`unhealthy: no pgdir daemon is running for ${config.data_dir}\n`);
      return EXIT_FAILURE;
    }
    if (status.state !== 'ready') {
      io.stderr.write(`unhealthy: the daemon (pid ${status.pid}) is ${status.state}\n`);
      return EXIT_FAILURE;
    }
    if (status.readiness?.ready === false) {
      io.stderr.write(`unhealthy: the daemon (pid ${status.pid}) is not ready: ${describeReasons(status.readiness)}\n`);
      return EXIT_FAILURE;
    }
    io.stdout.write(`healthy: pid ${status.pid}, ${status.mode}, revision ${status.revision}\n`);
    return EXIT_OK;
  },
};

/** The daemon's status, or undefined when none is running. */
export async function fetchStatus(socket: string, timeoutMs: number): Promise<DaemonStatus | undefined> {
  try {
    const response = await sendControlRequest(socket, 'status', {}, timeoutMs);
    if (!response.ok) throw new Error(response.error.message);
    return response.result as DaemonStatus;
  } catch (err) {
    if (err instanceof DaemonNotRunning) return undefined;
    throw err;
  }
}

/** `store: the database did not answer within 2000 ms; ldap: not ready`. */
export function describeReasons(readiness: ReadinessReport): string {
  const failing = Object.entries(readiness.checks).filter(([, check]) => check === 'failing');
  return failing.map(([name]) => `${name}: ${readiness.reasons[name] ?? 'failing'}`).join('; ');
}
