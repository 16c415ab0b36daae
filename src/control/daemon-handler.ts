import type { DaemonContext, DaemonStatus } from '../daemon/service.js';
import type { ReadinessReport } from '../directory/health/readiness.js';
import { DirectoryError } from '../domain/errors.js';
import type { Logger } from '../log/create-logger.js';
import type { ConnectorPort } from './connector-commands.js';
import type { ControlHandler } from './control-server.js';
import { executeCommand, SYSTEM_ACTOR_CLI } from './execute-command.js';

export interface DaemonHandlerOptions {
  /** Resolves once the store is open and the services run; requests wait for it. */
  readonly ready: Promise<DaemonContext>;
  readonly status: () => DaemonStatus;
  /** The daemon's readiness (as /readyz); undefined while it is not running its services. */
  readonly readiness?: () => Promise<ReadinessReport> | undefined;
  readonly logger: Logger;
  /** The daemon's connector (sync and connector commands run through it, metrics included). */
  readonly connector?: (context: DaemonContext) => ConnectorPort;
}

/**
 * The daemon's side of the control socket: `status` answers at once (healthchecks during start-up);
 * management commands wait until the store is open and then run the same use cases as the CLI
 * would locally, as the system actor.
 */
export function createControlHandler(options: DaemonHandlerOptions): ControlHandler {
  return async (request, progress) => {
    if (request.command === 'status') {
      const readiness = await options.readiness?.();
      return readiness === undefined ? options.status() : { ...options.status(), readiness };
    }
    if (options.status().state === 'stopping' || options.status().state === 'stopped') {
      throw new DirectoryError('unavailable', 'the pgdir daemon is shutting down; try again when it has restarted');
    }
    const context = await options.ready;
    const result = await executeCommand(
      { directory: context.directory, actor: SYSTEM_ACTOR_CLI, connector: options.connector?.(context), onProgress: progress },
      request.command,
      request.args,
    );
    options.logger.info({ command: request.command }, 'control command done');
    return result;
  };
}
