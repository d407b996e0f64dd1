import { lazyAjv } from '../../core/ajv.js';
import type { FieldIssue } from '../../core/errors.js';
import type { JsonValue, ObjectDef } from '../../core/model.js';
import { fieldType, withDefaults } from '../../fields/registry.js';

const ajv = lazyAjv();

/** Literal values an action writes: each field exists, can be written, and takes the value. */
export function checkValues(
  o: ObjectDef,
  values: Record<string, JsonValue>,
  at: string,
  except: ReadonlySet<string> = new Set(),
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [name, value] of Object.entries(values)) {
    const p = `${at}/${name}`;
    if (except.has(name)) continue;
    const raw = o.fields.find((f) => f.name === name);
    if (!raw) {
      issues.push({ pointer: p, code: 'META_UNKNOWN_FIELD', params: { field: name, object: o.name } });
      continue;
    }
    const f = withDefaults(raw);
    const t = fieldType(f.type);
    if (!t.writable) {
      issues.push({ pointer: p, code: 'APPROVAL_FIELD_NOT_WRITABLE', params: { field: f.label } });
      continue;
    }
    const v = ajv().compile(t.valueSchema(f));
    if (!v(value))
      issues.push({
        pointer: p,
        code: 'META_BAD_DEFAULT',
        params: { reason: (v.errors ?? []).map((e) => e.message).join('; ') },
      });
  }
  return issues;
}
