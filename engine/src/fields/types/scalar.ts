import type { FieldType } from '../field-type.js';

const toIsoDate = (raw: unknown) => {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof Date) return raw.toISOString().slice(0, 10);
  return String(raw).slice(0, 10);
};
const toIsoDateTime = (raw: unknown) => {
  if (raw === null || raw === undefined) return null;
  return (raw instanceof Date ? raw : new Date(String(raw))).toISOString();
};

export const boolean: FieldType = {
  name: 'boolean',
  label: { en: 'Checkbox', 'zh-CN': '复选框' },
  settings: {},
  storage: () => ({ pg: 'boolean' }),
  valueSchema: () => ({ type: 'boolean' }),
  operand: 'boolean',
  operators: ['eq', 'ne', 'isNull'],
  writable: true,
  sortable: true,
  groupable: true,
  aggregates: [],
  widget: 'switch',
};

export const date: FieldType = {
  name: 'date',
  label: { en: 'Date', 'zh-CN': '日期' },
  settings: {},
  storage: () => ({ pg: 'date' }),
  valueSchema: () => ({ type: 'string', format: 'date' }),
  operand: 'date',
  operators: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'],
  writable: true,
  sortable: true,
  groupable: true,
  aggregates: ['min', 'max'],
  fromDb: toIsoDate,
  widget: 'date',
};

export const datetime: FieldType = {
  name: 'datetime',
  label: { en: 'Date and time', 'zh-CN': '日期时间' },
  settings: {},
  storage: () => ({ pg: 'timestamptz' }),
  valueSchema: () => ({ type: 'string', format: 'date-time' }),
  operand: 'datetime',
  operators: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'isNull'],
  writable: true,
  sortable: true,
  groupable: false,
  aggregates: ['min', 'max'],
  fromDb: toIsoDateTime,
  widget: 'datetime',
};
