import { controlSocketPath } from '../../control/protocol.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../cli-io.js';
import type { Command, CommandOptions } from '../command.js';
import { loadCliConfig } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import type { DaemonStatus } from '../../app.js';
import { describeReasons, fetchStatus } from './healthcheck.js';

const USAGE = `Usage: pgdir status [--config FILE] [--json]

Shows whether a daemon runs for this configuration's data_dir, its state, whether it is ready (the
same check as GET /readyz and pgdir healthcheck, with the reasons when not), database mode, the
latest change revision it has seen, and its services. Exits 1 when no daemon runs.
`;

const STATUS_OPTIONS = { json: { type: 'boolean' } } as const satisfies CommandOptions;

export const statusCommand: Command = {
  name: 'status',
  summary: "show the running daemon's state",
  options: STATUS_OPTIONS,
  async run(argv, io: CliIo) {
    const { values } = parseOptions(argv, { name: 'status', options: STATUS_OPTIONS });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const config = loadCliConfig(values as OptionValues, io);
    const status = await fetchStatus(controlSocketPath(config.data_dir), 5_000);
    if (values.json === true) io.stdout.write(`${JSON.stringify(status ?? { state: 'not running' })}\n`);
    else if (status === undefined) io.stdout.write(`not running (data_dir ${config.data_dir})\n`);
    else {
      io.stdout.write(
        [
          `state:    ${shownState(status)}`,
          ...(status.readiness?.ready === false ? [`reason:   ${describeReasons(status.readiness)}`] : []),
          `pid:      ${status.pid}`,
          `database: ${status.mode}`,
          `data_dir: ${status.dataDir}`,
          `revision: ${status.revision}`,
          `services: ${status.services.join(', ') || '(none)'}`,
          `uptime:   ${Math.round(status.uptimeMs / 1000)} s`,
        ].join('\n') + '\n',
      );
    }
    return status === undefined ? EXIT_FAILURE : EXIT_OK;
  },
};

/** A running daemon that fails its readiness check is `degraded` or `unready`, as /readyz says. */
function shownState(status: DaemonStatus): string {
  return status.state === 'ready' && status.readiness?.ready === false ? status.readiness.state : status.state;
}
