import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder that holds package.json. The engine runs from engine/src (tsx) or from
 * dist/engine/src (the build), so paths to files outside the compiled tree — the built studio —
 * start here rather than at a fixed number of `..` from a module.
 */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

/** The built studio (vite's output), served at / when present. */
export const studioDist = () => join(packageRoot(), 'studio', 'dist');
