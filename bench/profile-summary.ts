/**
 * Summarises a V8 CPU profile (node --cpu-prof): top self-time functions and self time by layer.
 * `npx tsx bench/profile-summary.ts bench/results/profiles/<file>.cpuprofile [top=25]`
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const [file, topArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
};
const totalSamples = prof.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
const usPerSample = (prof.endTime - prof.startTime) / Math.max(1, totalSamples);

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
const byFn = new Map<string, number>();
const byLayer = new Map<string, number>();
for (const n of prof.nodes) {
  const h = n.hitCount ?? 0;
  if (!h) continue;
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anonymous)'}  ${url ? `${short(url)}:${lineNumber + 1}` : ''}`;
  byFn.set(key, (byFn.get(key) ?? 0) + h);
  const l = layer(url, functionName);
  byLayer.set(l, (byLayer.get(l) ?? 0) + h);
}
const idle = byLayer.get('(idle)') ?? 0;
const busy = totalSamples - idle;
const pct = (h: number) => `${((100 * h) / busy).toFixed(1).padStart(5)} %`;
console.log(
  `${file}\n${((prof.endTime - prof.startTime) / 1e6).toFixed(1)} s profiled, ${((busy * usPerSample) / 1e6).toFixed(1)} s on CPU (percentages are of CPU time, idle excluded)\n`,
);
console.log('Self time by layer:');
for (const [k, h] of [...byLayer]
  .filter(([k]) => k !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, 20))
  console.log(`  ${pct(h)}  ${k}`);
console.log(`\nTop ${topArg ?? 25} functions by self time:`);
for (const [k, h] of [...byFn]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(topArg ?? 25)))
  console.log(`  ${pct(h)}  ${k}`);
