import type { JsonValue } from '../../api/types';

/** One row of the simple condition builder: field, comparison, value. */
export interface ConditionRow {
  field: string;
  op: ConditionOp;
  value: JsonValue;
}
export type ConditionOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'filled' | 'empty';
export const OPS: ConditionOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'filled', 'empty'];
export interface Conditions {
  match: 'all' | 'any';
  rows: ConditionRow[];
}

const LOGIC: Partial<Record<ConditionOp, string>> = {
  eq: '==',
  ne: '!=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};
const FROM_LOGIC = Object.fromEntries(Object.entries(LOGIC).map(([k, v]) => [v, k])) as Record<
  string,
  ConditionOp
>;

type Obj = Record<string, JsonValue>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const one = (v: unknown): [string, JsonValue] | null =>
  isObj(v) && Object.keys(v).length === 1 ? Object.entries(v)[0] : null;

/** Rows as json-logic (the rules language of gate conditions). */
export function toLogic(c: Conditions): JsonValue {
  const parts = c.rows.map((r): JsonValue => {
    const v = { var: r.field };
    if (r.op === 'filled') return { '!!': [v] };
    if (r.op === 'empty') return { '!': [v] };
    return { [LOGIC[r.op]!]: [v, r.value] };
  });
  if (parts.length === 1) return parts[0];
  return { [c.match === 'all' ? 'and' : 'or']: parts };
}

/** json-logic back into rows, or null when it is more than the simple builder shows. */
export function fromLogic(x: JsonValue | undefined): Conditions | null {
  if (x === undefined || x === null) return { match: 'all', rows: [] };
  const top = one(x);
  if (!top) return null;
  const [op, args] = top;
  const list = (op === 'and' || op === 'or') && Array.isArray(args) ? args : [x];
  const rows: ConditionRow[] = [];
  for (const part of list) {
    const p = one(part);
    if (!p || !Array.isArray(p[1])) return null;
    const [o, a] = p as [string, JsonValue[]];
    const field = one(a[0]);
    if (!field || field[0] !== 'var' || typeof field[1] !== 'string') return null;
    if (o === '!!' && a.length === 1) rows.push({ field: field[1], op: 'filled', value: null });
    else if (o === '!' && a.length === 1) rows.push({ field: field[1], op: 'empty', value: null });
    else if (FROM_LOGIC[o] && a.length === 2 && !isObj(a[1]) && !Array.isArray(a[1]))
      rows.push({ field: field[1], op: FROM_LOGIC[o], value: a[1] });
    else return null;
  }
  return { match: op === 'or' ? 'any' : 'all', rows };
}

/** Rows as a records-language filter (related records' `filter`): always all of them. */
export function toFilter(c: Conditions): JsonValue | undefined {
  const parts = c.rows.map((r): Obj => {
    if (r.op === 'filled') return { [r.field]: { isNull: false } };
    if (r.op === 'empty') return { [r.field]: { isNull: true } };
    return { [r.field]: { [r.op]: r.value } };
  });
  if (!parts.length) return undefined;
  return parts.length === 1 ? parts[0] : { and: parts };
}

/** A records-language filter back into rows, or null when the builder cannot show it. */
export function fromFilter(x: JsonValue | undefined): Conditions | null {
  if (x === undefined || x === null) return { match: 'all', rows: [] };
  if (!isObj(x)) return null;
  const list = Object.keys(x).length === 1 && Array.isArray(x.and) ? x.and : [x];
  const rows: ConditionRow[] = [];
  for (const part of list) {
    if (!isObj(part)) return null;
    for (const [field, cond] of Object.entries(part)) {
      if (['and', 'or', 'not'].includes(field)) return null;
      if (!isObj(cond)) {
        rows.push({ field, op: 'eq', value: cond });
        continue;
      }
      for (const [op, value] of Object.entries(cond)) {
        if (op === 'isNull') rows.push({ field, op: value ? 'empty' : 'filled', value: null });
        else if ((OPS as string[]).includes(op)) rows.push({ field, op: op as ConditionOp, value });
        else return null;
      }
    }
  }
  return { match: 'all', rows };
}
