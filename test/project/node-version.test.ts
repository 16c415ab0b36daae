import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/pgdir-process.js';

/*
 * An unsupported Node (the system's /usr/bin/node on a Debian 12 machine is 20) is refused with
 * one clear line, by `npm test`'s first step and by the pgdir command itself, before anything
 * else loads. npm scripts run on the Node 24 dev dependency, so this test needs an old node.
 */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((node) => {
  const result = spawnSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' });
  return result.status === 0 && Number(result.stdout) < 22;
});

describe.runIf(OLD_NODE !== undefined)(`an unsupported Node.js (${OLD_NODE ?? 'none installed here; skipped'})`, () => {
  const expected = /^pgdir needs Node\.js 22 or later, but this is v\d+\.\d+\.\d+ \(.+\): install Node\.js 24 LTS .*npm ci .* brings Node 24 for the npm scripts\.\n$/;

  it('stops bin/check-node.js (the first step of npm test) with one line and exit code 1', () => {
    const result = spawnSync(OLD_NODE!, [join(REPO, 'bin/check-node.js')], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(expected);
    expect(result.stdout).toBe('');
  });

  it('stops the pgdir command the same way, before it loads anything else', () => {
    const result = spawnSync(OLD_NODE!, [join(REPO, 'bin/pgdir.js'), '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(expected);
  });
});

describe('the supported Node.js', () => {
  it('is what npm scripts run on (22 or later), and bin/check-node.js lets it pass silently', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
    const result = spawnSync(process.execPath, [join(REPO, 'bin/check-node.js')], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});
