/**
 * Summarises a V8 CPU profile (node --cpu-prof): top self-time functions, self time by layer, and
 * the engine's functions by total (inclusive) time.
 * `npx tsx bench/profile-summary.ts bench/results/profiles/<file>.cpuprofile [--top=25] [--case=W4] [--requests=N]`
 * `--case` keeps only the samples taken while that case ran against Tessera (from windows.json,
 * which `npm run bench -- --profile` writes next to the profiles), so one profile of a whole run
 * can be read case by case. Profiles under `profiles/reference/` are the reference server's (read
 * against its own windows), so the same case can be compared function by function.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Window {
  case: string;
  target: string;
  startUs: number;
  endUs: number;
}
const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'))!;
const opt = (k: string) => args.find((a) => a.startsWith(`--${k}=`))?.split('=')[1];
const top = Number(opt('top') ?? 25);
const onlyCase = opt('case');
/**
 * `--requests=N`: the case's request count (from the run's JSON): figures become µs per request,
 * comparable between Tessera's and the reference's profiles of the same case.
 */
const perRequest = Number(opt('requests') ?? 0);
/** `--all`: total time of every function, not only the engine's. */
const all = args.includes('--all');

const prof = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

let windows: Window[] | null = null;
if (onlyCase) {
  const target = basename(dirname(file)) === 'reference' ? 'reference' : 'tessera';
  const dir = target === 'reference' ? dirname(dirname(file)) : dirname(file);
  const wf = join(dir, 'windows.json');
  if (!existsSync(wf)) throw new Error(`--case needs ${wf} (written by npm run bench -- --profile)`);
  windows = (JSON.parse(readFileSync(wf, 'utf8')) as Window[]).filter(
    (w) => w.case === onlyCase && w.target === target,
  );
  if (!windows.length) throw new Error(`no ${target} run of ${onlyCase} in ${wf}`);
}

// Sample counts per node, within the windows if any.
const hits = new Map<number, number>();
let t = prof.startTime;
let sampled = 0;
prof.samples.forEach((id, i) => {
  t += prof.timeDeltas[i];
  if (windows && !windows.some((w) => t >= w.startUs && t <= w.endUs)) return;
  hits.set(id, (hits.get(id) ?? 0) + 1);
  sampled++;
});
const spanUs = windows
  ? windows.reduce((a, w) => a + (w.endUs - w.startUs), 0)
  : prof.endTime - prof.startTime;
const usPerSample = spanUs / Math.max(1, sampled);

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '~/')
    .replace(/^.*?\/(engine|bench)\//, '$1/');
function layer(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/V8 builtins)';
  if (url.startsWith('node:'))
    return url.includes('http') || url.includes('net') || url.includes('stream')
      ? 'node: http/net/streams'
      : 'node: other';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return `npm: ${m[1]}`;
  const e = /engine\/src\/([^/]+)/.exec(url);
  if (e) return `engine: ${e[1]}`;
  return short(url);
}
const key = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'}  ${n.callFrame.url ? short(n.callFrame.url) : ''}`;

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const byFn = new Map<string, number>();
const byLayer = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, h] of hits) {
  const n = byId.get(id)!;
  byFn.set(key(n), (byFn.get(key(n)) ?? 0) + h);
  const l = layer(n.callFrame.url, n.callFrame.functionName);
  byLayer.set(l, (byLayer.get(l) ?? 0) + h);
  // Total time: every engine function on the stack, once per sample even when recursive.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const c = byId.get(cur)!;
    if (!all && !/engine\/src\//.test(c.callFrame.url)) continue;
    const k = key(c);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + h);
  }
}
const idle = byLayer.get('(idle)') ?? 0;
const busy = sampled - idle;
const pct = (h: number) =>
  perRequest
    ? `${((h * usPerSample) / perRequest).toFixed(1).padStart(6)} µs`
    : `${((100 * h) / busy).toFixed(1).padStart(5)} %`;
console.log(
  `${file}${onlyCase ? ` — ${onlyCase} only (${windows!.length} run(s))` : ''}\n${(spanUs / 1e6).toFixed(1)} s profiled, ${((busy * usPerSample) / 1e6).toFixed(1)} s on CPU (${perRequest ? `µs per request of ${perRequest}` : 'percentages are of CPU time, idle excluded'})\n`,
);
const list = (m: Map<string, number>, n: number) =>
  [...m]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .forEach(([k, h]) => console.log(`  ${pct(h)}  ${k}`));
console.log('Self time by layer:');
list(byLayer, 20);
console.log(`\nTop ${top} functions by self time:`);
list(byFn, top);
console.log(`\nTop ${top} ${all ? '' : 'engine '}functions by total time (self + callees):`);
list(inclusive, top);
