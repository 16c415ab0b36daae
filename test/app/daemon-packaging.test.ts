import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../helpers/memory-io.js';
import { REPO } from '../helpers/pgdir-process.js';

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('systemd/pgdir.service', () => {
  const unit = readFileSync(join(REPO, 'systemd/pgdir.service'), 'utf8');

  it.runIf(hasSystemdAnalyze)('passes systemd-analyze verify without warnings', () => {
    const result = spawnSync('systemd-analyze', ['verify', join(REPO, 'systemd/pgdir.service')], { encoding: 'utf8' });
    expect(result.stderr.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs as a dedicated user with only CAP_NET_BIND_SERVICE, hardened, restarting on failure', () => {
    for (const line of [
      'User=pgdir',
      'AmbientCapabilities=CAP_NET_BIND_SERVICE',
      'CapabilityBoundingSet=CAP_NET_BIND_SERVICE',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'Restart=on-failure',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'StateDirectory=pgdir',
    ]) {
      expect(unit.split('\n'), line).toContain(line);
    }
  });

  it('waits for readiness in ExecStartPost and finds node on PATH, not at a fixed /usr/bin/node', () => {
    expect(unit).not.toContain('/usr/bin/node');
    expect(unit.split('\n')).toContain('Type=exec');
    expect(unit).toMatch(/^ExecStartPost=\/usr\/bin\/env node \/opt\/pgdir\/bin\/pgdir\.js wait-ready --timeout (\d+)s$/m);
    const wait = Number(/wait-ready --timeout (\d+)s/.exec(unit)?.[1]);
    const start = Number(/^TimeoutStartSec=(\d+)s$/m.exec(unit)?.[1]);
    // wait-ready gives up (and says why in the journal) before systemd kills it.
    expect(wait).toBeLessThan(start);
  });

  it('runs only pgdir commands and options that exist', async () => {
    const lines = unit.split('\n').filter((l) => /^Exec(Start|StartPre|StartPost)=/.test(l));
    expect(lines.length).toBe(3);
    for (const line of lines) {
      const args = line.replace(/^[A-Za-z]+=\/usr\/bin\/env node \/opt\/pgdir\/bin\/pgdir\.js /, '').split(' ');
      const mem = memoryIo({ cwd: REPO, env: { PGDIR_CONFIG: '' } });
      expect(await main([...args, '--help'], mem.io), `${line}\n${mem.stderr()}`).toBe(0);
    }
  });

  it.runIf(hasSystemdAnalyze)('scores as well exposed as "OK" or better in systemd-analyze security', () => {
    const out = execFileSync('systemd-analyze', ['security', '--offline=yes', join(REPO, 'systemd/pgdir.service')], { encoding: 'utf8' });
    const score = Number(/Overall exposure level for pgdir\.service: ([\d.]+)/.exec(out)?.[1]);
    expect(score).toBeLessThanOrEqual(2.5);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => /^[A-Z]+\s/.test(line));

  it('is multi-stage on Node 24 LTS, runs as a non-root user, and checks health with the light /readyz script', () => {
    expect(instructions.filter((i) => i.startsWith('FROM ')).length).toBe(2);
    expect(instructions).toContain('ARG NODE_IMAGE=node:24-bookworm-slim');
    const user = instructions.filter((i) => i.startsWith('USER ')).pop();
    expect(user).toBe('USER node');
    expect(instructions.some((i) => /^HEALTHCHECK .*CMD \["node", "\/app\/bin\/pgdir-healthcheck\.js"\]$/.test(i))).toBe(true);
    expect(existsSync(join(REPO, 'bin/pgdir-healthcheck.js'))).toBe(true);
    expect(instructions).toContain('COPY bin ./bin');
    expect(instructions).toContain('CMD ["serve"]');
  });

  it('carries the OCI labels, its version defaulting to package.json\'s', () => {
    const label = instructions.find((i) => i.startsWith('LABEL ')) ?? '';
    for (const key of ['title', 'description', 'version', 'revision', 'created', 'licenses', 'base.name']) {
      expect(label, key).toMatch(new RegExp(`org\\.opencontainers\\.image\\.${key.replace('.', '\\.')}="[^"]+"`));
    }
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; license: string };
    expect(instructions).toContain(`ARG VERSION=${pkg.version}`);
    expect(label).toContain(`org.opencontainers.image.licenses="${pkg.license}"`);
  });

  it('copies only files that exist and are not excluded by .dockerignore', () => {
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const sources = instructions
      .filter((i) => i.startsWith('COPY ') && !i.includes('--from='))
      .flatMap((i) => i.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(join(REPO, source)), source).toBe(true);
      expect(ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), source).toBe(false);
    }
  });
});
