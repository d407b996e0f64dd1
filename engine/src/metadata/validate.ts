import { text as msg } from '../core/messages.js';
import { ajvIssues } from '../core/ajv.js';
import { createAjv } from '../core/ajv.js';
import { pointer, type FieldIssue } from '../core/errors.js';
import { identProblem } from '../core/ident.js';
import {
  FORMAT_VERSION,
  type FieldDef,
  type I18nText,
  type ObjectDef,
  type PackageDef,
} from '../core/model.js';
import { fieldType, withDefaults } from '../fields/registry.js';
import { expressionSize } from './expression-size.js';
import { META_LIMITS } from './limits.js';
import { validateFieldShape, validatePackageShape } from './schemas.js';
import { checkSecurity } from './validate-security.js';
import { checkRules } from './validate-rules.js';
import { checkFormatAndProcesses, checkLayouts } from './validate-layout.js';

export type ValidationResult = { ok: true; pkg: PackageDef } | { ok: false; issues: FieldIssue[] };

const defaultsAjv = createAjv();
const NAME_FIELD_TYPES = new Set(['text', 'email', 'phone', 'auto_number']);

/**
 * Validates a package: first its shape against the meta-model's JSON Schemas, then what a schema
 * cannot say (unique names, existing targets, sane settings). Every issue carries a JSON pointer.
 */
export function validatePackage(input: unknown): ValidationResult {
  if (!validatePackageShape(input)) return { ok: false, issues: ajvIssues(validatePackageShape.errors) };
  const pkg = input as PackageDef;
  const issues: FieldIssue[] = [];
  for (const [oi, obj] of pkg.objects.entries()) {
    for (const [fi, f] of obj.fields.entries()) {
      const at = pointer('objects', oi, 'fields', fi);
      const v = validateFieldShape(f.type);
      if (!v) {
        issues.push({ pointer: `${at}/type`, code: 'NOT_AN_OPTION', params: { value: f.type } });
      } else if (!v(f)) issues.push(...ajvIssues(v.errors, at));
    }
  }
  if (issues.length) return { ok: false, issues };
  checkSemantics(pkg, issues);
  checkSecurity(pkg, issues);
  checkRules(pkg, issues);
  checkLayouts(pkg, issues);
  checkFormatAndProcesses(pkg, issues);
  // A package without a format version is version 1 (made before versions existed); it is stored
  // with its version, so GET /meta and exports carry it.
  return issues.length
    ? { ok: false, issues }
    : { ok: true, pkg: { formatVersion: pkg.formatVersion ?? FORMAT_VERSION, ...pkg } };
}

function checkName(name: string, at: string, issues: FieldIssue[]) {
  const problem = identProblem(name);
  if (problem === 'pattern') issues.push({ pointer: at, code: 'META_BAD_NAME', params: { name } });
  if (problem === 'reserved') issues.push({ pointer: at, code: 'META_RESERVED_NAME', params: { name } });
}

function checkUnique<T>(
  items: T[],
  key: (t: T) => string | undefined,
  at: (i: number) => string,
  code: string,
  issues: FieldIssue[],
) {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    if (seen.has(k)) issues.push({ pointer: at(i), code, params: { name: k, id: k } });
    seen.add(k);
  });
}

function checkSemantics(pkg: PackageDef, issues: FieldIssue[]) {
  const objects = new Map(pkg.objects.map((o) => [o.name, o]));
  checkUnique(
    pkg.objects,
    (o) => o.name,
    (i) => pointer('objects', i, 'name'),
    'META_DUPLICATE_NAME',
    issues,
  );
  const allIds = [...pkg.objects.map((o) => o.id), ...pkg.objects.flatMap((o) => o.fields.map((f) => f.id))];
  checkUnique(
    allIds,
    (id) => id,
    () => '/objects',
    'META_DUPLICATE_ID',
    issues,
  );
  for (const [oi, obj] of pkg.objects.entries()) {
    const at = pointer('objects', oi);
    checkName(obj.name, `${at}/name`, issues);
    checkUnique(
      obj.fields,
      (f) => f.name,
      (i) => `${at}/fields/${i}/name`,
      'META_DUPLICATE_NAME',
      issues,
    );
    obj.fields.forEach((f, fi) => checkField(withDefaults(f), obj, objects, `${at}/fields/${fi}`, issues));
    checkIndexes(obj, at, issues);
    if (obj.nameField !== undefined) {
      const nf = obj.fields.find((f) => f.name === obj.nameField);
      if (!nf || !NAME_FIELD_TYPES.has(nf.type))
        issues.push({ pointer: `${at}/nameField`, code: 'META_NAME_FIELD' });
    }
  }
}

function checkField(
  f: FieldDef,
  obj: ObjectDef,
  objects: Map<string, ObjectDef>,
  at: string,
  issues: FieldIssue[],
) {
  const type = fieldType(f.type);
  checkName(f.name, `${at}/name`, issues);
  for (const i of type.check?.(f) ?? []) issues.push({ ...i, pointer: at + i.pointer });
  if (f.target !== undefined && !objects.has(f.target))
    issues.push({ pointer: `${at}/target`, code: 'META_UNKNOWN_TARGET', params: { target: f.target } });
  if (f.type === 'master_detail' && f.target === obj.name)
    issues.push({ pointer: `${at}/target`, code: 'META_MASTER_DETAIL_SELF' });
  if ((f.unique || f.indexed) && !type.sortable)
    issues.push({
      pointer: `${at}/${f.unique ? 'unique' : 'indexed'}`,
      code: 'META_NOT_INDEXABLE',
      params: { type: f.type },
    });
  if (f.default !== undefined) {
    if (!type.writable) {
      issues.push({
        pointer: `${at}/default`,
        code: 'META_BAD_DEFAULT',
        params: { reason: msg('R_COMPUTED_DEFAULT') },
      });
    } else {
      const v = defaultsAjv.compile(type.valueSchema(f));
      if (!v(f.default))
        issues.push({
          pointer: `${at}/default`,
          code: 'META_BAD_DEFAULT',
          params: { reason: defaultReason(v.errors) },
        });
    }
  }
  if (
    f.expression !== undefined &&
    !expressionSize(f.expression, META_LIMITS.expressionNodes, META_LIMITS.expressionDepth).ok
  )
    issues.push({
      pointer: `${at}/expression`,
      code: 'META_EXPRESSION_TOO_BIG',
      params: { nodes: META_LIMITS.expressionNodes, depth: META_LIMITS.expressionDepth },
    });
  if (f.summary) checkRollup(f, obj, objects, at, issues);
}

function checkRollup(
  f: FieldDef,
  obj: ObjectDef,
  objects: Map<string, ObjectDef>,
  at: string,
  issues: FieldIssue[],
) {
  const s = f.summary!;
  const child = objects.get(s.object);
  if (!child) {
    issues.push({
      pointer: `${at}/summary/object`,
      code: 'META_UNKNOWN_TARGET',
      params: { target: s.object },
    });
    return;
  }
  const via = child.fields.find((c) => c.name === s.via);
  if (!via || (via.type !== 'lookup' && via.type !== 'master_detail') || via.target !== obj.name)
    issues.push({
      pointer: `${at}/summary/via`,
      code: 'META_ROLLUP_VIA',
      params: { via: s.via, object: s.object },
    });
  if (s.fn !== 'count') {
    const target = child.fields.find((c) => c.name === s.field);
    const kind = target ? fieldType(target.type).operand : undefined;
    const ok =
      kind === 'number' || kind === 'integer' || (s.fn !== 'sum' && (kind === 'date' || kind === 'datetime'));
    if (!ok)
      issues.push({
        pointer: `${at}/summary/field`,
        code: 'META_ROLLUP_FIELD',
        params: { fn: s.fn, object: s.object, field: s.field ?? '' },
      });
  }
}

function checkIndexes(obj: ObjectDef, at: string, issues: FieldIssue[]) {
  const byName = new Map(obj.fields.map((f) => [f.name, f]));
  (obj.indexes ?? []).forEach((ix, ii) =>
    ix.fields.forEach((name, ni) => {
      const f = byName.get(name);
      const system = ['owner', 'created_at', 'updated_at'].includes(name);
      if (!f && !system)
        issues.push({
          pointer: `${at}/indexes/${ii}/fields/${ni}`,
          code: 'META_UNKNOWN_FIELD',
          params: { field: name, object: obj.name },
        });
      else if (f && !fieldType(f.type).sortable)
        issues.push({
          pointer: `${at}/indexes/${ii}/fields/${ni}`,
          code: 'META_NOT_INDEXABLE',
          params: { type: f.type },
        });
    }),
  );
}

/** Why a default value does not fit its field, in the reader's language (the first problem ajv found). */
function defaultReason(errors: Parameters<typeof ajvIssues>[0]): I18nText {
  const [first] = ajvIssues(errors);
  return first ? msg(first.code, first.params) : msg('R_EXPECTED_VALUE');
}
