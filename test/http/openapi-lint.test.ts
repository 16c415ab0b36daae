import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, storeModes } from '../helpers/databases.js';
import { startApi, type Api } from './http-fixture.js';

/**
 * The served OpenAPI document passes Redocly's recommended rules, linted by the locally installed,
 * exactly pinned @redocly/cli, offline: telemetry and the update check are switched off, and a
 * preload refuses (and reports) any network connection the linter would still try.
 */

const here = dirname(fileURLToPath(import.meta.url));
const REDOCLY = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
const NO_NETWORK = join(here, '..', 'helpers', 'no-network.mjs');
const pglite = storeModes.find((m) => m.mode === 'pglite') ?? storeModes[0]!;

interface LintReport {
  readonly totals: { readonly errors: number; readonly warnings: number };
  readonly problems: readonly { readonly ruleId: string; readonly severity: string; readonly message: string; readonly location: readonly { readonly pointer: string }[] }[];
}

const describeProblem = (p: LintReport['problems'][number]): string => `${p.ruleId} ${p.location.map((l) => l.pointer).join(' ')}`;

interface LintRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function lint(dir: string, file: string): Promise<LintRun> {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  const args = ['--import', NO_NETWORK, REDOCLY, 'lint', '--config', join(dir, 'redocly.yaml'), '--format', 'json', file];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('GET /api/openapi.json', () => {
  let api: Api;
  let doc: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let text: string;
  beforeAll(async () => {
    api = await startApi(pglite);
    const res = await api.call('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
    text = res.text;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('passes @redocly/cli lint (recommended rules) with no errors, without network access', async () => {
    const dir = await createTempDir('pgdir-openapi-');
    try {
      const file = join(dir.path, 'openapi.json');
      await writeFile(file, text);
      // telemetry: off in the config too, so a run without the environment variable stays offline.
      await writeFile(join(dir.path, 'redocly.yaml'), 'extends:\n  - recommended\ntelemetry: off\n');
      const run = await lint(dir.path, file);
      expect(run.stderr).not.toMatch(/NETWORK_ATTEMPT/);
      const report = JSON.parse(run.stdout) as LintReport;
      expect(report.problems.filter((p) => p.severity === 'error').map(describeProblem)).toEqual([]);
      // The only warnings left: operations that cannot answer any 4xx (no input to be wrong, no
      // token to lack). The document does not invent one for them.
      expect(report.problems.filter((p) => p.severity !== 'error').map(describeProblem).sort()).toEqual(
        ['/api/openapi.json', '/enroll-2fa', '/forgot-password', '/healthz', '/metrics', '/readyz', '/saml/metadata'].map((path) => `operation-4xx-response #/paths/${path.replaceAll('/', '~1')}/get/responses`),
      );
      expect(report.totals.errors).toBe(0);
      expect(run.code).toBe(0);
    } finally {
      await dir.remove();
    }
  }, 60_000);

  it('says which operations are public (security: []) and which need a bearer token', () => {
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/accept-invite'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/users'].get.security).toEqual([{ bearer: [] }]);
    for (const [path, ops] of Object.entries<Record<string, { security?: unknown }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) expect(op.security, `${method} ${path}`).toBeDefined();
    }
  });

  it('documents paging and flags as integers and booleans, and counts as integers', () => {
    const params = Object.fromEntries((doc.paths['/api/v1/users'].get.parameters as { name: string; schema: object }[]).map((p) => [p.name, p.schema]));
    expect(params['page']).toMatchObject({ type: 'integer', minimum: 1 });
    expect(params['perPage']).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(params['active']).toEqual({ type: 'boolean' });
    const page = doc.paths['/api/v1/audit'].get.responses['200'].content['application/json'].schema.properties;
    for (const count of ['total', 'page', 'perPage']) expect(page[count].type, count).toBe('integer');
    expect(page.items.items.properties.id.type).toBe('integer');
    // Counts are integers; only durations (replica lag in seconds, fractional) are numbers.
    expect(text.replace(/"seconds": \{\s*"type": "number"/g, '')).not.toMatch(/"type": "number"/);
  });

  it('gives /metrics, the pages and the export their media types', () => {
    expect(Object.keys(doc.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain; version=0.0.4']);
    for (const path of ['/accept-invite', '/reset-password', '/enroll-2fa']) {
      for (const method of ['get', 'post']) expect(Object.keys(doc.paths[path][method].responses['200'].content), `${method} ${path}`).toEqual(['text/html']);
    }
    expect(Object.keys(doc.paths['/api/v1/users/export'].get.responses['200'].content)).toEqual(['text/csv', 'application/json']);
    expect(doc.paths['/api/openapi.json'].get.responses['200'].content['application/json'].schema).toMatchObject({ type: 'object' });
  });

  it('lists deprecated path and query spellings with deprecated: true next to the current ones', () => {
    const pairs: [string, string, string][] = [
      ['get', '/api/v1/users/{id}/password_reset_link', '/api/v1/users/{id}/password-reset-link'],
      ['get', '/api/v1/users/{id}/invite_link', '/api/v1/users/{id}/invite-link'],
      ['post', '/api/v1/users/{id}/send_invite_email', '/api/v1/users/{id}/send-invite-email'],
      ['post', '/api/v1/users/{id}/send_password_reset_email', '/api/v1/users/{id}/send-password-reset-email'],
    ];
    for (const [method, old, now] of pairs) {
      expect(doc.paths[now][method].deprecated, now).toBeUndefined();
      expect(doc.paths[old][method]).toMatchObject({ deprecated: true, description: expect.stringContaining(now) });
      expect(doc.paths[old][method].operationId).not.toBe(doc.paths[now][method].operationId);
    }
    for (const path of ['/api/v1/users', '/api/v1/groups', '/api/v1/audit']) {
      const params = doc.paths[path].get.parameters as { name: string; deprecated?: boolean }[];
      expect(params.find((p) => p.name === 'perPage')?.deprecated, path).toBeUndefined();
      expect(params.find((p) => p.name === 'per_page')?.deprecated, path).toBe(true);
    }
  });

  it('documents the list of validation problems in the error schema', () => {
    const error = doc.components.schemas.Error.properties.error;
    expect(error.required).toEqual(['code', 'message']);
    expect(error.properties.problems).toMatchObject({ type: 'array', items: { required: ['message'], properties: { field: { type: 'string' } } } });
  });
});
