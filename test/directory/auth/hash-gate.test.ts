import { describe, expect, it } from 'vitest';
import { createHashGate } from '../../../src/directory/auth/hash-gate.js';
import { DirectoryError } from '../../../src/domain/errors.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('the sign-in hashing gate', () => {
  it('refuses busy past the per-source and overall caps, never an urgent ticket, and frees places on end', () => {
    const gate = createHashGate({ maxPerSource: 2, maxTotal: 3, slots: 1 });
    const a1 = gate.enter('10.0.0.1', false);
    gate.enter('10.0.0.1', false);
    const busy = (() => {
      try {
        gate.enter('10.0.0.1', false);
        return undefined;
      } catch (err) {
        return err as DirectoryError;
      }
    })();
    expect([busy?.kind, busy?.status, busy?.resultCode]).toEqual(['busy', 429, 51]);
    gate.enter('10.0.0.2', false); // the third place overall
    expect(() => gate.enter('10.0.0.3', false)).toThrow(DirectoryError);
    expect(() => gate.enter('10.0.0.1', true)).not.toThrow(); // a connection that signed in before
    a1.end();
    a1.end(); // idempotent: frees one place only
    expect(() => gate.enter('10.0.0.3', false)).not.toThrow();
    expect(() => gate.enter('10.0.0.4', false)).toThrow(DirectoryError);
  });

  it('takes jobs round-robin across sources, urgent first', async () => {
    const gate = createHashGate({ maxPerSource: 100, maxTotal: 1000, slots: 1 });
    const order: string[] = [];
    let release!: () => void;
    const blocker = gate.enter('x', false).run(() => new Promise<void>((resolve) => (release = resolve)));
    const storm = gate.enter('10.0.0.1', false);
    const jobs = [
      ...Array.from({ length: 5 }, (_, i) => storm.run(async () => void order.push(`storm${i}`))),
      gate.enter('10.0.0.2', false).run(async () => void order.push('legit')),
      gate.enter('10.0.0.3', true).run(async () => void order.push('urgent')),
    ];
    await tick();
    release();
    await Promise.all([blocker, ...jobs]);
    expect(order).toEqual(['urgent', 'storm0', 'legit', 'storm1', 'storm2', 'storm3', 'storm4']);
  });
});
