import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../helpers/databases.js';
import { REPO } from '../helpers/pgdir-process.js';

/*
 * The test runner itself: vitest 5 on the Node that npm scripts use prints a failing test's
 * assertion and diff (on Node 20 it loses them to a reporter crash, Map.groupBy), and this
 * repository's vitest.config.ts stops an old Node with the one-line message instead.
 */
const VITEST = join(REPO, 'node_modules/vitest/vitest.mjs');
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((node) => {
  const result = spawnSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' });
  return result.status === 0 && Number(result.stdout) < 22;
});

let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await createTempDir('pgdir-vitest-');
  // test/… so that this repository's vitest.config.ts (include: test/**/*.test.ts) picks it up.
  await mkdir(join(dir.path, 'test'));
  await writeFile(
    join(dir.path, 'test/probe.test.ts'),
    "import { expect, it } from 'vitest';\nit('reports its failure', () => { expect({ answer: 41 }).toEqual({ answer: 42 }); });\n",
  );
});
afterAll(async () => {
  await dir.remove();
});

function vitest(node: string, args: string[]) {
  return spawnSync(node, [VITEST, 'run', '--root', dir.path, '--no-color', ...args], {
    cwd: dir.path,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', NO_COLOR: '1' },
    timeout: 120_000,
  });
}

describe('vitest', () => {
  it('reports a failing assertion with its diff and exits 1', () => {
    const result = vitest(process.execPath, ['--config', join(REPO, 'vitest.config.ts')]);
    const out = result.stdout + result.stderr;
    expect(result.status, out).toBe(1);
    expect(out).toContain('FAIL  test/probe.test.ts > reports its failure');
    expect(out).toContain('AssertionError: expected { answer: 41 } to deeply equal { answer: 42 }');
    expect(out).toMatch(/-\s+"answer": 42,\n\+\s+"answer": 41,/);
    expect(out).not.toContain('Unhandled Error');
  }, 150_000);

  it.runIf(OLD_NODE !== undefined)(`refuses ${OLD_NODE ?? 'an old Node'} with the one-line message (this repository's config)`, () => {
    const result = vitest(OLD_NODE!, ['--config', join(REPO, 'vitest.config.ts')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^pgdir needs Node\.js 22 or later, but this is v\d+/m);
    expect(result.stdout).not.toContain('FAIL');
  }, 150_000);
});
