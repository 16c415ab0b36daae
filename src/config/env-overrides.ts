import { configError } from './config-error.js';

/**
 * Environment overrides: `PGDIR_` followed by the key path in upper case, with a DOUBLE underscore
 * between levels (keys themselves contain single underscores):
 *   PGDIR_DATA_DIR=/var/lib/pgdir            → data_dir
 *   PGDIR_LDAP__SUFFIX=dc=cloudron           → ldap.suffix
 *   PGDIR_LDAP__LIMITS__MAX_CONNECTIONS=500  → ldap.limits.max_connections
 *   PGDIR_DATABASE__URL_FILE=/run/secrets/db → database.url_file
 * Values are strings; the schema converts numbers, booleans, durations and comma-separated lists.
 * PGDIR_CONFIG (the file path), PGDIR_HEALTHCHECK_URL (for the container's bin/pgdir-healthcheck.js)
 * and PGDIR_TEST_* (test-suite settings) are not configuration keys.
 */
const NOT_KEYS = new Set(['PGDIR_CONFIG', 'PGDIR_HEALTHCHECK_URL']);
export const ENV_PREFIX = 'PGDIR_';

export type Raw = Record<string, unknown>;

/** Where each overridden key path came from, for error messages. */
export type KeySources = Map<string, string>;

export function applyEnvOverrides(raw: Raw, env: NodeJS.ProcessEnv, sources: KeySources): void {
  const names = Object.keys(env).filter(isConfigVariable).sort();
  for (const name of names) {
    const value = env[name];
    if (value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).toLowerCase().split('__');
    if (path.some((segment) => segment === '' || segment.startsWith('_') || segment.endsWith('_'))) {
      throw configError(name, 'malformed environment variable name (levels are separated by exactly two underscores)');
    }
    setPath(raw, path, value, name);
    sources.set(path.join('.'), name);
  }
}

export function isConfigVariable(name: string): boolean {
  return name.startsWith(ENV_PREFIX) && !NOT_KEYS.has(name) && !name.startsWith('PGDIR_TEST_');
}

function setPath(raw: Raw, path: readonly string[], value: string, origin: string): void {
  let node: Raw = raw;
  path.slice(0, -1).forEach((segment, index) => {
    const next = node[segment];
    if (next === undefined || next === null) {
      node = node[segment] = {};
    } else if (typeof next === 'object' && !Array.isArray(next)) {
      node = next as Raw;
    } else {
      throw configError(path.slice(0, index + 1).join('.'), `is not a mapping, so ${origin} cannot set a key inside it`);
    }
  });
  node[path[path.length - 1] as string] = value;
}
