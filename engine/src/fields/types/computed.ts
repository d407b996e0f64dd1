import type { FieldDef } from '../../core/model.js';
import type { FieldType, FilterOp, Storage } from '../field-type.js';
import { currency, integer, number, percent } from './numeric.js';
import { boolean, date, datetime } from './scalar.js';
import { text } from './text.js';

const TEXT_OPS: readonly FilterOp[] = ['eq', 'ne', 'in', 'nin', 'contains', 'startsWith', 'isNull'];
const NUM_OPS: readonly FilterOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'];

/** `{YYYY}`, `{YY}`, `{MM}`, `{DD}` and one run of zeros such as `{0000}` (the sequence). */
export const AUTO_NUMBER_FORMAT = '^[^{}]{0,20}(\\{(YYYY|YY|MM|DD|0{1,10})\\}[^{}]{0,20}){1,6}$';

export const autoNumber: FieldType = {
  name: 'auto_number',
  label: { en: 'Auto number', 'zh-CN': '自动编号' },
  settings: { format: { type: 'string', pattern: AUTO_NUMBER_FORMAT } },
  defaults: { format: '{000000}', unique: true },
  storage: () => ({ pg: 'text' }),
  valueSchema: () => ({ type: 'string' }),
  operand: 'string',
  operators: TEXT_OPS,
  writable: false,
  sortable: true,
  groupable: false,
  aggregates: [],
  check: (f) =>
    (f.format ?? '{000000}').match(/\{0+\}/g)?.length === 1
      ? []
      : [{ pointer: '/format', code: 'META_AUTONUMBER_SEQUENCE' }],
  widget: 'readonly',
};

const RETURN_STORAGE: Record<NonNullable<FieldDef['returnType']>, Storage> = {
  text: { pg: 'text' },
  number: { pg: 'numeric', precision: 18, scale: 4 },
  integer: { pg: 'integer' },
  boolean: { pg: 'boolean' },
  date: { pg: 'date' },
  datetime: { pg: 'timestamptz' },
  currency: { pg: 'numeric', precision: 18, scale: 2 },
  percent: { pg: 'numeric', precision: 7, scale: 2 },
};

/**
 * A stored formula is a column of the type it returns: it filters, sorts, groups and aggregates
 * exactly like a field of that type (a boolean or text formula is a group key, a currency one a
 * metric), so those abilities come from that type's own registry entry.
 */
const RETURNS: Record<NonNullable<FieldDef['returnType']>, FieldType> = {
  text,
  number,
  integer,
  boolean,
  date,
  datetime,
  currency,
  percent,
};
const returned = (f: FieldDef) => RETURNS[f.returnType ?? 'text'];

/** Declared here; computed and stored by the rules layer so it can be filtered and sorted. */
export const formula: FieldType = {
  name: 'formula',
  label: { en: 'Formula', 'zh-CN': '公式' },
  settings: {
    returnType: { enum: Object.keys(RETURN_STORAGE) },
    expression: { type: ['object', 'array', 'string', 'number', 'boolean'] },
  },
  requiredSettings: ['returnType', 'expression'],
  storage: (f) => RETURN_STORAGE[f.returnType ?? 'text'],
  valueSchema: (f) => {
    const t = returned(f).operand;
    return t === 'number' || t === 'integer'
      ? { type: 'number' }
      : t === 'boolean'
        ? { type: 'boolean' }
        : { type: 'string' };
  },
  // The defaults below are those of a text formula; specialize gives every other return type's.
  operand: 'string',
  operators: TEXT_OPS,
  writable: false,
  sortable: true,
  groupable: true,
  aggregates: [],
  specialize: (f) => {
    const t = returned(f);
    return {
      operand: t.operand,
      operators: t.operators,
      groupable: t.groupable,
      aggregates: t.aggregates,
      fromDb: t.fromDb,
    };
  },
  widget: 'readonly',
};

export const rollup: FieldType = {
  name: 'rollup',
  label: { en: 'Roll-up summary', 'zh-CN': '汇总' },
  settings: {
    summary: {
      type: 'object',
      properties: {
        object: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
        via: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
        field: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
        fn: { enum: ['count', 'sum', 'min', 'max'] },
        filter: { type: 'object' },
      },
      required: ['object', 'via', 'fn'],
      additionalProperties: false,
    },
  },
  requiredSettings: ['summary'],
  storage: () => ({ pg: 'numeric', precision: 20, scale: 4 }),
  valueSchema: () => ({ type: 'number' }),
  operand: 'number',
  operators: NUM_OPS,
  writable: false,
  sortable: true,
  groupable: false,
  aggregates: ['sum', 'avg', 'min', 'max'],
  fromDb: (raw) => (raw === null || raw === undefined ? null : Number(raw)),
  widget: 'readonly',
};
