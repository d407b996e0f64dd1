import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import type { CompiledField, CompiledModel, CompiledObject } from '../metadata/compile.js';
import type { AccessPolicy } from '../records/access.js';
import { catalogOf, rowToRecord } from '../records/catalog.js';
import { isUuid } from '../records/read.js';
import { evalData, exprTypeOf, isBlank, type EvalData } from '../rules/index.js';

// Building an Intl.DateTimeFormat costs ~100 µs: one per time zone, made once.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** 'YYYY-MM-DD' of `now` in a time zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  let f = dayFormats.get(timeZone);
  if (!f)
    dayFormats.set(
      timeZone,
      (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })),
    );
  return f.format(now);
}

/** A stored row as the expression sees it: the API's JSON form (numbers as numbers, dates as strings). */
export const asJson = (o: CompiledObject, row: Record<string, unknown> | null | undefined) =>
  row ? (rowToRecord(catalogOf(o), row) as Record<string, unknown>) : null;

export type LockMode = 'none' | 'share' | 'no key update';

/**
 * Loads the records that expressions read through lookups (`account.region`), for many records
 * at once: one query per lookup field. Rows may be locked so a concurrent change of the
 * looked-up record waits for this write (and then recomputes what depends on it).
 *
 * With `as`, the records are read as that caller would read them: a record they may not see is
 * null, a field they may not read is null. Values a writer's expression copies into a field of
 * their own (computed defaults) must not carry what they could not read themselves.
 */
export async function loadLookups(
  trx: Knex,
  schema: Ident,
  model: CompiledModel,
  o: CompiledObject,
  lookups: Map<string, Set<string>>,
  records: Record<string, unknown>[],
  lock: (target: string) => LockMode = () => 'none',
  as?: AccessPolicy,
): Promise<Record<string, Record<string, unknown> | null>[]> {
  const out = records.map(() => ({}) as Record<string, Record<string, unknown> | null>);
  for (const lk of lookups.keys()) {
    const f = o.fields.get(lk)!;
    const target = model.objects.get(f.storage.references!.object)!;
    // Before validation (computed defaults) a lookup may still hold anything: only ids are looked up.
    const ids = [
      ...new Set(records.map((r) => r[lk]).filter((v): v is string => typeof v === 'string' && isUuid(v))),
    ].sort();
    const byId = new Map<string, Record<string, unknown>>();
    if (ids.length && (!as || as.can(target, 'read'))) {
      const q = trx.withSchema(schema).from(target.table).whereIn('id', ids).select('*').orderBy('id');
      if (as) as.scopeRead(q, target, (n) => `${target.table}.${n}`);
      const mode = lock(target.name);
      if (mode === 'share') q.forShare();
      else if (mode === 'no key update') q.forNoKeyUpdate();
      const readable = as?.readable(target);
      for (const row of (await q) as Record<string, unknown>[]) {
        const rec = asJson(target, row)!;
        if (readable) for (const tf of target.fieldList) if (!readable.has(tf.name)) rec[tf.name] = null;
        byId.set(row.id as string, rec);
      }
    }
    records.forEach(
      (r, i) => (out[i][lk] = typeof r[lk] === 'string' ? (byId.get(r[lk] as string) ?? null) : null),
    );
  }
  return out;
}

export function dataFor(
  record: Record<string, unknown>,
  before: Record<string, unknown> | null,
  userId: string | null,
  today: string,
  now: string,
  lookups?: Record<string, Record<string, unknown> | null>,
): EvalData {
  return evalData({ record, before, userId, today, now, lookups });
}

/** A computed value shaped for the field's column: rounded to its scale, null when it does not fit. */
export function coerce(f: CompiledField, v: unknown): unknown {
  if (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v))) return null;
  const t = exprTypeOf(f.def);
  const { precision, scale } = f.storage;
  switch (t) {
    case 'number': {
      const n =
        typeof v === 'number'
          ? v
          : typeof v === 'string' && v.trim() !== ''
            ? Number(v)
            : typeof v === 'boolean'
              ? Number(v)
              : NaN;
      if (!Number.isFinite(n)) return null;
      const s = f.storage.pg === 'integer' ? 0 : (scale ?? 4);
      const r = Math.round(n * 10 ** s) / 10 ** s;
      const limit = f.storage.pg === 'integer' ? 2 ** 31 : 10 ** ((precision ?? 18) - s);
      return Math.abs(r) < limit ? r : null;
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : typeof v === 'string' || typeof v === 'number' ? !!v : null;
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
    case 'datetime':
      return typeof v === 'string' && Number.isFinite(Date.parse(v))
        ? new Date(Date.parse(v)).toISOString()
        : null;
    case 'array':
      return Array.isArray(v) ? v.map(String) : null;
    default: {
      if (typeof v === 'object') return null;
      const s = String(v);
      return isBlank(s) ? null : s.slice(0, 10_000);
    }
  }
}

/** Same value for rules' purposes (numbers compare as numbers, blanks are equal). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isBlank(a) && isBlank(b)) return true;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return JSON.stringify(a) === JSON.stringify(b);
}
