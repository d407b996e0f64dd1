import type { FieldDef } from '../api/types';

/** What a filter control holds, per kind of control. */
export type FilterValue =
  | { kind: 'options'; values: string[] }
  | { kind: 'range'; from: number | string | null; to: number | string | null }
  | { kind: 'text'; text: string }
  | { kind: 'bool'; value: boolean | null }
  | { kind: 'lookup'; id: string | null };

export type FilterKind = FilterValue['kind'];

const TEXT = new Set(['text', 'textarea', 'email', 'phone', 'url', 'auto_number', 'rich_text']);
const NUMERIC = new Set(['integer', 'number', 'currency', 'percent', 'rollup']);

/** The control a field type gets in the filter panel, or null when it cannot be filtered there. */
export function filterKindOf(f: FieldDef): FilterKind | null {
  if (f.type === 'picklist' || f.type === 'multi_picklist') return 'options';
  if (f.type === 'date' || f.type === 'datetime' || NUMERIC.has(f.type)) return 'range';
  if (f.type === 'boolean') return 'bool';
  if (f.type === 'lookup' || f.type === 'master_detail' || f.type === 'user') return 'lookup';
  if (TEXT.has(f.type)) return 'text';
  return null;
}

export function emptyFilter(f: FieldDef): FilterValue | null {
  switch (filterKindOf(f)) {
    case 'options':
      return { kind: 'options', values: [] };
    case 'range':
      return { kind: 'range', from: null, to: null };
    case 'bool':
      return { kind: 'bool', value: null };
    case 'lookup':
      return { kind: 'lookup', id: null };
    case 'text':
      return { kind: 'text', text: '' };
    default:
      return null;
  }
}

const blank = (v: unknown) => v === null || v === undefined || v === '';

/** One field's condition in the engine's filter language, or null when the control is empty. */
export function conditionOf(f: FieldDef, v: FilterValue): Record<string, unknown> | null {
  switch (v.kind) {
    case 'options':
      if (!v.values.length) return null;
      return { [f.name]: f.type === 'multi_picklist' ? { containsAny: v.values } : { in: v.values } };
    case 'range': {
      const op: Record<string, unknown> = {};
      const conv = (x: number | string) =>
        f.type === 'datetime' && typeof x === 'string' && x.length === 10 ? `${x}T00:00:00Z` : x;
      if (!blank(v.from)) op.gte = conv(v.from!);
      if (!blank(v.to))
        op[f.type === 'datetime' ? 'lt' : 'lte'] =
          f.type === 'datetime' && typeof v.to === 'string' && v.to.length === 10 ? nextDay(v.to) : v.to;
      return Object.keys(op).length ? { [f.name]: op } : null;
    }
    case 'bool':
      return v.value === null ? null : { [f.name]: { eq: v.value } };
    case 'lookup':
      return v.id ? { [f.name]: { eq: v.id } } : null;
    case 'text':
      return v.text.trim()
        ? {
            [f.name]:
              f.type === 'rich_text' || f.type === 'textarea'
                ? { contains: v.text.trim() }
                : { contains: v.text.trim() },
          }
        : null;
  }
}

function nextDay(d: string): string {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString();
}

/** The whole panel as one filter: every non-empty condition, AND-ed; undefined when empty. */
export function buildFilter(
  fields: FieldDef[],
  values: Record<string, FilterValue>,
): Record<string, unknown> | undefined {
  const conds = fields
    .map((f) => (values[f.name] ? conditionOf(f, values[f.name]) : null))
    .filter((c): c is Record<string, unknown> => !!c);
  if (!conds.length) return undefined;
  return conds.length === 1 ? conds[0] : { and: conds };
}

/** Active conditions count, for the badge on the Filters button. */
export const activeCount = (fields: FieldDef[], values: Record<string, FilterValue>) =>
  fields.filter((f) => values[f.name] && conditionOf(f, values[f.name])).length;
