import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/pgdir-process.js';

/*
 * Builds the Dockerfile and runs the image where a Docker engine answers. Elsewhere (a docker
 * client without a daemon, or none at all) the tests are skipped, and their title says why.
 */

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';

function engineProblem(): string | undefined {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 30_000 });
  if (info.error !== undefined) return `no docker command (${info.error.message})`;
  if (info.status !== 0) return `no Docker engine answers "docker info" (${firstLine(info.stderr) || `exit ${info.status}`})`;
  return undefined;
}

const problem = engineProblem();
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
const tag = `pgdir-test:${process.pid}`;
const container = `pgdir-test-${process.pid}`;

function docker(args: readonly string[], timeout = 60_000): SpawnSyncReturns<string> {
  const result = spawnSync('docker', args, { cwd: REPO, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  expect(result.status, `docker ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

if (problem !== undefined) {
  // Shown by the reporter next to the skipped test, and on stderr for a plain log.
  console.warn(`test/app/docker-image.test.ts: skipped: ${problem}`);
  it('the Docker image builds and runs', (ctx) => ctx.skip(problem));
}

describe.runIf(problem === undefined)('the Docker image', () => {
  beforeAll(() => {
    docker(['build', '--build-arg', 'REVISION=test', '--build-arg', 'CREATED=2026-01-01T00:00:00Z', '-t', tag, '.'], 900_000);
  }, 900_000);
  afterAll(() => {
    spawnSync('docker', ['rm', '-f', container]);
    spawnSync('docker', ['rmi', '-f', tag]);
  });

  it('carries the OCI labels, runs as node on Node 24, and prints pgdir --version', () => {
    const labels = JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', tag]).stdout) as Record<string, string>;
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': 'pgdir',
      'org.opencontainers.image.version': pkg.version,
      'org.opencontainers.image.revision': 'test',
      'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
      'org.opencontainers.image.licenses': 'MIT',
    });
    expect(docker(['image', 'inspect', '--format', '{{.Config.User}}', tag]).stdout.trim()).toBe('node');
    expect(docker(['run', '--rm', '--entrypoint', 'node', tag, '-p', 'process.version']).stdout).toMatch(/^v24\./);
    expect(docker(['run', '--rm', tag, '--version']).stdout).toBe(`pgdir ${pkg.version}\n`);
  }, 120_000);

  it('starts with the embedded database and becomes healthy through the /readyz healthcheck', async () => {
    docker(['run', '-d', '--name', container, '--health-interval', '2s', '--health-start-period', '120s', tag]);
    const deadline = Date.now() + 180_000;
    let health = '';
    while (Date.now() < deadline) {
      health = docker(['inspect', '--format', '{{.State.Health.Status}}', container]).stdout.trim();
      if (health === 'healthy' || health === 'unhealthy') break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const logs = spawnSync('docker', ['logs', container], { encoding: 'utf8' });
    expect(health, `${logs.stdout}${logs.stderr}`).toBe('healthy');
    const probe = docker(['inspect', '--format', '{{json .State.Health.Log}}', container]).stdout;
    expect(probe).toContain('healthy: http://127.0.0.1:8080/readyz answered 200');
    expect(docker(['exec', container, 'pgdir', 'status']).stdout).toMatch(/^state: +ready$/m);
  }, 240_000);
});
