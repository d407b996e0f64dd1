import type { FieldType } from '../field-type.js';

const YMD = /^(\d{4})-(\d{2})-(\d{2})/;
// Postgres has no year 0 and our format no years past 9999.
const NO_YEAR_ZERO = '^(?!0000-)';

/** The date type's parser: 'YYYY-MM-DD' naming a real day of years 0001 to 9999. */
export function isCalendarDate(v: unknown): boolean {
  if (typeof v !== 'string' || v.length !== 10) return false;
  return startsWithCalendarDate(v);
}

function startsWithCalendarDate(v: string): boolean {
  const m = YMD.exec(v);
  if (!m) return false;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !leap(y) ? 1 : 0);
}
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;

/** The datetime type's parser: ISO 8601 with a real calendar date (years 0001 to 9999). */
export function isDateTime(v: unknown): boolean {
  if (typeof v !== 'string' || v.length > 40) return false;
  if (isCalendarDate(v)) return true; // a date alone means its midnight
  return DATE_TIME.test(v) && startsWithCalendarDate(v) && Number.isFinite(Date.parse(v.replace(' ', 'T')));
}

const toIsoDate = (raw: unknown) => {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof Date) return raw.toISOString().slice(0, 10);
  return String(raw).slice(0, 10);
};
/** Record reads hand timestamps over as ISO text already (db/timestamps.ts): kept as they are. */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const toIsoDateTime = (raw: unknown) => {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string' && ISO_UTC.test(raw)) return raw;
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
  valueSchema: () => ({ type: 'string', format: 'date', pattern: NO_YEAR_ZERO }),
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
  valueSchema: () => ({ type: 'string', format: 'date-time', pattern: NO_YEAR_ZERO }),
  operand: 'datetime',
  operators: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'isNull'],
  writable: true,
  sortable: true,
  groupable: false,
  aggregates: ['min', 'max'],
  fromDb: toIsoDateTime,
  widget: 'datetime',
};
