import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../../src/app/compact-heap.ts', import.meta.url));

/**
 * Runs in a fresh process (tsx): the young generation's size and garbage are per process, and a
 * vitest worker's heap says nothing about them. `survivors` objects are allocated while kept (as a
 * view load does), which makes V8 grow its young generation; half of them are then dropped.
 */
function run(survivors: number): { before: number; after: number; ms: number | null; gcExposed: boolean; kept: number } {
  const script = `
    const { compactHeap } = await import(${JSON.stringify(MODULE)});
    const { getHeapSpaceStatistics } = await import('node:v8');
    const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    let garbage = [];
    const kept = [];
    for (let i = 0; i < ${survivors}; i++) (i % 2 ? kept : garbage).push({ name: 'entry' + i, values: [i] });
    garbage = undefined;
    const before = young();
    const ms = compactHeap() ?? null;
    console.log(JSON.stringify({ before, after: young(), ms, gcExposed: typeof globalThis.gc === 'function', kept: kept.length }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ReturnType<typeof run>;
}

describe('compactHeap', () => {
  it('shrinks a young generation a large load grew, without exposing gc globally', () => {
    const r = run(1_000_000);
    expect(r.before).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(r.ms).toEqual(expect.any(Number));
    expect(r.after).toBeLessThan(r.before / 4);
    expect(r.gcExposed).toBe(false);
    expect(r.kept).toBe(500_000);
  }, 120_000);

  it('leaves a small heap alone', () => {
    const r = run(1_000);
    expect(r.before).toBeLessThan(16 * 1024 * 1024);
    expect(r.ms).toBeNull();
    expect(r.after).toBe(r.before);
  }, 60_000);
});
