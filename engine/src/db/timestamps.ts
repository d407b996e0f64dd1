import { types as pgliteTypes } from '@electric-sql/pglite';
import pg from 'pg';

/** Postgres's type id of `timestamptz`. */
export const TIMESTAMPTZ_OID = 1184;

/**
 * A `timestamptz` as Postgres writes it in a UTC session (`2026-11-29 01:17:34.92+00`, the
 * fraction 0–6 digits), turned into the API's ISO form (`2026-11-29T01:17:34.920Z`) with string
 * operations: milliseconds, truncated as a JS Date truncates them. Anything else — another
 * offset, a year past 9999, BC, infinity — is left to `fallback` (pg's own parser: a Date).
 * Skipping the Date and its `toISOString()` is what this is for: record reads return several
 * timestamps per row (tests/integration/timestamps.test.ts holds it to pg's parser, value by value).
 */
export function isoFromPostgres(text: string, fallback: (text: string) => unknown): string | unknown {
  const n = text.length;
  // `YYYY-MM-DD HH:MM:SS` (19) + optional `.f{1,6}` + `+00`
  if (
    n < 22 ||
    n > 29 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 32 || // space
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    !text.endsWith('+00')
  )
    return fallback(text);
  const date = text.slice(0, 10);
  const time = text.slice(11, 19);
  if (n === 22) return `${date}T${time}.000Z`;
  if (text.charCodeAt(19) !== 46 || n === 23) return fallback(text); // not `.` + digits
  const fraction = text.slice(20, n - 3);
  const ms = fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0');
  return `${date}T${time}.${ms}Z`;
}

const pgDefault = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => unknown;
const onServer = (text: string) => isoFromPostgres(text, pgDefault);

/** pg's per-query `types` for record reads: timestamptz as ISO text, every other type as usual. */
export const ISO_TIMES_PG: { getTypeParser: typeof pg.types.getTypeParser } = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID && format !== 'binary'
      ? onServer
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * PGlite's own `timestamptz` parser, for the whole instance: a Date, as pg gives on a server. Not
 * per query as on a server: PGlite merges per-query parsers over all of its own on every query
 * (a get by id alone: 193 against 137 µs of CPU, measured), far more than the Date costs.
 * Through the ISO text, because PGlite's parser (`new Date(text)`) reads the year 0099 as 1999.
 */
const pgliteDefault = pgliteTypes.parsers[TIMESTAMPTZ_OID] as (text: string) => unknown;
export function pgliteTimestamptz(text: string): unknown {
  const iso = isoFromPostgres(text, pgliteDefault);
  return typeof iso === 'string' ? new Date(iso) : iso;
}
