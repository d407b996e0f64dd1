import type { Knex } from 'knex';
import { directQueryOf, isoTimes, prepared } from '../db/tenant-sessions.js';

type Row = Record<string, unknown>;

/**
 * The SQL text of a one-record statement depends only on its shape (object, columns, the
 * caller's row-access predicate, which checks apply), not on its values. knex builds and compiles
 * it once per shape, with a placeholder marking each value's slot; every run binds the values into
 * the same text. Shapes hang off the compiled object, so they go with its metadata version.
 */
export interface Shape {
  /** With `?` placeholders, for knex. */
  sql: string;
  /** With `$n` placeholders, for a direct query on the connection. */
  native: string;
  bindings: readonly Knex.Value[];
  /** For each binding, the slot of the value that replaces it, or -1 to keep it. */
  slots: readonly number[];
}

// Postgres text cannot hold NUL, so no real value can look like a slot.
const SLOT = '\u0000slot:';
export const slot = (i: number) => SLOT + i;

const shapes = new WeakMap<object, WeakMap<object, Map<string, Shape>>>();

/** The shape of `key` for (owner, policy), built by `build` the first time. */
export function shapeOf(
  owner: object,
  policy: object,
  key: string,
  build: () => Knex.QueryBuilder | Knex.Raw,
): Shape {
  let perPolicy = shapes.get(owner);
  if (!perPolicy) shapes.set(owner, (perPolicy = new WeakMap()));
  let perKey = perPolicy.get(policy);
  if (!perKey) perPolicy.set(policy, (perKey = new Map()));
  let s = perKey.get(key);
  if (!s) {
    const compiled = build().toSQL();
    const { sql, bindings } = compiled;
    const native = compiled.toNative().sql;
    const slots = bindings.map((b) =>
      typeof b === 'string' && b.startsWith(SLOT) ? Number(b.slice(SLOT.length)) : -1,
    );
    perKey.set(key, (s = { sql, native, bindings, slots }));
  }
  return s;
}

/** The shape's bindings with this run's values in their slots. */
export const bindShape = (s: Shape, values: readonly unknown[]): Knex.Value[] =>
  s.bindings.map((b, i) => (s.slots[i] < 0 ? b : (values[s.slots[i]] as Knex.Value)));

/**
 * Runs a shape with this run's values as a prepared statement, straight on the session's
 * connection (through knex outside a session). Its rows; `o.isoTimes`: a record read, whose
 * timestamps come back as the API's ISO text (see isoTimes).
 */
export async function runShape(
  db: Knex,
  s: Shape,
  values: readonly unknown[],
  o: { isoTimes?: boolean } = {},
): Promise<Row[]> {
  const bindings = bindShape(s, values);
  const direct = directQueryOf(db);
  if (direct) return direct(s.native, bindings, o.isoTimes);
  const q = prepared(db.raw(s.sql, bindings));
  return ((await (o.isoTimes ? isoTimes(q) : q)) as { rows: Row[] }).rows;
}
