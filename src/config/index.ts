export { ConfigError, type ConfigIssue } from './config-error.js';
export { formatDuration, parseDuration } from './duration.js';
export { ENV_PREFIX } from './env-overrides.js';
export { DEFAULT_CONFIG_PATH, loadConfig, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export { parseHostPort } from './scalars.js';
export * from './schema.js';
