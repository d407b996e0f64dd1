import type { PackageDef } from '../core/model.js';

/** The role hierarchy of a package: for each role, every role below it (not itself). */
export function subordinatesOf(pkg: PackageDef): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const r of pkg.roles ?? [])
    if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.name]);
  const out = new Map<string, string[]>();
  for (const r of pkg.roles ?? []) {
    const below: string[] = [];
    const stack = [...(children.get(r.name) ?? [])];
    while (stack.length) {
      const n = stack.pop()!;
      if (below.includes(n)) continue; // validation refuses cycles; stay finite regardless
      below.push(n);
      stack.push(...(children.get(n) ?? []));
    }
    out.set(r.name, below);
  }
  return out;
}
