import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The files that start `pgdir serve` with real clients or replicas: minutes each, whatever their size. */
const HEAVY = ['/test/e2e/', '/test/clients/'];

/**
 * Without recorded durations (a clean clone, as in CI) vitest runs larger files first, and the
 * end-to-end files, small because their cases live in modules, came last: with two files at a
 * time the run then ends waiting on one of them. So they go first there. With durations (a second
 * run on one machine) vitest's own order, slowest first, is kept.
 */
export class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    if (files.every((spec) => this.ctx.cache.getTestSpecificationResult(spec) !== undefined)) return sorted;
    const heavy = (spec: TestSpecification): boolean => HEAVY.some((dir) => spec.moduleId.includes(dir));
    return [...sorted.filter(heavy), ...sorted.filter((spec) => !heavy(spec))];
  }
}
