import { text as msg } from '../core/messages.js';
import { pointer, type FieldIssue } from '../core/errors.js';
import type { FieldDef, JsonValue, ObjectDef, PackageDef } from '../core/model.js';
import { fieldType, withDefaults } from '../fields/registry.js';
import { checkTyped, envFromObjects, exprTypeOf, type Expect, type ExprEnv } from '../rules/index.js';
import { checkFilter } from './filter-check.js';

const DUPLICATE_TYPES = new Set([
  'text',
  'email',
  'phone',
  'picklist',
  'lookup',
  'master_detail',
  'auto_number',
]);
const SIMILAR_TYPES = new Set(['text', 'textarea']);

/**
 * Rules of every object, checked at deploy: each expression is type-checked against the object's
 * fields (unknown field, forbidden operation, type mismatch → an issue with a JSON pointer into
 * the package), dependent picklists, duplicate rules, roll-up filters (metadata/filter-check.ts)
 * and formula cycles.
 */
export function checkRules(pkg: PackageDef, issues: FieldIssue[]): void {
  const envOf = envFromObjects(pkg.objects);
  const objects = new Map(pkg.objects.map((o) => [o.name, o]));
  pkg.objects.forEach((obj, oi) => {
    const env = envOf(obj.name)!;
    const at = pointer('objects', oi);
    const expr = (e: JsonValue | undefined, where: string, expect: Expect) => {
      if (e === undefined) return null;
      const r = checkTyped(e, env, expect);
      for (const i of r.issues) issues.push({ pointer: where + i.pointer, code: i.code, params: i.params });
      return r;
    };
    const byName = new Map(obj.fields.map((f) => [f.name, f]));
    obj.fields.forEach((raw, fi) => {
      const f = withDefaults(raw);
      const fat = `${at}/fields/${fi}`;
      expr(f.requiredIf, `${fat}/requiredIf`, 'condition');
      expr(f.readOnlyIf, `${fat}/readOnlyIf`, 'condition');
      if (f.defaultExpression !== undefined) {
        if (!fieldType(f.type).writable || f.default !== undefined)
          issues.push({
            pointer: `${fat}/defaultExpression`,
            code: 'META_BAD_DEFAULT',
            params: { reason: msg('R_DEFAULT_EXPRESSION') },
          });
        else expr(f.defaultExpression, `${fat}/defaultExpression`, exprTypeOf(f));
      }
      if (f.type === 'formula' && f.expression !== undefined)
        expr(f.expression, `${fat}/expression`, exprTypeOf(f));
      if (f.controllingField !== undefined || f.dependencies !== undefined)
        checkDependent(f, byName, fat, issues);
      if (f.summary) checkSummary(f, objects, fat, issues);
    });
    checkFormulaCycles(obj, env, at, issues);
    const ruleNames = new Set<string>();
    (obj.validationRules ?? []).forEach((rule, ri) => {
      const rat = `${at}/validationRules/${ri}`;
      if (ruleNames.has(rule.name))
        issues.push({ pointer: `${rat}/name`, code: 'META_DUPLICATE_NAME', params: { name: rule.name } });
      ruleNames.add(rule.name);
      if (rule.field !== undefined && !byName.has(rule.field))
        issues.push({
          pointer: `${rat}/field`,
          code: 'META_UNKNOWN_FIELD',
          params: { field: rule.field, object: obj.name },
        });
      expr(rule.condition, `${rat}/condition`, 'condition');
    });
    const dupNames = new Set<string>();
    (obj.duplicateRules ?? []).forEach((rule, ri) => {
      const rat = `${at}/duplicateRules/${ri}`;
      if (dupNames.has(rule.name))
        issues.push({ pointer: `${rat}/name`, code: 'META_DUPLICATE_NAME', params: { name: rule.name } });
      dupNames.add(rule.name);
      rule.match.forEach((m, mi) => {
        const f = byName.get(m.field);
        if (!f)
          issues.push({
            pointer: `${rat}/match/${mi}/field`,
            code: 'META_UNKNOWN_FIELD',
            params: { field: m.field, object: obj.name },
          });
        else if (!DUPLICATE_TYPES.has(f.type) || (m.similarity !== undefined && !SIMILAR_TYPES.has(f.type)))
          issues.push({ pointer: `${rat}/match/${mi}`, code: 'META_DUPLICATE_MATCH' });
      });
    });
  });
}

function checkDependent(f: FieldDef, byName: Map<string, FieldDef>, at: string, issues: FieldIssue[]) {
  const bad = (p: string) => issues.push({ pointer: at + p, code: 'META_DEPENDENT_PICKLIST' });
  const ctrl = f.controllingField === undefined ? undefined : byName.get(f.controllingField);
  if (
    !ctrl ||
    ctrl.name === f.name ||
    (ctrl.type !== 'picklist' && ctrl.type !== 'boolean') ||
    !f.dependencies
  )
    return bad('/controllingField');
  const ctrlValues = ctrl.type === 'boolean' ? ['true', 'false'] : (ctrl.options ?? []).map((o) => o.value);
  const own = new Set((f.options ?? []).map((o) => o.value));
  for (const [k, allowed] of Object.entries(f.dependencies)) {
    if (!ctrlValues.includes(k)) bad(pointer('dependencies', k));
    allowed.forEach((v, i) => {
      if (!own.has(v)) bad(pointer('dependencies', k, i));
    });
  }
}

function checkSummary(f: FieldDef, objects: Map<string, ObjectDef>, at: string, issues: FieldIssue[]) {
  const s = f.summary!;
  const child = objects.get(s.object);
  if (!child) return; // reported by validate.ts
  const fields = new Map(child.fields.map((c) => [c.name, c]));
  const target = s.field === undefined ? undefined : fields.get(s.field);
  if (
    (s.fn === 'min' || s.fn === 'max') &&
    target &&
    ['date', 'datetime'].includes(fieldType(target.type).operand)
  )
    issues.push({ pointer: `${at}/summary/field`, code: 'META_ROLLUP_DATE' });
  if (s.filter !== undefined)
    issues.push(...checkFilter(s.filter, fields, child.name, `${at}/summary/filter`));
}

/** A formula may read other formulas of its object, but not (through them) itself. */
function checkFormulaCycles(obj: ObjectDef, env: ExprEnv, at: string, issues: FieldIssue[]) {
  const deps = new Map<string, string[]>();
  for (const f of obj.fields)
    if (f.type === 'formula' && f.expression !== undefined) {
      const r = checkTyped(f.expression, env, 'any');
      deps.set(
        f.name,
        [...r.refs.fields].filter((n) => obj.fields.some((x) => x.name === n && x.type === 'formula')),
      );
    }
  for (const start of deps.keys()) {
    const seen = new Set<string>();
    const find = (n: string, path: string[]): string[] | null => {
      if (n === start) return path;
      if (seen.has(n)) return null;
      seen.add(n);
      for (const d of deps.get(n) ?? []) {
        const p = find(d, [...path, d]);
        if (p) return p;
      }
      return null;
    };
    for (const d of deps.get(start) ?? []) {
      const p = find(d, [start, d]);
      if (!p) continue;
      const fi = obj.fields.findIndex((f) => f.name === start);
      issues.push({
        pointer: `${at}/fields/${fi}/expression`,
        code: 'META_FORMULA_CYCLE',
        params: { field: start, path: p.join(' → ') },
      });
      break;
    }
  }
}
