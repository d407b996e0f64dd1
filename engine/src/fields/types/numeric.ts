import type { FieldDef } from '../../core/model.js';
import type { FieldType, FilterOp, JsonSchema } from '../field-type.js';

const NUM_OPS: readonly FilterOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'];
const toNumber = (raw: unknown) => (raw === null || raw === undefined ? null : Number(raw));

const precisionSettings: Record<string, JsonSchema> = {
  precision: { type: 'integer', minimum: 1, maximum: 38 },
  scale: { type: 'integer', minimum: 0, maximum: 18 },
  min: { type: 'number' },
  max: { type: 'number' },
};

/** The largest magnitude (exclusive) a numeric(precision, scale) column holds. */
export const numericLimit = (s: { precision?: number; scale?: number }) =>
  10 ** ((s.precision ?? 18) - (s.scale ?? 2));

/**
 * A numeric(precision, scale) column holds magnitudes below 10^(precision - scale). The bound is
 * exclusive: "10^16 - 0.01" is 10^16 as a double, so an inclusive maximum would let 10^16 through.
 */
function decimalSchema(f: FieldDef): JsonSchema {
  const limit = numericLimit(f);
  return {
    type: 'number',
    exclusiveMinimum: -limit,
    exclusiveMaximum: limit,
    ...(f.min === undefined ? {} : { minimum: f.min }),
    ...(f.max === undefined ? {} : { maximum: f.max }),
    'x-scale': f.scale ?? 2,
  };
}

function checkPrecision(f: FieldDef) {
  const p = f.precision ?? 18;
  const s = f.scale ?? 2;
  const issues = [];
  if (s > p)
    issues.push({ pointer: '/scale', code: 'META_SCALE_GT_PRECISION', params: { scale: s, precision: p } });
  if (f.min !== undefined && f.max !== undefined && f.min > f.max)
    issues.push({ pointer: '/min', code: 'META_MIN_GT_MAX', params: {} });
  return issues;
}

function decimal(
  name: 'number' | 'currency' | 'percent',
  label: FieldType['label'],
  defaults: Partial<FieldDef>,
  extraSettings: Record<string, JsonSchema>,
  widget: string,
): FieldType {
  return {
    name,
    label,
    settings: { ...precisionSettings, ...extraSettings },
    defaults,
    storage: (f) => ({ pg: 'numeric', precision: f.precision ?? 18, scale: f.scale ?? 2 }),
    valueSchema: decimalSchema,
    operand: 'number',
    operators: NUM_OPS,
    writable: true,
    sortable: true,
    groupable: false,
    aggregates: ['sum', 'avg', 'min', 'max'],
    check: checkPrecision,
    fromDb: toNumber,
    widget,
  };
}

export const number = decimal(
  'number',
  { en: 'Number', 'zh-CN': '数字' },
  { precision: 18, scale: 2 },
  {},
  'number',
);
export const currency = decimal(
  'currency',
  { en: 'Currency', 'zh-CN': '金额' },
  { precision: 18, scale: 2, currencyCode: 'CNY' },
  { currencyCode: { type: 'string', pattern: '^[A-Z]{3}$' } },
  'currency',
);
// Percent values are stored as shown: 35.5 means 35.5 %.
export const percent = decimal(
  'percent',
  { en: 'Percent', 'zh-CN': '百分比' },
  { precision: 5, scale: 2 },
  {},
  'percent',
);

/** A Postgres integer column. */
export const INT32 = { min: -2_147_483_648, max: 2_147_483_647 } as const;
const INT_MAX = INT32.max;
export const integer: FieldType = {
  name: 'integer',
  label: { en: 'Integer', 'zh-CN': '整数' },
  settings: { min: { type: 'integer' }, max: { type: 'integer' } },
  storage: () => ({ pg: 'integer' }),
  valueSchema: (f) => ({
    type: 'integer',
    minimum: Math.max(f.min ?? -INT_MAX - 1, -INT_MAX - 1),
    maximum: Math.min(f.max ?? INT_MAX, INT_MAX),
  }),
  operand: 'integer',
  operators: NUM_OPS,
  writable: true,
  sortable: true,
  groupable: true,
  aggregates: ['sum', 'avg', 'min', 'max'],
  check: (f) =>
    f.min !== undefined && f.max !== undefined && f.min > f.max
      ? [{ pointer: '/min', code: 'META_MIN_GT_MAX' }]
      : [],
  widget: 'integer',
};
