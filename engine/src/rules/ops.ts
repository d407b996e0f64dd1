import jsonLogic from 'json-logic-js';
import { safeRegexTest } from './regex.js';

/**
 * Operations business rules need and json-logic lacks. Registered once, at module load, in
 * json-logic's global table. Every operation is total: bad input gives null, never a throw.
 * Dates are 'YYYY-MM-DD' strings, datetimes ISO-8601 strings (as the records API returns them).
 */

/** Where operations find the evaluation context; a symbol key, so no `var` path can reach it. */
export const CTX = Symbol('rules.context');
export interface EvalContext {
  today: string;
  now: string;
  before: Record<string, unknown> | null;
}
type Data = Record<string | symbol, unknown> & { [CTX]?: EvalContext };

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})/;
const DAY = 86_400_000;

export const isBlank = (v: unknown) =>
  v === null ||
  v === undefined ||
  (typeof v === 'string' && v.trim() === '') ||
  (Array.isArray(v) && v.length === 0);

/** Epoch days of a date or the UTC date of a datetime; null when not a date. */
function epochDays(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = DATE_RE.exec(v);
  if (!m) return null;
  const t = v.length > 10 ? Date.parse(v) : Date.UTC(+m[1], +m[2] - 1, +m[3]);
  return Number.isFinite(t) ? Math.floor(t / DAY) : null;
}
const fromEpochDays = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);
const isDateTime = (v: unknown) => typeof v === 'string' && v.length > 10 && DATE_RE.test(v);
const ymd = (v: unknown): [number, number, number] | null => {
  const d = epochDays(v);
  if (d === null) return null;
  const s = fromEpochDays(d);
  return [+s.slice(0, 4), +s.slice(5, 7), +s.slice(8, 10)];
};
const fmt = (y: number, m: number, d: number) => fromEpochDays(Math.floor(Date.UTC(y, m - 1, d) / DAY));
const num = (v: unknown): number | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
};
const same = (a: unknown, b: unknown) => {
  if (isBlank(a) && isBlank(b)) return true;
  if (typeof a === 'number' || typeof b === 'number') return num(a) === num(b);
  return JSON.stringify(a) === JSON.stringify(b);
};

function total<A extends unknown[]>(fn: (this: Data, ...args: A) => unknown) {
  return function (this: Data, ...args: A) {
    try {
      const r = fn.apply(this, args);
      return r === undefined || (typeof r === 'number' && !Number.isFinite(r)) ? null : r;
    } catch {
      return null;
    }
  };
}

export const CUSTOM_OPS: Record<string, (this: Data, ...args: never[]) => unknown> = {
  today: total(function (this: Data) {
    return this[CTX]?.today ?? new Date().toISOString().slice(0, 10);
  }),
  now: total(function (this: Data) {
    return this[CTX]?.now ?? new Date().toISOString();
  }),
  add_days: total((d: unknown, n: unknown) => {
    const k = num(n);
    if (k === null) return null;
    if (isDateTime(d)) return new Date(Date.parse(d as string) + k * DAY).toISOString();
    const e = epochDays(d);
    return e === null ? null : fromEpochDays(e + Math.trunc(k));
  }),
  add_months: total((d: unknown, n: unknown) => {
    const p = ymd(d);
    const k = num(n);
    if (!p || k === null) return null;
    const months = p[0] * 12 + (p[1] - 1) + Math.trunc(k);
    const y = Math.floor(months / 12);
    const m = (months % 12) + 1;
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return fmt(y, m, Math.min(p[2], last));
  }),
  days_between: total((a: unknown, b: unknown) => {
    const x = epochDays(a);
    const y = epochDays(b);
    return x === null || y === null ? null : y - x;
  }),
  start_of_month: total((d: unknown) => {
    const p = ymd(d);
    return p && fmt(p[0], p[1], 1);
  }),
  end_of_month: total((d: unknown) => {
    const p = ymd(d);
    return p && fmt(p[0], p[1] + 1, 0);
  }),
  start_of_quarter: total((d: unknown) => {
    const p = ymd(d);
    return p && fmt(p[0], Math.floor((p[1] - 1) / 3) * 3 + 1, 1);
  }),
  start_of_year: total((d: unknown) => {
    const p = ymd(d);
    return p && fmt(p[0], 1, 1);
  }),
  year: total((d: unknown) => ymd(d)?.[0] ?? null),
  month: total((d: unknown) => ymd(d)?.[1] ?? null),
  length: total((s: unknown) =>
    Array.isArray(s) ? s.length : s === null || s === undefined ? 0 : [...String(s)].length,
  ),
  trim: total((s: unknown) => (s === null || s === undefined ? null : String(s).trim())),
  upper: total((s: unknown) => (s === null || s === undefined ? null : String(s).toUpperCase())),
  lower: total((s: unknown) => (s === null || s === undefined ? null : String(s).toLowerCase())),
  regex_test: total((s: unknown, pattern: unknown, flags: unknown) => safeRegexTest(s, pattern, flags ?? '')),
  coalesce: total((...xs: unknown[]) => xs.find((x) => !isBlank(x)) ?? null),
  is_blank: total((x: unknown) => isBlank(x)),
  round: total((x: unknown, digits: unknown) => {
    const v = num(x);
    const d = Math.max(0, Math.min(10, Math.trunc(num(digits) ?? 0)));
    if (v === null) return null;
    const f = 10 ** d;
    return Math.round((v + Number.EPSILON * Math.sign(v)) * f) / f;
  }),
  abs: total((x: unknown) => {
    const v = num(x);
    return v === null ? null : Math.abs(v);
  }),
  changed: total(function (this: Data, name: unknown) {
    if (typeof name !== 'string') return null;
    const before = this[CTX]?.before;
    const now = Object.prototype.hasOwnProperty.call(this, name) ? this[name] : null;
    if (!before) return !isBlank(now);
    return !same(now, before[name]);
  }),
};

let registered = false;
/** Registers the custom operations in json-logic's global table (idempotent). */
export function registerOperations(): void {
  if (registered) return;
  for (const [name, fn] of Object.entries(CUSTOM_OPS))
    jsonLogic.add_operation(name, fn as (...args: unknown[]) => unknown);
  // json-logic's `log` writes to the console: never reachable from metadata.
  jsonLogic.rm_operation('log');
  registered = true;
}
registerOperations();
