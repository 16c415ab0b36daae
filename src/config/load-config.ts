import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, configError, type ConfigIssue } from './config-error.js';
import { applyEnvOverrides, type KeySources, type Raw } from './env-overrides.js';
import { configSchema, type Config } from './schema.js';
import { resolveSecretFiles } from './secret-files.js';
import { knownKeys, suggestKey } from './suggest-key.js';

export const DEFAULT_CONFIG_PATH = '/etc/pgdir/pgdir.yaml';

export interface LoadConfigOptions {
  /** `--config FILE`; wins over PGDIR_CONFIG. */
  readonly path?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Used only when it exists; tests point it elsewhere. */
  readonly defaultPath?: string;
}

export interface LoadedConfig {
  readonly config: Config;
  /** The YAML file that was read, absolute, or undefined when running on defaults and environment. */
  readonly path: string | undefined;
}

/**
 * Reads the YAML file, applies PGDIR_* overrides and `*_file` secrets, validates, resolves relative
 * paths against `cwd` and deep-freezes the result. Throws ConfigError naming the offending key.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const path = findConfigFile(options, env, cwd);
  const raw = path === undefined ? {} : dropNulls(readYaml(path));
  const sources: KeySources = new Map();
  applyEnvOverrides(raw, env, sources);
  resolveSecretFiles(raw, cwd);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, sources, path));
  const config = parsed.data;
  config.data_dir = resolve(cwd, config.data_dir);
  for (const tls of [config.ldap.tls, config.http.tls]) {
    if (tls.cert_file !== undefined) tls.cert_file = resolve(cwd, tls.cert_file);
    if (tls.key_file !== undefined) tls.key_file = resolve(cwd, tls.key_file);
  }
  if (config.smtp?.tls.ca_file !== undefined) config.smtp.tls.ca_file = resolve(cwd, config.smtp.tls.ca_file);
  if (config.smtp?.oauth2?.access_token_file !== undefined) config.smtp.oauth2.access_token_file = resolve(cwd, config.smtp.oauth2.access_token_file);
  return { config: deepFreeze(config), path };
}

function findConfigFile(options: LoadConfigOptions, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const explicit = options.path ?? (env.PGDIR_CONFIG === '' ? undefined : env.PGDIR_CONFIG);
  if (explicit !== undefined) {
    const file = isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
    if (!existsSync(file)) throw configError('', `config file ${file} does not exist`);
    return file;
  }
  const fallback = options.defaultPath ?? DEFAULT_CONFIG_PATH;
  return existsSync(fallback) ? fallback : undefined;
}

function readYaml(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw configError('', `cannot read config file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  const error = doc.errors[0];
  if (error !== undefined) {
    const at = lines.linePos(error.pos[0]);
    const where = ` at line ${at.line}, column ${at.col}`;
    throw configError('', `${file}: invalid YAML${where}: ${error.message.split('\n')[0]}`);
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw configError('', `${file}: the top level must be a mapping of keys (e.g. "data_dir: ./data")`);
  }
  return value as Raw;
}

/** `key:` with no value (e.g. a section whose keys are all commented out) means "use the default". */
function dropNulls(raw: Raw): Raw {
  for (const [key, value] of Object.entries(raw)) {
    if (value === null) delete raw[key];
    else if (typeof value === 'object' && !Array.isArray(value)) dropNulls(value as Raw);
  }
  return raw;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], sources: KeySources, file: string | undefined): ConfigIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(configSchema, issue.path);
      return issue.keys.map((key) => {
        const keyPath = formatPath([...issue.path, key]);
        const suggestion = suggestKey(key, known);
        const hint = suggestion === undefined ? '' : ` (did you mean ${formatPath([...issue.path, suggestion])}?)`;
        return { key: keyPath, message: `unknown key${hint}${origin(keyPath, sources, file)}` };
      });
    }
    const keyPath = formatPath(issue.path);
    return [{ key: keyPath, message: `${issue.message}${origin(keyPath, sources, file)}` }];
  });
}

function origin(keyPath: string, sources: KeySources, file: string | undefined): string {
  const dotted = keyPath.replace(/\[\d+\]/g, '');
  for (const [key, variable] of sources) {
    if (dotted === key || dotted.startsWith(`${key}.`)) {
      const hint = variable.includes('__') || !key.includes('_') ? '' : '; nested keys are separated by a double underscore, e.g. PGDIR_LDAP__SUFFIX';
      return ` (from ${variable}${hint})`;
    }
  }
  return file === undefined ? '' : ` (in ${file})`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out === '' ? String(part) : `${out}.${String(part)}`;
  }, '');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
