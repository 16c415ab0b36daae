import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, formatDuration, loadConfig, parseDuration, type LoadConfigOptions } from '../../src/config/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgdir-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NO_DEFAULT = '/nonexistent/pgdir.yaml';
const load = (options: LoadConfigOptions = {}) => loadConfig({ env: {}, cwd: dir, defaultPath: NO_DEFAULT, ...options }).config;
async function yamlFile(text: string, name = 'pgdir.yaml'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}
function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('runs with no file at all: embedded DB, example suffix, loopback listeners', () => {
    const config = load();
    expect(config.data_dir).toBe(join(dir, 'data'));
    expect(config.database.url).toBeUndefined();
    expect(config.ldap.suffix).toBe('dc=example,dc=com');
    expect(config.ldap.listen).toEqual(['ldaps://127.0.0.1:6360']);
    expect(config.ldap.allowlist).toEqual(['127.0.0.1', '::1']);
    expect(config.ldap.user_search).toBe('self');
    expect(config.ldap.home_directory_prefix).toBe('/home');
    expect(config.ldap.login_shell).toBe('/bin/bash');
    expect(config.ldap.limits.idle_timeout).toBe(15 * 60_000);
    expect(config.http.listen).toBe('127.0.0.1:8080');
    expect(config.bcrypt.cost).toBe(10);
    expect(config.bcrypt.nice).toBe(10);
    expect(config.log.level).toBe('info');
    expect(config.smtp).toBeUndefined();
  });

  it('is deeply frozen', () => {
    const config = load();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ldap.limits)).toBe(true);
    expect(() => {
      (config.ldap.listen as string[]).push('ldap://x:1');
    }).toThrow(TypeError);
  });

  it('reads the default path only when it exists', async () => {
    const file = await yamlFile('ldap:\n  suffix: dc=default,dc=test\n', 'default.yaml');
    expect(loadConfig({ env: {}, cwd: dir, defaultPath: file })).toMatchObject({ path: file, config: { ldap: { suffix: 'dc=default,dc=test' } } });
    expect(loadConfig({ env: {}, cwd: dir, defaultPath: NO_DEFAULT }).path).toBeUndefined();
  });
});

describe('YAML file', () => {
  it('takes values, durations in several spellings and resolves relative paths against cwd', async () => {
    const file = await yamlFile(
      [
        'data_dir: var/pgdir',
        'shutdown_timeout: 30s',
        'database: { url: "postgres://u@h/db" }',
        'ldap:',
        '  suffix: dc=cloudron',
        '  listen: [ldaps://0.0.0.0:636, "ldap://[::1]:3890"]',
        '  tls: { cert_file: certs/server.crt, key_file: /etc/k.pem }',
        '  allowlist: [10.0.0.0/8, "fd00::/8", 192.168.1.7]',
        '  user_search: all',
        '  limits: { idle_timeout: 1h30m, max_connections: 5 }',
        'auth_throttle: { window: 60000, cooldown: 2m }',
        'smtp: { host: mail.example.com, from: pgdir@example.com, tls: { ca_file: certs/smtp-ca.pem } }',
        'connector: { provider: okta, anything: [1, 2] }',
      ].join('\n'),
    );
    const config = load({ path: file });
    expect(config.data_dir).toBe(join(dir, 'var/pgdir'));
    expect(config.shutdown_timeout).toBe(30_000);
    expect(config.database.url).toBe('postgres://u@h/db');
    expect(config.ldap.listen).toEqual(['ldaps://0.0.0.0:636', 'ldap://[::1]:3890']);
    expect(config.ldap.tls).toEqual({ cert_file: join(dir, 'certs/server.crt'), key_file: '/etc/k.pem' });
    expect(config.ldap.limits).toMatchObject({ idle_timeout: 5_400_000, max_connections: 5, max_filter_depth: 32 });
    expect(config.auth_throttle).toEqual({ max_failures: 10, window: 60_000, cooldown: 120_000, max_pending_per_source: 8, max_pending: 128 });
    expect(config.smtp).toEqual({
      host: 'mail.example.com', from: 'pgdir@example.com', port: 587, secure: false, require_tls: false,
      tls: { ca_file: join(dir, 'certs/smtp-ca.pem'), reject_unauthorized: true },
    });
    expect(config.connector).toEqual({ provider: 'okta', anything: [1, 2] });
  });

  it('reports malformed YAML with the file, line and column', async () => {
    const file = await yamlFile('ldap:\n  suffix: dc=x\n   listen: [\n');
    const err = errorOf(() => load({ path: file }));
    expect(err.message).toMatch(new RegExp(`${file}: invalid YAML at line \\d+, column \\d+`));
  });

  it('refuses duplicate keys and a top level that is not a mapping', async () => {
    const dup = await yamlFile('data_dir: a\ndata_dir: b\n', 'dup.yaml');
    expect(errorOf(() => load({ path: dup })).message).toMatch(/invalid YAML.*line 2/);
    const list = await yamlFile('- a\n- b\n', 'list.yaml');
    expect(errorOf(() => load({ path: list })).message).toMatch(/top level must be a mapping/);
  });

  it('treats an empty file as all defaults', async () => {
    const file = await yamlFile('# nothing yet\n');
    expect(load({ path: file }).ldap.suffix).toBe('dc=example,dc=com');
  });

  it('names unknown keys by their full path, at any depth', async () => {
    const file = await yamlFile('ldap:\n  limits:\n    max_conections: 5\nlogs: {}\n');
    const err = errorOf(() => load({ path: file }));
    expect(err.issues.map((i) => i.key)).toEqual(['ldap.limits.max_conections', 'logs']);
    expect(err.message).toContain(`ldap.limits.max_conections: unknown key (did you mean ldap.limits.max_connections?) (in ${file})`);
    expect(err.message).toContain(`logs: unknown key (did you mean log?)`);
    expect(err.key).toBe('ldap.limits.max_conections');
  });

  it('names the key and the problem for bad values', async () => {
    const cases: [string, string, RegExp][] = [
      ['ldap: { listen: [ldaps://127.0.0.1:636, "http://x:1"] }', 'ldap.listen[1]', /scheme must be ldap:\/\/ or ldaps:\/\//],
      ['ldap: { allowlist: [10.0.0.0/33] }', 'ldap.allowlist[0]', /not an IP address or CIDR range/],
      ['ldap: { user_search: everyone }', 'ldap.user_search', /one of self, self-only-members, all, none/],
      ['ldap: { suffix: "example.com" }', 'ldap.suffix', /not a DN/],
      ['ldap: { limits: { idle_timeout: soon } }', 'ldap.limits.idle_timeout', /duration such as 30s/],
      ['bcrypt: { cost: 3 }', 'bcrypt.cost', /at least 4/],
      ['bcrypt: { nice: 20 }', 'bcrypt.nice', /at most 19/],
      ['http: { listen: "8080" }', 'http.listen', /host:port/],
      ['log: { level: loud }', 'log.level', /one of fatal, error/],
      ['smtp: { port: 25 }', 'smtp.host', /is required/],
      ['connector: [1]', 'connector', /must be a mapping/],
      ['data_dir: ""', 'data_dir', /must not be empty/],
      ['ldap: { builtin_groups: { users: "no spaces" } }', 'ldap.builtin_groups.users', /group name/],
      ['ldap: { builtin_groups: { users: staff, admins: Staff } }', 'ldap.builtin_groups.admins', /different names/],
    ];
    for (const [text, key, message] of cases) {
      const file = join(dir, 'case.yaml');
      await writeFile(file, text);
      const problem = errorOf(() => load({ path: file })).issues.find((i) => i.key === key);
      expect(problem, `${text} → ${key}`).toBeDefined();
      expect(problem?.message, text).toMatch(message);
    }
  });

  it('fails clearly when --config or PGDIR_CONFIG names a missing file', () => {
    expect(errorOf(() => load({ path: 'missing.yaml' })).message).toContain(`config file ${join(dir, 'missing.yaml')} does not exist`);
    expect(errorOf(() => load({ env: { PGDIR_CONFIG: '/nope/x.yaml' } })).message).toContain('/nope/x.yaml does not exist');
  });

  it('prefers --config over PGDIR_CONFIG', async () => {
    const a = await yamlFile('ldap: { suffix: dc=a }', 'a.yaml');
    const b = await yamlFile('ldap: { suffix: dc=b }', 'b.yaml');
    expect(load({ env: { PGDIR_CONFIG: b } }).ldap.suffix).toBe('dc=b');
    expect(load({ path: a, env: { PGDIR_CONFIG: b } }).ldap.suffix).toBe('dc=a');
  });
});

describe('environment overrides (PGDIR_ + key path, levels joined by a double underscore)', () => {
  it('override the file, with strings converted by type', async () => {
    const file = await yamlFile('ldap: { suffix: dc=file, size_limit: 5 }\n');
    const config = load({
      path: file,
      env: {
        PGDIR_LDAP__SUFFIX: 'dc=env',
        PGDIR_DATA_DIR: '/srv/pgdir',
        PGDIR_LDAP__LISTEN: 'ldaps://127.0.0.1:6360, ldap://127.0.0.1:3890',
        PGDIR_LDAP__SIZE_LIMIT: '50',
        PGDIR_LDAP__TOTP_SUFFIX: 'true',
        PGDIR_LDAP__LIMITS__IDLE_TIMEOUT: '30s',
        PGDIR_HTTP__LISTEN: '[::1]:9090',
        PGDIR_CONNECTOR__PROVIDER: 'ad',
        PGDIR_CONFIG: '',
        PGDIR_TEST_PG_URL: 'postgres://ignored',
      },
    });
    expect(config.ldap.suffix).toBe('dc=env');
    expect(config.data_dir).toBe('/srv/pgdir');
    expect(config.ldap.listen).toEqual(['ldaps://127.0.0.1:6360', 'ldap://127.0.0.1:3890']);
    expect(config.ldap.size_limit).toBe(50);
    expect(config.ldap.totp_suffix).toBe(true);
    expect(config.ldap.limits.idle_timeout).toBe(30_000);
    expect(config.http.listen).toBe('[::1]:9090');
    expect(config.connector).toEqual({ provider: 'ad' });
  });

  it('name the variable in errors, and hint at the double underscore', () => {
    const typo = errorOf(() => load({ env: { PGDIR_LOG_LEVEL: 'debug' } }));
    expect(typo.key).toBe('log_level');
    expect(typo.message).toContain('log_level: unknown key (from PGDIR_LOG_LEVEL; nested keys are separated by a double underscore');
    const bad = errorOf(() => load({ env: { PGDIR_LDAP__SIZE_LIMIT: 'many' } }));
    expect(bad.message).toContain('ldap.size_limit: must be an integer (got "many") (from PGDIR_LDAP__SIZE_LIMIT)');
    expect(errorOf(() => load({ env: { PGDIR_LDAP___SUFFIX: 'x' } })).message).toMatch(/PGDIR_LDAP___SUFFIX: malformed/);
  });

  it('cannot set a key inside a scalar', async () => {
    const file = await yamlFile('data_dir: ./x\n');
    expect(errorOf(() => load({ path: file, env: { PGDIR_DATA_DIR__X: '1' } })).message).toMatch(/data_dir: is not a mapping/);
  });
});

describe('*_file secrets', () => {
  it('reads and trims database.url_file and ldap.admin_password_file', async () => {
    await writeFile(join(dir, 'db-url'), 'postgres://pgdir:s3cret@db/pgdir\n');
    await writeFile(join(dir, 'admin'), '  correct horse battery staple \n');
    const file = await yamlFile('ldap:\n  admin_password_file: admin\n');
    const config = load({ path: file, env: { PGDIR_DATABASE__URL_FILE: join(dir, 'db-url') } });
    expect(config.database.url).toBe('postgres://pgdir:s3cret@db/pgdir');
    expect(config.ldap.admin_password).toBe('correct horse battery staple');
    expect(Object.keys(config.ldap)).not.toContain('admin_password_file');
  });

  it('refuses both forms, missing files and empty files, naming the key', async () => {
    await writeFile(join(dir, 'empty'), '\n');
    const both = await yamlFile('database: { url: "postgres://x", url_file: y }\n', 'both.yaml');
    expect(errorOf(() => load({ path: both })).message).toContain('database.url_file: set either database.url or database.url_file, not both');
    const missing = await yamlFile('smtp: { host: h, from: f, password_file: nope }\n', 'missing.yaml');
    expect(errorOf(() => load({ path: missing })).message).toContain(`smtp.password_file: cannot read ${join(dir, 'nope')} (ENOENT)`);
    const empty = await yamlFile('ldap: { admin_password_file: empty }\n', 'empty.yaml');
    expect(errorOf(() => load({ path: empty })).message).toContain('ldap.admin_password_file: ');
    expect(errorOf(() => load({ path: empty })).message).toContain('is empty');
  });

  it('leaves *_file of non-secret keys to the schema (unknown key)', async () => {
    const file = await yamlFile('ldap: { suffix_file: x }\n');
    expect(errorOf(() => load({ path: file })).key).toBe('ldap.suffix_file');
  });
});

describe('durations', () => {
  it('parse units, combinations and plain milliseconds', () => {
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration(' 45 ')).toBe(45);
    expect(parseDuration(1000)).toBe(1000);
  });

  it('reject everything else', () => {
    for (const bad of ['', 'm', '15 m', '15x', '-5s', '1h junk', 'ms', -1, Number.NaN, Infinity, null, {}]) {
      expect(parseDuration(bad), String(bad)).toBeUndefined();
    }
  });

  it('format back to the largest whole unit', () => {
    expect(formatDuration(900_000)).toBe('15m');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1_500)).toBe('1500ms');
    expect(formatDuration(86_400_000)).toBe('1d');
  });
});
