import { text as msg } from '../core/messages.js';
import { typeNames } from '../rules/index.js';
import type { FieldIssue } from '../core/errors.js';
import type { FieldDef } from '../core/model.js';
import type { FilterOp, OperandKind } from '../fields/field-type.js';
import { fieldType, withDefaults } from '../fields/registry.js';

/** The same limits as the records filter (records/filter.ts), which runs the filter later. */
const LIMITS = { depth: 10, inItems: 500, stringLength: 1000 } as const;

const UUID_OPS: readonly FilterOp[] = ['eq', 'ne', 'in', 'nin', 'isNull'];
const TIME_OPS: readonly FilterOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'isNull'];
const SYSTEM: Record<string, { operand: OperandKind; operators: readonly FilterOp[] }> = {
  id: { operand: 'uuid', operators: UUID_OPS },
  owner: { operand: 'uuid', operators: UUID_OPS },
  created_by: { operand: 'uuid', operators: UUID_OPS },
  updated_by: { operand: 'uuid', operators: UUID_OPS },
  created_at: { operand: 'datetime', operators: TIME_OPS },
  updated_at: { operand: 'datetime', operators: TIME_OPS },
  version: { operand: 'integer', operators: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] },
};

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FITS: Record<OperandKind, (x: unknown) => boolean> = {
  string: (x) => typeof x === 'string' && x.length <= LIMITS.stringLength && !x.includes('\u0000'),
  number: (x) => typeof x === 'number' && Number.isFinite(x),
  integer: (x) => Number.isInteger(x),
  boolean: (x) => typeof x === 'boolean',
  date: (x) => typeof x === 'string' && DATE.test(x),
  datetime: (x) => typeof x === 'string' && /^\d{4}-\d{2}-\d{2}/.test(x) && !Number.isNaN(Date.parse(x)),
  uuid: (x) => typeof x === 'string' && UUID.test(x),
};

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * A records-language filter stored in metadata (a roll-up's or a sharing rule's), checked at
 * deploy like an expression: every field known, every operator allowed for its type, every
 * operand of the right type, and every picklist value one of the field's options. Each problem is
 * reported at its own pointer under `at`. A filter that passes cannot fail later, when a write
 * or a read runs it.
 */
export function checkFilter(
  filter: unknown,
  fields: ReadonlyMap<string, FieldDef>,
  object: string,
  at: string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const shape = (pointer: string) => issues.push({ pointer, code: 'META_FILTER_SHAPE' });
  const node = (n: unknown, here: string, depth: number) => {
    if (depth > LIMITS.depth || !n || typeof n !== 'object' || Array.isArray(n)) return shape(here);
    for (const [key, value] of Object.entries(n)) {
      const p = `${here}/${key}`;
      if (key === 'and' || key === 'or') {
        if (!Array.isArray(value) || !value.length) shape(p);
        else value.forEach((v, i) => node(v, `${p}/${i}`, depth + 1));
      } else if (key === 'not') node(value, p, depth + 1);
      else condition(key, value, p);
    }
  };
  const condition = (name: string, value: unknown, here: string) => {
    const raw = fields.get(name);
    const def = raw && withDefaults(raw);
    const t = def ? { ...fieldType(def.type), ...fieldType(def.type).specialize?.(def) } : SYSTEM[name];
    if (!t)
      return issues.push({ pointer: here, code: 'EXPR_UNKNOWN_FIELD', params: { field: name, object } });
    const options = def?.options?.map((o) => o.value);
    const ops =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value)
        : [['eq', value] as [string, unknown]];
    if (!ops.length) shape(here);
    for (const [op, operand] of ops) {
      const p = value !== null && typeof value === 'object' && !Array.isArray(value) ? `${here}/${op}` : here;
      if (!(t.operators as readonly string[]).includes(op)) {
        issues.push({ pointer: p, code: 'EXPR_UNKNOWN_OP', params: { op, allowed: t.operators.join(', ') } });
        continue;
      }
      // a value of the field itself: of its operand type, and one of its options if it has them
      const one = (v: unknown, vp: string, kind: OperandKind = t.operand) => {
        if (!FITS[kind](v))
          return void issues.push({
            pointer: vp,
            code: 'EXPR_TYPE_MISMATCH',
            params: typeNames({ expected: kind, actual: kindOf(v) }),
          });
        if (options && kind === 'string' && !options.includes(v as string))
          issues.push({
            pointer: vp,
            code: 'EXPR_NOT_AN_OPTION',
            params: { value: String(v), options: options.join(', ') },
          });
      };
      const list = (v: unknown, vp: string, kind?: OperandKind) => {
        if (!Array.isArray(v) || !v.length || v.length > LIMITS.inItems)
          return void issues.push({
            pointer: vp,
            code: 'EXPR_TYPE_MISMATCH',
            params: {
              ...typeNames({ actual: kindOf(v) }),
              expected: msg('T_LIST_OF', { max: LIMITS.inItems }),
            },
          });
        v.forEach((x, i) => one(x, `${vp}/${i}`, kind));
      };
      switch (op as FilterOp) {
        case 'eq':
        case 'ne':
          if (operand !== null) one(operand, p);
          break;
        case 'gt':
        case 'gte':
        case 'lt':
        case 'lte':
          one(operand, p);
          break;
        case 'in':
        case 'nin':
          list(operand, p);
          break;
        case 'contains':
        case 'containsAny':
          // a multi-picklist takes one option or a list of them; a text field, a piece of text
          if (Array.isArray(operand) && options) list(operand, p, 'string');
          else if (options) one(operand, p, 'string');
          else text(operand, p);
          break;
        case 'startsWith':
          text(operand, p);
          break;
        case 'isNull':
          if (typeof operand !== 'boolean')
            issues.push({
              pointer: p,
              code: 'EXPR_TYPE_MISMATCH',
              params: typeNames({ expected: 'boolean', actual: kindOf(operand) }),
            });
          break;
      }
    }
  };
  const text = (v: unknown, p: string) => {
    if (!FITS.string(v))
      issues.push({
        pointer: p,
        code: 'EXPR_TYPE_MISMATCH',
        params: typeNames({ expected: 'string', actual: kindOf(v) }),
      });
  };
  node(filter, at, 1);
  return issues;
}
