import { describe, expect, it } from 'vitest';
import { ReplicaLag } from '../../../src/directory/health/replica-lag.js';

/** The lag readiness and the pgdir_replica_lag_* series report (see replica-stall.test.ts for the daemon). */
describe('ReplicaLag', () => {
  it('is zero while the view holds the head it was compared with', () => {
    const lag = new ReplicaLag();
    lag.observe(5, 5, 1_000);
    expect(lag.current(5, 9_000)).toEqual({ revisions: 0, seconds: 0 });
  });

  it('counts from the first reading that found the view behind, until the view reaches that head', () => {
    const lag = new ReplicaLag();
    lag.observe(7, 5, 1_000);
    lag.observe(8, 5, 3_000); // still behind: the clock keeps running from the first reading
    expect(lag.current(5, 4_500)).toEqual({ revisions: 3, seconds: 3.5 });
    expect(lag.current(7, 4_500)).toEqual({ revisions: 1, seconds: 0 }); // reached 7; 8 is newer news
    expect(lag.current(7, 6_000)).toEqual({ revisions: 1, seconds: 1.5 });
    expect(lag.current(8, 7_000)).toEqual({ revisions: 0, seconds: 0 });
  });

  it('never reports a head lower than one already read', () => {
    const lag = new ReplicaLag();
    lag.observe(9, 9, 1_000);
    lag.observe(4, 9, 2_000); // a slow reading that started earlier
    expect(lag.current(9, 3_000)).toEqual({ revisions: 0, seconds: 0 });
  });
});
