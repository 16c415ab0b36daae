import type { Config } from '../config/schema.js';
import { runCommandLocally } from '../app/run-command-locally.js';
import type { ProgressListener } from '../domain/progress.js';

/**
 * No daemon owns the data directory: app/ opens the store and runs the command in this process,
 * through the same command table as the daemon's control socket (loaded only when needed).
 */
export function runLocally(config: Config, command: string, args: Record<string, unknown>, onProgress?: ProgressListener): Promise<unknown> {
  return runCommandLocally(config, command, args, onProgress);
}
