import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgressRenderer, describeProgress } from '../../src/cli/progress-renderer.js';
import { sendControlRequest } from '../../src/control/control-client.js';
import { startControlServer, type ControlServer } from '../../src/control/control-server.js';
import { controlSocketPath } from '../../src/control/protocol.js';
import type { Progress } from '../../src/domain/progress.js';
import { createLogger } from '../../src/log/create-logger.js';
import { createTempDir } from '../helpers/databases.js';

/**
 * The control socket's progress lines (issue 12): only a request that asks gets them, before its
 * one response; old single-answer requests see exactly one line. And how the CLI shows them.
 */
const silent = createLogger({ level: 'silent', format: 'json' });

function rawLines(path: string, request: object): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => socket.end(`${JSON.stringify(request)}\n`));
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.on('end', () => resolve(reply.split('\n').filter((l) => l !== '')));
    socket.on('error', reject);
  });
}

describe('control socket progress lines', () => {
  let dir: { path: string; remove(): Promise<void> };
  let server: ControlServer | undefined;
  const steps: Progress[] = [1, 2, 3].map((done) => ({ phase: 'writing', done, total: 3 }));
  beforeEach(async () => {
    dir = await createTempDir('pgdir-ctl-progress-');
    server = await startControlServer(
      controlSocketPath(dir.path),
      async (request, progress) => {
        for (const step of steps) {
          progress?.(step);
          await new Promise((r) => setTimeout(r, 20));
        }
        return { command: request.command, streamed: progress !== undefined };
      },
      silent,
    );
  });
  afterEach(async () => {
    await server?.close(1_000);
    await dir.remove();
  });

  it('a request without progress gets one line, as before', async () => {
    const lines = await rawLines(controlSocketPath(dir.path), { v: 1, command: 'users.list', args: {} });
    expect(lines).toEqual([JSON.stringify({ ok: true, result: { command: 'users.list', streamed: false } })]);
    const response = await sendControlRequest(controlSocketPath(dir.path), 'users.list', {});
    expect(response).toEqual({ ok: true, result: { command: 'users.list', streamed: false } });
  });

  it('a request with progress gets progress lines, then the response', async () => {
    const lines = await rawLines(controlSocketPath(dir.path), { v: 1, command: 'users.import', args: {}, progress: true });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      ...steps.map((progress) => ({ progress })),
      { ok: true, result: { command: 'users.import', streamed: true } },
    ]);
  });

  it('the client passes each progress event on as it arrives and resolves with the response', async () => {
    const seen: { progress: Progress; at: number }[] = [];
    const started = Date.now();
    const response = await sendControlRequest(controlSocketPath(dir.path), 'users.import', {}, 5_000, (progress) => seen.push({ progress, at: Date.now() - started }));
    expect(response).toEqual({ ok: true, result: { command: 'users.import', streamed: true } });
    expect(seen.map((s) => s.progress)).toEqual(steps);
    // Streamed, not collected at the end: the first arrived well before the last.
    expect((seen[2]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(20);
  });
});

describe('progress rendering', () => {
  const sink = (isTTY: boolean) => {
    let text = '';
    const stream = Object.assign(new Writable({ write: (c: Buffer, _e: string, cb: () => void) => ((text += c.toString()), cb()) }), { isTTY, columns: 120 });
    return { stream, text: () => text };
  };

  it('says phase, done/total, percentage, rate and ETA', () => {
    expect(describeProgress({ phase: 'writing', done: 4000, total: 20000 }, 2).text).toBe('writing 4,000/20,000 (20%) 2,000/s ETA 8s');
    expect(describeProgress({ phase: 'writing', done: 20000, total: 20000 }, 10).text).toBe('writing 20,000/20,000 (100%) 2,000/s in 10s');
    expect(describeProgress({ phase: 'checking', done: 0, total: 10 }, 0).text).toBe('checking 0/10 (0%) 0/s ETA ?');
  });

  it('lines: the start and end of each phase, and at most one a second between', () => {
    let now = 0;
    const out = sink(false);
    const renderer = createProgressRenderer(out.stream, 'lines', () => now);
    for (const [t, phase, done] of [[0, 'writing', 0], [500, 'writing', 10], [1200, 'writing', 20], [1300, 'writing', 30], [1400, 'writing', 40], [1500, 'done', 0]] as const) {
      now = t;
      renderer.listener?.({ phase, done, total: 40 });
    }
    renderer.finish();
    expect(out.text().split('\n').filter((l) => l !== '').map((l) => l.split(' (')[0])).toEqual([
      'pgdir: writing 0/40',
      'pgdir: writing 20/40',
      'pgdir: writing 40/40',
      'pgdir: done 0/40',
    ]);
  });

  it('auto on a pipe: silent for the first 2 s, then a line every 5 s', () => {
    let now = 0;
    const out = sink(false);
    const renderer = createProgressRenderer(out.stream, 'auto', () => now);
    for (const t of [0, 1000, 1999, 2500, 4000, 7000, 7600]) {
      now = t;
      renderer.listener?.({ phase: 'writing', done: t, total: 10000 });
    }
    expect(out.text().split('\n').filter((l) => l !== '').map((l) => l.split(' (')[0])).toEqual(['pgdir: writing 2,500/10,000', 'pgdir: writing 7,600/10,000']);
  });

  it('bar on a terminal: redrawn in place, erased at the end', () => {
    let now = 0;
    const out = sink(true);
    const renderer = createProgressRenderer(out.stream, 'auto', () => now);
    renderer.listener?.({ phase: 'writing', done: 0, total: 100 });
    now = 1000;
    renderer.listener?.({ phase: 'writing', done: 50, total: 100 });
    renderer.finish();
    expect(out.text()).toContain('\rwriting [############............] 50/100 (50%) 50/s ETA 1s\x1b[K');
    expect(out.text().endsWith('\r\x1b[K')).toBe(true);
    expect(out.text()).not.toContain('\n');
  });

  it('none: nothing', () => {
    expect(createProgressRenderer(sink(true).stream, 'none').listener).toBeUndefined();
  });
});
