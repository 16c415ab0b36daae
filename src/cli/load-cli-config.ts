import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import type { CliIo } from './cli-io.js';
import type { OptionValues } from './management-command.js';

/** The configuration for a CLI command: `--config`, else PGDIR_CONFIG, else the default path. */
export function loadCliConfigFile(values: OptionValues, io: CliIo): LoadedConfig {
  return loadConfig({ path: typeof values.config === 'string' ? values.config : undefined, env: io.env, cwd: io.cwd });
}

export function loadCliConfig(values: OptionValues, io: CliIo): Config {
  return loadCliConfigFile(values, io).config;
}
