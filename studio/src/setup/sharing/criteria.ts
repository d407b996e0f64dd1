import type { FieldDef, JsonObject, JsonValue, ObjectDef } from '../../api/types';

/** One condition of a sharing rule as the rule editor shows it: a field is one of these values. */
export interface Criterion {
  field: string;
  values: (string | boolean)[];
}

const TEXTUAL = new Set(['text', 'email', 'phone', 'url', 'auto_number']);
/** Fields a rule can name in the editor: picklists, yes/no, short texts. */
export const criterionFields = (o: ObjectDef): FieldDef[] =>
  o.fields.filter((f) => f.type === 'picklist' || f.type === 'boolean' || TEXTUAL.has(f.type));

const scalar = (v: JsonValue): v is string | boolean => typeof v === 'string' || typeof v === 'boolean';

/**
 * A filter as criteria, or null when the editor cannot show it (other operators, or/not): such a
 * rule is edited as JSON instead, never silently rewritten.
 */
export function toCriteria(filter: JsonObject, o: ObjectDef): Criterion[] | null {
  const out: Criterion[] = [];
  const usable = new Set(criterionFields(o).map((f) => f.name));
  for (const [field, cond] of Object.entries(filter)) {
    if (!usable.has(field)) return null;
    if (scalar(cond)) out.push({ field, values: [cond] });
    else if (cond && typeof cond === 'object' && !Array.isArray(cond)) {
      const keys = Object.keys(cond);
      if (keys.length !== 1) return null;
      const v = cond[keys[0]];
      if (keys[0] === 'eq' && scalar(v)) out.push({ field, values: [v] });
      else if (keys[0] === 'in' && Array.isArray(v) && v.length && v.every(scalar))
        out.push({ field, values: v as (string | boolean)[] });
      else return null;
    } else return null;
  }
  return out;
}

/** Criteria as the engine's filter (keys at one level are ANDed). */
export function toFilter(criteria: Criterion[]): JsonObject {
  const f: JsonObject = {};
  for (const c of criteria)
    if (c.field && c.values.length)
      f[c.field] = c.values.length === 1 ? { eq: c.values[0] } : { in: c.values };
  return f;
}
