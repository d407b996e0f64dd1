import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import type { CompiledObject } from '../metadata/compile.js';
import { FIELD_HISTORY, OUTBOX } from '../schema-sync/ddl.js';
import { catalogOf } from './catalog.js';
import type { WriteOrigin } from './pipeline.js';

type Row = Record<string, unknown>;

/**
 * The one internal write path: changes to a record's row that are not an edit through the
 * records pipeline (roll-up and formula recalculation, recompute after a deploy) and record-level
 * side changes (record teams). Like the pipeline, every write here stores field history for
 * tracked fields and, when the object publishes change events, emits its outbox event in the
 * caller's transaction, with its origin.
 *
 * Derived values do not bump the edit `version` (a colleague logging a visit must not make your
 * edit of the deal fail with 412), but they change the record's ETag: see `entityTag`.
 * Edits made by automation, approvals or pools are edits: they go through RecordsService with
 * their origin in the Scope, not through here.
 */
export interface InternalScope {
  /** The caller's transaction, under the tenant's role. */
  trx: Knex;
  schema: Ident;
  object: CompiledObject;
  /** The user whose action caused this write (null: none, e.g. a schedule). */
  actor: string | null;
  origin: WriteOrigin;
}

/** A row the internal path changed: before and after (database columns), changed field names. */
export interface InternalChange {
  before: Row;
  after: Row;
  changed: Set<string>;
}

/** Reads and locks rows for an internal write, in id order (a fixed order: no deadlock). */
export async function lockRows(s: InternalScope, ids: string[]): Promise<Row[]> {
  if (!ids.length) return [];
  return (await s.trx
    .withSchema(s.schema)
    .table(s.object.table)
    .whereIn('id', [...ids].sort())
    .orderBy('id')
    .forNoKeyUpdate()
    .select('*')) as Row[];
}

/**
 * Writes derived values to locked rows: `set` maps columns to values or SQL expressions, one
 * for every row (one UPDATE) or one per row. Only rows whose values really changed get history
 * and an event.
 */
export async function writeDerived(
  s: InternalScope,
  rows: Row[],
  set: Record<string, unknown> | ((row: Row) => Record<string, unknown> | null),
): Promise<InternalChange[]> {
  if (!rows.length) return [];
  const t = () => s.trx.withSchema(s.schema).table(s.object.table);
  const written: Row[] = [];
  if (typeof set === 'function') {
    for (const row of rows) {
      const values = set(row);
      if (!values || !Object.keys(values).length) continue;
      const [after] = (await t()
        .where('id', row.id as string)
        .update(values)
        .returning('*')) as Row[];
      if (after) written.push(after);
    }
  } else {
    if (!Object.keys(set).length) return [];
    written.push(
      ...((await t()
        .whereIn(
          'id',
          rows.map((r) => r.id as string),
        )
        .update(set)
        .returning('*')) as Row[]),
    );
  }
  const before = new Map(rows.map((r) => [r.id as string, r]));
  const changes: InternalChange[] = [];
  for (const after of written) {
    const b = before.get(after.id as string)!;
    const changed = changedFields(s.object, b, after);
    if (changed.size) changes.push({ before: b, after, changed });
  }
  await record(s, changes, { derived: true });
  return changes;
}

/**
 * An event about a record that is not a change of its row (e.g. its team changed), stored in
 * the outbox with its origin, in the caller's transaction.
 */
export async function emitRecordEvent(
  s: InternalScope,
  recordId: string,
  type: string,
  payload: Record<string, unknown>,
): Promise<void> {
  if (!s.object.changeEvents) return;
  await s.trx
    .withSchema(s.schema)
    .table(OUTBOX)
    .insert({
      type,
      object: s.object.name,
      record_id: recordId,
      actor: s.actor,
      payload: JSON.stringify({ ...payload, origin: s.origin }),
    });
}

/** Field history of tracked fields and one `record.updated` event per changed row (if published). */
async function record(s: InternalScope, changes: InternalChange[], extra: Record<string, unknown>) {
  if (!changes.length) return;
  const o = s.object;
  const cat = catalogOf(o);
  const history = [];
  for (const c of changes)
    for (const name of c.changed) {
      const f = o.fields.get(name);
      if (!f?.def.trackHistory) continue;
      const q = cat.all.get(name)!;
      history.push({
        object_id: o.id,
        record_id: c.after.id,
        field_id: f.id,
        field: name,
        old_value: JSON.stringify(jsonOf(q.fromDb, c.before[f.column])),
        new_value: JSON.stringify(jsonOf(q.fromDb, c.after[f.column])),
        actor: s.actor,
        origin: s.origin,
      });
    }
  if (history.length) await s.trx.withSchema(s.schema).table(FIELD_HISTORY).insert(history);
  if (!o.changeEvents) return;
  await s.trx
    .withSchema(s.schema)
    .table(OUTBOX)
    .insert(
      changes.map((c) => ({
        type: 'record.updated',
        object: o.name,
        record_id: c.after.id,
        actor: s.actor,
        payload: JSON.stringify({
          changed: [...c.changed],
          version: c.after.version,
          origin: s.origin,
          ...extra,
        }),
      })),
    );
}

const jsonOf = (fromDb: ((raw: unknown) => unknown) | undefined, raw: unknown) =>
  raw === null || raw === undefined ? null : fromDb ? fromDb(raw) : raw;

/** Fields whose stored value differs between two rows, compared in their JSON form. */
function changedFields(o: CompiledObject, before: Row, after: Row): Set<string> {
  const cat = catalogOf(o);
  const out = new Set<string>();
  for (const f of o.fieldList) {
    const q = cat.all.get(f.name)!;
    const a = jsonOf(q.fromDb, before[f.column]);
    const b = jsonOf(q.fromDb, after[f.column]);
    if (a === b) continue;
    if (typeof a === 'number' || typeof b === 'number') {
      if (a !== null && b !== null && Number(a) === Number(b)) continue;
    } else if (JSON.stringify(a) === JSON.stringify(b)) continue;
    out.add(f.name);
  }
  return out;
}
