import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import type { CompiledField } from '../metadata/compile.js';
import { SEQUENCES } from '../schema-sync/ddl.js';

// Building an Intl.DateTimeFormat costs ~100 µs: one per time zone, made once.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The date part of a format (its period: numbers restart when it changes) and the zero run. */
export function formatParts(format: string, now: Date, timeZone: string) {
  let f = dayFormats.get(timeZone);
  if (!f)
    dayFormats.set(
      timeZone,
      (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })),
    );
  const parts = Object.fromEntries(f.formatToParts(now).map((p) => [p.type, p.value]));
  const date: Record<string, string> = {
    YYYY: parts.year,
    YY: parts.year.slice(2),
    MM: parts.month,
    DD: parts.day,
  };
  const period = (format.match(/\{(YYYY|YY|MM|DD)\}/g) ?? []).map((t) => date[t.slice(1, -1)]).join('');
  return { date, period };
}

export function renderNumber(format: string, date: Record<string, string>, n: number): string {
  return format.replace(/\{(YYYY|YY|MM|DD|0+)\}/g, (_, t: string) =>
    t.startsWith('0') ? String(n).padStart(t.length, '0') : date[t],
  );
}

/**
 * Reserves `count` numbers for a field in one autocommitted statement, before the write's
 * transaction: concurrent writers never wait on each other, and a rolled-back write leaves a gap.
 */
export async function reserveNumbers(
  db: Knex,
  schema: Ident,
  f: CompiledField,
  count: number,
  timeZone: string,
  now = new Date(),
) {
  const format = f.def.format ?? '{000000}';
  const { date, period } = formatParts(format, now, timeZone);
  const rows = await db
    .withSchema(schema)
    .table(SEQUENCES)
    .insert({ field_id: f.id, period, value: count })
    .onConflict(['field_id', 'period'])
    .merge({ value: db.raw('?? + ?', [`${SEQUENCES}.value`, count]) })
    .returning('value');
  const last = Number((rows[0] as { value: number }).value);
  return Array.from({ length: count }, (_, i) => renderNumber(format, date, last - count + 1 + i));
}
