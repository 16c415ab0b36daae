import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppBindRecorder } from '../../../src/directory/apps/app-bind-recorder.js';
import type { AppBindEvent } from '../../../src/directory/apps/app-bind.js';
import type { Application } from '../../../src/domain/application.js';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { storeModes, type StoreFixture } from '../../helpers/databases.js';

/**
 * Issue 16's bind audit, batched: the counter is exact at once, audit rows reach the store in
 * one transaction per batch within the flush delay (or at once past the batch size), in bind
 * order, and close() writes what is left, so a clean stop loses nothing.
 */
describe.each(storeModes)('application bind recorder on $mode', ({ create }) => {
  let fixture: StoreFixture;
  let store: Store;
  let app: Application;
  const warnings: object[] = [];
  const logger = { warn: (obj: object) => void warnings.push(obj) };
  const event = (outcome: AppBindEvent['outcome'], userId = 'u1', known = true): AppBindEvent => ({ app: known ? app : undefined, as: 'user', userId, outcome, ip: '192.0.2.7' });
  const rows = async () => (await store.listAudit({ action: 'app.bind', target: app.id, limit: 1000 })).reverse();

  beforeAll(async () => {
    fixture = await create();
    store = await openStore(fixture.options);
    app = await store.write((tx) => tx.insertApp({ name: 'wiki', description: '', secretHash: '!', allowedCidrs: [], access: { everyone: true, groups: [], teams: [] } }));
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await fixture?.cleanup();
  });

  it('counts at once, writes the rows within the flush delay, in order, with what they say', async () => {
    const metrics = createMetricsRegistry();
    const recorder = createAppBindRecorder(store, metrics, logger, { flushMs: 100 });
    const before = (await rows()).length;
    recorder.record(event('success', 'first'));
    recorder.record(event('no_access', 'second'));
    recorder.record(event('unknown_app', 'x', false));
    const text = await metrics.render();
    expect(text).toMatch(/pgdir_app_binds_total\{app="wiki",outcome="success"\} 1\b/);
    expect(text).toMatch(/pgdir_app_binds_total\{app="wiki",outcome="no_access"\} 1\b/);
    expect(text).toMatch(/pgdir_app_binds_total\{app="",outcome="unknown_app"\} 1\b/);
    expect((await rows()).length).toBe(before); // not written yet: queued
    const started = Date.now();
    while ((await rows()).length < before + 2 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(Date.now() - started).toBeLessThan(1000);
    const written = (await rows()).slice(before);
    expect(written.map((r) => [r.actor, r.result, r.ip, r.details])).toEqual([
      ['first', 'ok', '192.0.2.7', { app: 'wiki', as: 'user', outcome: 'success' }],
      ['second', 'denied', '192.0.2.7', { app: 'wiki', as: 'user', outcome: 'no_access' }],
    ]);
    await recorder.close();
  });

  it('writes a full batch at once and the rest on close, losing nothing', async () => {
    const recorder = createAppBindRecorder(store, createMetricsRegistry(), logger, { flushMs: 60_000, maxBatch: 50 });
    const before = (await rows()).length;
    for (let i = 0; i < 50; i++) recorder.record(event('success', `n${i}`));
    const started = Date.now();
    while ((await rows()).length < before + 50 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
    expect((await rows()).length).toBe(before + 50); // the timer (a minute) did not write it: the batch size did
    for (let i = 50; i < 120; i++) recorder.record(event('success', `n${i}`));
    await recorder.flush();
    expect((await rows()).length).toBe(before + 120);
    for (let i = 120; i < 130; i++) recorder.record(event('invalid_credentials', `n${i}`));
    await recorder.close();
    const all = (await rows()).slice(before);
    expect(all.map((r) => r.actor)).toEqual(Array.from({ length: 130 }, (_, i) => `n${i}`));
    expect(warnings).toEqual([]);
  });
});
