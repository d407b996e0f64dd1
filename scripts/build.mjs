// `npm run build`: the engine compiled to dist/ (tsc) and the studio built to studio/dist (vite).
// `node scripts/build.mjs --if-stale` (npm's prestart): only the part whose sources changed since
// its last build, so `npm start` right after `npm install` builds once and then starts at once.
// Plain JavaScript on purpose: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => join(ROOT, ...p);
const ifStale = process.argv.includes('--if-stale');
// `--only=engine`: one part (the benchmark needs the compiled engine, not the studio).
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

/** Newest modification time under the given files and folders (skipping build outputs). */
function newest(paths) {
  let t = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (!s.isDirectory()) return void (t = Math.max(t, s.mtimeMs));
    for (const e of readdirSync(p)) if (e !== 'dist' && e !== 'node_modules') walk(join(p, e));
  };
  paths.forEach((p) => walk(at(p)));
  return t;
}
const builtAt = (file) => (existsSync(at(file)) ? statSync(at(file)).mtimeMs : 0);

const parts = [
  {
    name: 'engine',
    stamp: 'dist/.build-stamp',
    inputs: ['engine/src', 'seeds', 'metadata', 'tsconfig.json', 'tsconfig.build.json', 'package.json'],
    build() {
      // Without a stamp the last build did not finish (or never ran): start from an empty dist.
      if (!ifStale || !existsSync(at(this.stamp))) rmSync(at('dist'), { recursive: true, force: true });
      run('typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
      mkdirSync(at('dist'), { recursive: true });
      writeFileSync(at(this.stamp), new Date().toISOString() + '\n');
    },
  },
  {
    name: 'studio',
    stamp: 'studio/dist/index.html',
    // The studio bundles the pure engine layers and the metadata schemas too.
    inputs: [
      'studio',
      ...['core', 'fields', 'rules', 'metadata', 'validation'].map((l) => `engine/src/${l}`),
      'metadata/schema',
      'package-lock.json',
    ],
    build() {
      run('vite/bin/vite.js', ['build', '--config', 'studio/vite.config.ts', '--logLevel', 'warn']);
    },
  },
];

function run(bin, args) {
  // The package's own script, by path: `exports` maps may hide it from require.resolve.
  const script = at('node_modules', bin);
  if (!existsSync(script))
    fail(
      `${bin.split('/')[0]} is not installed, so the build cannot run. ` +
        'Run `npm install` (with dev dependencies), or build elsewhere and ship dist/ and studio/dist/.',
    );
  const r = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail(`${relative(ROOT, script)} ${args.join(' ')} failed`);
}
function fail(msg) {
  console.error(`tessera build: ${msg}`);
  process.exit(1);
}

for (const part of parts) {
  if (only && part.name !== only) continue;
  const stale = builtAt(part.stamp) < newest(part.inputs);
  if (ifStale && !stale) continue;
  const started = Date.now();
  console.log(`tessera build: ${part.name}${ifStale ? ' (sources changed since its last build)' : ''}…`);
  part.build();
  console.log(`tessera build: ${part.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
