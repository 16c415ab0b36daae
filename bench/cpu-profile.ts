/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function, self time by
 * source file, and inclusive time of the functions asked for. Usage:
 *
 *   npx tsx bench/cpu-profile.ts <file.cpuprofile> [--top 40] [--focus name,name] [--skip-ms 30000]
 *
 * `--skip-ms` leaves out the first milliseconds of the profile (a daemon's start-up and view load).
 * `--focus` prints the inclusive time (the function and everything it called) of each named
 * function, so a hot path can be split into its parts ("where the time goes", docs/performance.md).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const shortUrl = (url: string): string => url.replace(/^file:\/\//, '').replace(/^.*\/(src|dist|bench|node_modules)\//, '$1/');
const label = (f: CallFrame): string => `${f.functionName || '(anonymous)'} ${shortUrl(f.url) || '(native)'}:${f.lineNumber + 1}`;

function selfTimes(profile: Profile, skipUs: number): Map<number, number> {
  const self = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= skipUs) self.set(id, (self.get(id) ?? 0) + delta);
  });
  return self;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
}

/** Inclusive time of every node: its self time plus its subtree's. */
function inclusive(profile: Profile, self: Map<number, number>): Map<number, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const memo = new Map<number, number>();
  const visit = (id: number): number => {
    const held = memo.get(id);
    if (held !== undefined) return held;
    const node = byId.get(id);
    let t = self.get(id) ?? 0;
    for (const c of node?.children ?? []) t += visit(c);
    memo.set(id, t);
    return t;
  };
  for (const n of profile.nodes) visit(n.id);
  return memo;
}

/** Inclusive time per function name, counting a recursive function's time once (outermost frame only). */
function focusTimes(profile: Profile, self: Map<number, number>, names: readonly string[]): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const incl = inclusive(profile, self);
  const out = new Map<string, number>();
  const walk = (id: number, open: ReadonlySet<string>): void => {
    const node = byId.get(id);
    if (node === undefined) return;
    const name = node.callFrame.functionName;
    let inside = open;
    if (names.includes(name) && !open.has(name)) {
      add(out, name, incl.get(id) ?? 0);
      inside = new Set([...open, name]);
    }
    for (const c of node.children ?? []) walk(c, inside);
  };
  walk(profile.nodes[0]?.id ?? 1, new Set());
  return out;
}

function main(argv: readonly string[]): void {
  const file = argv[0];
  if (file === undefined) throw new Error('usage: bench/cpu-profile.ts <file.cpuprofile> [--top N] [--focus a,b]');
  const n = Number(argv[argv.indexOf('--top') + 1] ?? 40) || 40;
  const focus = argv.includes('--focus') ? (argv[argv.indexOf('--focus') + 1] ?? '').split(',') : [];
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const skipMs = argv.includes('--skip-ms') ? Number(argv[argv.indexOf('--skip-ms') + 1] ?? 0) : 0;
  const self = selfTimes(profile, skipMs * 1000);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let idle = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (node.callFrame.functionName === '(idle)') idle += us;
    add(byFunction, label(node.callFrame), us);
    add(byFile, shortUrl(node.callFrame.url) || `(${node.callFrame.functionName || 'native'})`, us);
  }
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(((total - idle) / total) * 100).toFixed(1)}% busy`);
  console.log('\nself time by function:');
  for (const line of top(byFunction, total, n)) console.log(line);
  console.log('\nself time by file:');
  for (const line of top(byFile, total, n)) console.log(line);
  if (focus.length > 0) {
    console.log('\ninclusive time:');
    for (const line of top(focusTimes(profile, self, focus), total, focus.length)) console.log(line);
  }
}

main(process.argv.slice(2));
