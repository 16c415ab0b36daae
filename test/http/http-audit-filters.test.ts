import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeModes } from '../helpers/databases.js';
import { startApi, type Api } from './http-fixture.js';

/** GET /api/v1/audit: filters by action, actor, target and time, with a total for paging. */

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(storeModes)('audit filters on $mode', (mode) => {
  let api: Api;
  /** Instants between the three batches of entries. */
  let t1: Date;
  let t2: Date;
  beforeAll(async () => {
    api = await startApi(mode);
    const append = (actor: string, action: string, target: string | null) => api.store.write((tx) => tx.appendAudit({ actor, action, target }));
    await append('auditor-a', 'test.create', 'target-1');
    await append('auditor-a', 'test.update', 'target-1');
    await pause(50);
    t1 = new Date();
    await pause(50);
    await append('auditor-b', 'test.update', 'target-2');
    await append('auditor-a', 'test.update', 'target-2');
    await pause(50);
    t2 = new Date();
    await pause(50);
    await append('auditor-b', 'test.delete', 'target-1');
  });
  afterAll(async () => {
    await api?.close();
  });

  const audit = (query: string) => api.call('GET', `/api/v1/audit?${query}`, { token: api.ownerToken });
  const summary = (items: { actor: string; action: string; target: string }[]) => items.map((i) => `${i.actor} ${i.action} ${i.target}`);

  it('filters by actor, target and action, each alone and combined, newest first with a total', async () => {
    const byActor = await audit('actor=auditor-a');
    expect(byActor.status).toBe(200);
    expect(byActor.body).toMatchObject({ total: 3, page: 1, perPage: 50, hasMore: false });
    expect(summary(byActor.body.items)).toEqual(['auditor-a test.update target-2', 'auditor-a test.update target-1', 'auditor-a test.create target-1']);
    const byTarget = await audit('target=target-1');
    expect(summary(byTarget.body.items)).toEqual(['auditor-b test.delete target-1', 'auditor-a test.update target-1', 'auditor-a test.create target-1']);
    const combined = await audit('actor=auditor-a&target=target-1&action=test.update');
    expect(combined.body).toMatchObject({ total: 1, items: [{ actor: 'auditor-a', action: 'test.update', target: 'target-1' }] });
    expect((await audit('actor=nobody')).body).toMatchObject({ total: 0, items: [], hasMore: false });
  });

  it('pages through a filtered list with total and hasMore', async () => {
    const query = 'action=test.update&per_page=2';
    const first = await audit(query);
    expect(first.body).toMatchObject({ total: 3, page: 1, perPage: 2, hasMore: true });
    expect(first.body.items).toHaveLength(2);
    const second = await audit(`${query}&page=2`);
    expect(second.body).toMatchObject({ total: 3, page: 2, hasMore: false });
    expect(summary(second.body.items)).toEqual(['auditor-a test.update target-1']);
    expect((await audit(`${query}&page=3`)).body).toMatchObject({ total: 3, items: [], hasMore: false });
  });

  it('filters by time: since is inclusive, until exclusive, any ISO offset', async () => {
    const since = await audit(`actor=auditor-b&since=${t1.toISOString()}`);
    expect(summary(since.body.items)).toEqual(['auditor-b test.delete target-1', 'auditor-b test.update target-2']);
    const window = await audit(`since=${encodeURIComponent(t1.toISOString())}&until=${encodeURIComponent(t2.toISOString())}`);
    expect(window.body.total).toBe(2);
    expect(summary(window.body.items)).toEqual(['auditor-a test.update target-2', 'auditor-b test.update target-2']);
    // The same instant written with a +02:00 offset.
    const shifted = new Date(t2.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    const before = await audit(`action=test.update&until=${encodeURIComponent(shifted)}`);
    expect(before.body.total).toBe(3);
    const after = await audit(`since=${encodeURIComponent(shifted)}`);
    expect(summary(after.body.items)).toEqual(['auditor-b test.delete target-1']);
    // A date means 00:00 UTC: everything here happened after yesterday began and before tomorrow.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    expect((await audit(`actor=auditor-a&since=${day(-1)}&until=${day(1)}`)).body.total).toBe(3);
  });

  it('rejects bad filters with 400 naming the parameter', async () => {
    const cases: [string, string, RegExp][] = [
      ['since=yesterday', 'since', /ISO 8601/],
      ['until=2026-13-01', 'until', /ISO 8601/],
      [`since=${t2.toISOString()}&until=${t1.toISOString()}`, 'until', /later than since/],
      [`actor=${'x'.repeat(201)}`, 'actor', /./],
      ['who=me', '', /who/],
    ];
    for (const [query, field, message] of cases) {
      const res = await audit(query);
      expect(res.status, query).toBe(400);
      if (field !== '') expect(res.body.error.field, query).toBe(field);
      expect(res.body.error.message, query).toMatch(message);
    }
  });

  it('documents the filters and the total in the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/api/openapi.json')).body;
    const get = doc.paths['/api/v1/audit'].get;
    const names = get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['page', 'per_page', 'action', 'actor', 'target', 'since', 'until']));
    const properties = get.responses['200'].content['application/json'].schema.properties;
    expect(Object.keys(properties)).toEqual(expect.arrayContaining(['items', 'total', 'page', 'perPage', 'hasMore']));
    expect(get.responses['200'].content['application/json'].schema.required).toContain('total');
  });
});
