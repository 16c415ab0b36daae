import type { Config } from '../config/schema.js';
import { parseConnectorConfig } from '../connector/connector-config.js';

/**
 * The sections a service parses itself (config/schema.ts checks only that they are mappings):
 * `serve` refuses to start on them and `pgdir check-config` reports them, the same way — a
 * misspelt key fails with exit 2 naming `connector.<key>`.
 */
export function checkServiceConfig(config: Config): void {
  if (config.connector !== undefined) parseConnectorConfig(config.connector);
}
