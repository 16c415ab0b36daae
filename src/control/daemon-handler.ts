import type { DaemonContext, DaemonStatus } from '../app.js';
import { DirectoryError } from '../domain/errors.js';
import type { Logger } from '../log/create-logger.js';
import type { ControlHandler } from './control-server.js';
import { executeCommand, SYSTEM_ACTOR_CLI } from './execute-command.js';

export interface DaemonHandlerOptions {
  /** Resolves once the store is open and the services run; requests wait for it. */
  readonly ready: Promise<DaemonContext>;
  readonly status: () => DaemonStatus;
  readonly logger: Logger;
}

/**
 * The daemon's side of the control socket: `status` answers at once (healthchecks during start-up);
 * management commands wait until the store is open and then run the same use cases as the CLI
 * would locally, as the system actor.
 */
export function createControlHandler(options: DaemonHandlerOptions): ControlHandler {
  return async (request, progress) => {
    if (request.command === 'status') return options.status();
    if (options.status().state === 'stopping' || options.status().state === 'stopped') {
      throw new DirectoryError('unavailable', 'the pgdir daemon is shutting down; try again when it has restarted');
    }
    const context = await options.ready;
    const result = await executeCommand(
      { directory: context.directory, actor: SYSTEM_ACTOR_CLI, connector: context.config.connector, onProgress: progress },
      request.command,
      request.args,
    );
    options.logger.info({ command: request.command }, 'control command done');
    return result;
  };
}
