import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm start` runs the compiled engine with plain node, so a production install
// (`npm ci --omit=dev`) must hold every package the engine and the demo seed load.
const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** Loaded only when installed, in a try/catch: pretty logs on a developer's terminal. */
const OPTIONAL_DEV = new Set(['pino-pretty']);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Packages a module loads at run time: every import but `import type` (erased by TypeScript). */
export function runtimeImports(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm))
    if (!m[2]) specs.push(m[3]);
  for (const m of source.matchAll(/^\s*import\s+'([^']+)'/gm)) specs.push(m[1]);
  for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) specs.push(m[1]);
  return specs
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
}

describe('run-time dependencies', () => {
  it('reads imports as TypeScript emits them', () => {
    expect(
      runtimeImports(
        "import type { A } from 'types-only';\nimport { b, type C } from '@scope/pkg/sub.js';\nimport x from 'knex';\nconst p = await import('lazy');\nimport { y } from './local.js';\nimport 'side-effect';",
      ),
    ).toEqual(['@scope/pkg', 'knex', 'side-effect', 'lazy']);
  });

  it('everything the engine and the demo seed load is in dependencies, not devDependencies', () => {
    const used = new Map<string, string>();
    for (const f of [...files(join(ROOT, 'engine/src')), ...files(join(ROOT, 'seeds'))])
      for (const name of runtimeImports(readFileSync(f, 'utf8'))) used.set(name, f.slice(ROOT.length + 1));
    expect([...used.keys()].sort()).toContain('pino-http');
    expect(used.size).toBeGreaterThan(5);
    const missing = [...used].filter(([name]) => !(name in pkg.dependencies) && !OPTIONAL_DEV.has(name));
    expect(missing).toEqual([]);
    for (const name of OPTIONAL_DEV) expect(name in pkg.devDependencies).toBe(true);
    for (const name of ['tsx', 'typescript', 'vite']) expect(used.has(name)).toBe(false);
  });
});
