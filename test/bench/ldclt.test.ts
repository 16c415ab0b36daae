import { describe, expect, it } from 'vitest';
import { parseLdcltRates } from '../../bench/ldclt.js';
import { cpuMsOf } from '../../bench/server-cpu.js';
import { readSettings } from '../../bench/settings.js';

describe('bench ldclt mode', () => {
  it('reads the per-sample rates ldclt prints, in order', () => {
    const out = [
      'ldclt[123]: Average rate: 1500.20/thr  (12001.60/sec), total:  12016',
      'ldclt[123]: Number of samples achieved. Bye...',
      'ldclt[123]: Average rate:  1600.00/thr  (12800.00/sec), total:  12800',
      'ldclt[123]: Global average rate: 3100.20/thr  (12400.80/sec), total: 24816',
    ].join('\n');
    expect(parseLdcltRates(out)).toEqual([12001.6, 12800]);
    expect(parseLdcltRates('ldclt[1]: Exit status 2 - Error in parameters.')).toEqual([]);
  });

  it('takes BENCH_LOADGEN and refuses an unknown generator', () => {
    expect(readSettings({}).loadgen).toBe('node');
    expect(readSettings({ BENCH_LOADGEN: 'both', BENCH_LDCLT_SAMPLES: '3' })).toMatchObject({ loadgen: 'both', ldcltSamples: 3 });
    expect(() => readSettings({ BENCH_LOADGEN: 'jmeter' })).toThrow(/BENCH_LOADGEN/);
  });

  it('reads a process CPU time that grows with work, and nothing for a missing process', () => {
    const before = cpuMsOf(process.pid) ?? -1;
    const end = Date.now() + 150;
    while (Date.now() < end); // burn CPU
    expect(before).toBeGreaterThanOrEqual(0);
    expect(cpuMsOf(process.pid) ?? 0).toBeGreaterThan(before);
    expect(cpuMsOf(undefined)).toBeUndefined();
    expect(cpuMsOf(2 ** 22 + 12345)).toBeUndefined();
  });
});
