import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { GateTickets } from '../../../src/directory/auth/gate-tickets.js';

/** Run in real worker threads: each loads gate-tickets.ts through tsx and takes and releases in a loop, checking the caps with its own counters. */
const HAMMER = `
const { parentPort, workerData } = require('node:worker_threads');
const { register } = require(workerData.tsx);
register();
import(workerData.module).then(({ GateTickets }) => {
  const tickets = new GateTickets(workerData.buffer, workerData.thread);
  const inFlight = new Int32Array(workerData.probe);
  let taken = 0, refused = 0, over = 0;
  for (let i = 0; i < workerData.rounds; i++) {
    const source = '10.0.0.' + (i % 3);
    if (!tickets.take(source, 4, 6)) { refused++; continue; }
    taken++;
    const slot = i % 3;
    if (Atomics.add(inFlight, slot, 1) + 1 > 4) over++;
    if (Atomics.add(inFlight, 3, 1) + 1 > 6) over++;
    Atomics.sub(inFlight, slot, 1);
    Atomics.sub(inFlight, 3, 1);
    tickets.release(source);
  }
  parentPort.postMessage({ taken, refused, over });
});
`;

describe('the hash gate tickets shared by LDAP threads', () => {
  it('holds the per-source and overall caps across threads and frees places on release', () => {
    const buffer = GateTickets.allocate(3, 10);
    const main = new GateTickets(buffer, 0);
    const worker = new GateTickets(buffer, 1);
    for (let i = 0; i < 5; i++) expect(main.take('10.0.0.1', 8, 10)).toBe(true);
    for (let i = 0; i < 3; i++) expect(worker.take('10.0.0.1', 8, 10)).toBe(true);
    expect(worker.take('10.0.0.1', 8, 10)).toBe(false); // 8 from this address in the daemon
    expect(main.take('10.0.0.1', 8, 10)).toBe(false);
    expect(worker.take('10.0.0.2', 8, 10)).toBe(true);
    expect(main.take('10.0.0.3', 8, 10)).toBe(true);
    expect(main.take('10.0.0.4', 8, 10)).toBe(false); // 10 in all
    expect(main.total).toBe(10);
    worker.release('10.0.0.1');
    expect(main.take('10.0.0.1', 8, 10)).toBe(true);
    expect(new GateTickets(buffer, 2).total).toBe(10);
  });

  it('forgets the tickets of a thread that died, and only those', () => {
    const buffer = GateTickets.allocate(2, 128);
    const main = new GateTickets(buffer, 0);
    const worker = new GateTickets(buffer, 1);
    for (let i = 0; i < 8; i++) expect(worker.take('192.0.2.7', 8, 128)).toBe(true);
    expect(main.take('192.0.2.7', 8, 128)).toBe(false);
    main.take('192.0.2.8', 8, 128);
    main.forget(1);
    expect(main.total).toBe(1);
    for (let i = 0; i < 8; i++) expect(main.take('192.0.2.7', 8, 128)).toBe(true);
  });

  it('counts like a map under any order of takes and releases (open addressing with removal)', () => {
    const buffer = GateTickets.allocate(1, 40);
    const tickets = new GateTickets(buffer, 0);
    const model = new Map<string, number>();
    let seed = 12345;
    const random = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let step = 0; step < 20_000; step++) {
      const source = `2001:db8::${random(60)}`;
      const held = model.get(source) ?? 0;
      const total = [...model.values()].reduce((a, b) => a + b, 0);
      if (random(2) === 0 || held === 0) {
        const ok = tickets.take(source, 3, 40);
        expect(ok).toBe(held < 3 && total < 40);
        if (ok) model.set(source, held + 1);
      } else {
        tickets.release(source);
        if (held === 1) model.delete(source);
        else model.set(source, held - 1);
      }
    }
    expect(tickets.total).toBe([...model.values()].reduce((a, b) => a + b, 0));
    for (const [source, held] of model) for (let i = 0; i < held; i++) tickets.release(source);
    expect(tickets.total).toBe(0);
  });

  it('never admits past a cap while four real threads take and release at once', async () => {
    const buffer = GateTickets.allocate(4, 6);
    const probe = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
    const module = new URL('../../../src/directory/auth/gate-tickets.ts', import.meta.url).href;
    const tsx = createRequire(import.meta.url).resolve('tsx/esm/api');
    const results = await Promise.all(
      [0, 1, 2, 3].map(
        (thread) =>
          new Promise<{ taken: number; refused: number; over: number }>((resolve, reject) => {
            const worker = new Worker(HAMMER, { eval: true, workerData: { buffer, probe, thread, rounds: 20_000, module, tsx } });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    expect(results.reduce((n, r) => n + r.over, 0)).toBe(0);
    expect(results.reduce((n, r) => n + r.taken, 0)).toBeGreaterThan(0);
    expect(new GateTickets(buffer, 0).total).toBe(0);
  }, 60_000);
});
