import { createAccessLogSink } from '../../log/create-access-logger.js';
import { startDaemon, type Daemon } from '../../app.js';
import { checkConfigFiles } from '../../config/check-files.js';
import { loadConfig } from '../../config/load-config.js';
import { ConfigError } from '../../config/config-error.js';
import { createLogger, maskUrl, type Logger } from '../../log/create-logger.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo } from '../cli-io.js';
import type { Command, CommandOptions } from '../command.js';
import { loadCliConfigFile } from '../load-cli-config.js';
import type { OptionValues } from '../management-command.js';
import { parseOptions } from '../parse-options.js';
import { VERSION } from '../version.js';

const USAGE = `Usage: pgdir serve [--config FILE]

Runs the daemon in the foreground: opens the store (PGlite in <data_dir>/pglite unless
database.url is set), applies migrations, and serves LDAP, HTTP and the control socket
<data_dir>/pgdir.sock that the other pgdir commands use while it runs.
Signals: SIGTERM/SIGINT drain and exit within shutdown_timeout; SIGHUP reloads the configuration.
`;

/** Grace added to shutdown_timeout before the process exits regardless (a stuck close). */
const HARD_EXIT_GRACE_MS = 2_000;

const SERVE_OPTIONS = {} as const satisfies CommandOptions;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the directory server (foreground)',
  options: SERVE_OPTIONS,
  async run(argv, io: CliIo) {
    const { values } = parseOptions(argv, { name: 'serve', options: SERVE_OPTIONS });
    if (values.help === true) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    const { config, path } = loadCliConfigFile(values as OptionValues, io);
    checkConfigFiles(config);
    const logger = createLogger({ level: config.log.level, format: config.log.format, destination: 1 });
    logger.info(
      { version: VERSION, config: path ?? null, dataDir: config.data_dir, database: config.database.url === undefined ? 'embedded' : maskUrl(config.database.url) },
      'starting pgdir',
    );
    let daemon: Daemon;
    try {
      daemon = await startDaemon(config, logger, { accessLog: createAccessLogSink(config.log, logger), compactHeap: true });
    } catch (err) {
      logger.fatal({ err }, 'pgdir could not start');
      // A section only its service parses (connector:) can still be bad input: exit 2 as for the rest.
      return err instanceof ConfigError ? EXIT_USAGE : EXIT_FAILURE;
    }
    return runUntilSignalled(daemon, logger, { path, env: io.env, cwd: io.cwd });
  },
};

function runUntilSignalled(daemon: Daemon, logger: Logger, reloadFrom: { path: string | undefined; env: NodeJS.ProcessEnv; cwd: string }): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(EXIT_FAILURE);
      }
      stopping = true;
      const deadline = daemon.context.config.shutdown_timeout;
      const hardExit = setTimeout(() => {
        logger.error({ deadlineMs: deadline }, 'shutdown deadline passed; exiting');
        process.exit(EXIT_FAILURE);
      }, deadline + HARD_EXIT_GRACE_MS);
      hardExit.unref();
      daemon.stop(signal, deadline).then(
        () => finish(EXIT_OK),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          finish(EXIT_FAILURE);
        },
      );
    };
    const reload = (): void => {
      logger.info('SIGHUP: reloading configuration');
      try {
        const { config } = loadConfig({ path: reloadFrom.path, env: reloadFrom.env, cwd: reloadFrom.cwd });
        checkConfigFiles(config);
        daemon.reload(config).catch((err: unknown) => logger.error({ err }, 'reload failed'));
      } catch (err) {
        const message = err instanceof ConfigError ? err.message : String(err);
        logger.error({ error: message }, 'new configuration rejected; keeping the running one');
      }
    };
    const finish = (code: number): void => {
      process.off('SIGTERM', stop).off('SIGINT', stop).off('SIGHUP', reload);
      logger.info({ code }, 'pgdir stopped');
      // Exit even if a library left a handle open; a clean loop exits first on its own.
      setTimeout(() => process.exit(code), 1_000).unref();
      resolve(code);
    };
    process.on('SIGTERM', stop).on('SIGINT', stop).on('SIGHUP', reload);
  });
}
