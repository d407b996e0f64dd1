import type { DuplicateRuleDef, ValidationRuleDef, ValidationRuleOp } from '../core/model.js';
import type { CompiledField, CompiledModel, CompiledObject } from '../metadata/compile.js';
import { compileExpression, exprTypeOf, RULE_WORK, type CompiledExpr } from '../rules/index.js';
import { exprEnvOf } from '../metadata/expr-env.js';
import { perObjectIn } from '../metadata/per-object.js';

export interface FieldExpr {
  field: CompiledField;
  expr: CompiledExpr;
}

/** Every rule of one object, checked and prepared once per metadata version. */
export interface ObjectRules {
  defaults: FieldExpr[];
  /** Formulas in dependency order (a formula reading another comes after it). */
  formulas: FieldExpr[];
  requiredIf: FieldExpr[];
  readOnlyIf: FieldExpr[];
  dependents: { field: CompiledField; controlling: CompiledField; allowed: Record<string, string[]> }[];
  validation: { rule: ValidationRuleDef; expr: CompiledExpr; on: ReadonlySet<ValidationRuleOp> }[];
  /** Does any active validation rule check deletes? */
  onDelete: boolean;
  duplicates: DuplicateRuleDef[];
  /** Count and sum roll-ups: a new record has no children, so they start at 0 (min/max: null). */
  zeroRollups: CompiledField[];
  /** lookup field → target fields that expressions read through it. */
  lookups: Map<string, Set<string>>;
  /** Does anything run in the rules step? */
  any: boolean;
  /** Work units of the rules of one record (RULE_WORK), defaults included. */
  cost: number;
}

/** A roll-up on a parent, seen from the child object it summarises. */
export interface RollupLink {
  parent: CompiledObject;
  field: CompiledField;
  via: CompiledField;
  value?: CompiledField;
  fn: 'count' | 'sum' | 'min' | 'max';
  filter?: unknown;
  /** Child fields whose change can change the roll-up. */
  inputs: Set<string>;
}

/** Formulas of another object that read this object's fields through a lookup. */
export interface LookupFormulaLink {
  object: CompiledObject;
  lookup: CompiledField;
  reads: Set<string>;
}

/** Who depends on whom across objects: built once per model. */
export interface DerivedGraph {
  rollupsOf: Map<string, RollupLink[]>;
  lookupFormulasOf: Map<string, LookupFormulaLink[]>;
}

/** Validation rules check creates and updates unless they say otherwise. */
const DEFAULT_ON: readonly ValidationRuleOp[] = ['create', 'update'];

const graphs = new WeakMap<CompiledModel, DerivedGraph>();

export const rulesFor = perObjectIn(function rulesFor(model: CompiledModel, o: CompiledObject): ObjectRules {
  const env = exprEnvOf(model, o.name)!;
  const lookups = new Map<string, Set<string>>();
  const compile = (e: unknown, expect: Parameters<typeof compileExpression>[2]) => {
    const c = compileExpression(e, env, expect);
    for (const [lk, fs] of c.refs.lookups) lookups.set(lk, new Set([...(lookups.get(lk) ?? []), ...fs]));
    return c;
  };
  const pick = (key: 'requiredIf' | 'readOnlyIf', expect: 'condition') =>
    o.fieldList
      .filter((f) => f.def[key] !== undefined)
      .map((f) => ({ field: f, expr: compile(f.def[key], expect) }));
  const formulas = sortFormulas(
    o.fieldList
      .filter((f) => f.def.type === 'formula' && f.def.expression !== undefined)
      .map((f) => ({ field: f, expr: compile(f.def.expression, exprTypeOf(f.def)) })),
  );
  const r: ObjectRules = {
    defaults: o.fieldList
      .filter((f) => f.def.defaultExpression !== undefined)
      .map((f) => ({ field: f, expr: compile(f.def.defaultExpression, exprTypeOf(f.def)) })),
    formulas,
    requiredIf: pick('requiredIf', 'condition'),
    readOnlyIf: pick('readOnlyIf', 'condition'),
    dependents: o.fieldList
      .filter((f) => f.def.controllingField && f.def.dependencies && o.fields.has(f.def.controllingField))
      .map((f) => ({
        field: f,
        controlling: o.fields.get(f.def.controllingField!)!,
        allowed: f.def.dependencies!,
      })),
    validation: (o.def.validationRules ?? [])
      .filter((v) => v.active !== false)
      .map((rule) => ({
        rule,
        expr: compile(rule.condition, 'condition'),
        on: new Set(rule.on ?? DEFAULT_ON),
      })),
    onDelete: false,
    duplicates: (o.def.duplicateRules ?? []).filter((d) => d.active !== false),
    zeroRollups: o.fieldList.filter((f) => f.def.summary?.fn === 'count' || f.def.summary?.fn === 'sum'),
    lookups,
    any: false,
    cost: 0,
  };
  r.onDelete = r.validation.some((v) => v.on.has('delete'));
  r.any = !!(
    r.formulas.length ||
    r.requiredIf.length ||
    r.readOnlyIf.length ||
    r.dependents.length ||
    r.validation.length
  );
  const exprs = [...r.defaults, ...r.formulas, ...r.requiredIf, ...r.readOnlyIf, ...r.validation];
  r.cost = exprs.reduce((n, x) => n + x.expr.cost, 0) + r.dependents.length * RULE_WORK.node;
  return r;
});

/** Dependency order of an object's formulas (cycles are refused at deploy). */
function sortFormulas(list: FieldExpr[]): FieldExpr[] {
  const byName = new Map(list.map((x) => [x.field.name, x]));
  const out: FieldExpr[] = [];
  const done = new Set<string>();
  const visit = (x: FieldExpr, depth: number) => {
    if (done.has(x.field.name) || depth > list.length) return;
    for (const dep of x.expr.refs.fields) {
      const d = byName.get(dep);
      if (d && d !== x) visit(d, depth + 1);
    }
    if (!done.has(x.field.name)) {
      done.add(x.field.name);
      out.push(x);
    }
  };
  for (const x of list) visit(x, 0);
  return out;
}

/** Field names a records-language filter reads, at any depth of and/or/not. */
export function filterFields(f: unknown): string[] {
  if (!f || typeof f !== 'object' || Array.isArray(f)) return [];
  return Object.entries(f).flatMap(([k, v]) =>
    k === 'and' || k === 'or'
      ? Array.isArray(v)
        ? v.flatMap(filterFields)
        : []
      : k === 'not'
        ? filterFields(v)
        : [k],
  );
}

export function graphFor(model: CompiledModel): DerivedGraph {
  const cached = graphs.get(model);
  if (cached) return cached;
  const g: DerivedGraph = { rollupsOf: new Map(), lookupFormulasOf: new Map() };
  for (const parent of model.objects.values())
    for (const field of parent.fieldList) {
      const s = field.def.summary;
      if (field.def.type !== 'rollup' || !s) continue;
      const child = model.objects.get(s.object);
      const via = child?.fields.get(s.via);
      if (!child || !via) continue;
      const value = s.field ? child.fields.get(s.field) : undefined;
      const inputs = new Set([via.name, ...(value ? [value.name] : []), ...filterFields(s.filter)]);
      const link: RollupLink = { parent, field, via, value, fn: s.fn, filter: s.filter, inputs };
      g.rollupsOf.set(child.name, [...(g.rollupsOf.get(child.name) ?? []), link]);
    }
  for (const o of model.objects.values()) {
    const r = rulesFor(model, o);
    const reads = new Map<string, Set<string>>();
    for (const f of r.formulas)
      for (const [lk, fs] of f.expr.refs.lookups) reads.set(lk, new Set([...(reads.get(lk) ?? []), ...fs]));
    for (const [lk, fs] of reads) {
      const lookup = o.fields.get(lk)!;
      const target = lookup.storage.references!.object;
      g.lookupFormulasOf.set(target, [
        ...(g.lookupFormulasOf.get(target) ?? []),
        { object: o, lookup, reads: fs },
      ]);
    }
  }
  graphs.set(model, g);
  return g;
}
