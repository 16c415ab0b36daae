import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/pgdir-process.js';

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

  it('is multi-stage, runs as a non-root user, and checks health with pgdir healthcheck', () => {
    expect(instructions.filter((i) => i.startsWith('FROM ')).length).toBe(2);
    const user = instructions.filter((i) => i.startsWith('USER ')).pop();
    expect(user).toBe('USER node');
    expect(instructions.some((i) => /^HEALTHCHECK .*CMD \["pgdir", "healthcheck"\]/.test(i))).toBe(true);
    expect(instructions).toContain('CMD ["serve"]');
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
