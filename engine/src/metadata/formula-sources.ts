import { checkTyped } from '../rules/index.js';
import type { CompiledModel, CompiledObject } from './compile.js';
import { exprEnvOf } from './expr-env.js';
import { perObjectIn } from './per-object.js';

/** A field of another record that a formula reads through one of its object's lookups. */
export interface CrossSource {
  /** The lookup (or master-detail) field of the formula's own object. */
  lookup: string;
  /** The object it points at. */
  target: string;
  /** The field read there. */
  field: string;
}

/**
 * For each formula of `o` that reads another record, the fields it reads there: directly
 * (`account.region`) or through other formulas of its own object. Field-level security uses it:
 * a formula shows another record's data only to a reader who may read that data.
 * Built once per object and metadata version.
 */
export const crossObjectSources = perObjectIn(function crossObjectSources(
  model: CompiledModel,
  o: CompiledObject,
): ReadonlyMap<string, readonly CrossSource[]> {
  const env = exprEnvOf(model, o.name)!;
  const direct = new Map<string, { sources: CrossSource[]; formulas: string[] }>();
  for (const f of o.fieldList) {
    if (f.def.type !== 'formula' || f.def.expression === undefined) continue;
    const { refs } = checkTyped(f.def.expression, env, 'any');
    const sources: CrossSource[] = [];
    for (const [lookup, fields] of refs.lookups) {
      const target = o.fields.get(lookup)?.storage.references?.object;
      if (target) for (const field of fields) sources.push({ lookup, target, field });
    }
    const formulas = [...refs.fields].filter((n) => n !== f.name && o.fields.get(n)?.def.type === 'formula');
    direct.set(f.name, { sources, formulas });
  }
  const out = new Map<string, CrossSource[]>();
  for (const name of direct.keys()) {
    const all: CrossSource[] = [];
    const seen = new Set<string>();
    const visit = (n: string) => {
      if (seen.has(n)) return; // cycles are refused at deploy; stay finite anyway
      seen.add(n);
      const d = direct.get(n);
      if (!d) return;
      all.push(...d.sources);
      d.formulas.forEach(visit);
    };
    visit(name);
    if (all.length) out.set(name, all);
  }
  return out;
});
