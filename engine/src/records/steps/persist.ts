import type { Knex } from 'knex';
import { DomainError, type FieldIssue } from '../../core/errors.js';
import { fromPgError } from '../../db/pg-errors.js';
import { isoTimes } from '../../db/tenant-sessions.js';
import { runShape, shapeOf, slot } from '../statement-shapes.js';
import type { CompiledObject } from '../../metadata/compile.js';
import type { Ident } from '../../core/ident.js';
import { canUnnest, OUTBOX, unnestInsert } from '../../schema-sync/ddl.js';
import { fkName } from '../../schema-sync/names.js';
import { arrayLiteral } from '../../db/array-literal.js';
import { WriteConflict, type RecordStep, type WriteContext, type WriteItem } from '../pipeline.js';

/**
 * Field values → column values (the same names today; kept apart so physical names may differ),
 * then the engine columns a process step set (business type, stage entry).
 */
function toColumns(o: CompiledObject, item: WriteItem) {
  const row: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(item.values)) row[columnOf(o, name)] = v === undefined ? null : v;
  if (item.system) for (const [column, v] of Object.entries(item.system)) row[column] = v ?? null;
  return row;
}

/** The column of a value's name: `owner` is the one system field a write may set (a transfer: see steps/owner.ts). */
const columnOf = (o: CompiledObject, name: string) =>
  name === 'owner' ? 'owner' : o.fields.get(name)!.column;

const pgOf = (o: CompiledObject, column: string) =>
  o.fieldList.find((f) => f.column === column)?.storage.pg ??
  o.processColumns.find((c) => c.name === column)!.pg;

// The record's own outbox event is written by the statement that writes the row: one round trip,
// and atomic even when the write runs without a transaction. Only objects that publish change
// events (CompiledObject.changeEvents) write one.
const EVENT =
  "insert into ??.?? (type, object, record_id, actor, payload) select ?, ?, _w.id, ?, jsonb_build_object('origin', ?::text) from _w";
const UPDATE_EVENT =
  "insert into ??.?? (type, object, record_id, actor, payload) select ?, ?, _w.id, ?, jsonb_build_object('changed', ?::jsonb, 'version', _w.version, 'origin', ?::text) from _w";

type Row = Record<string, unknown>;

/** A write and, if its object publishes change events, its outbox insert: one statement, the written rows. */
function withEvent(ctx: WriteContext, write: Knex.QueryBuilder | Knex.Raw, event: () => Knex.Raw) {
  const w = ctx.trx.with('_w', write);
  return (ctx.object.changeEvents ? w.with('_e', event()) : w).select('*').from('_w');
}

/**
 * Writes the items: one multi-row INSERT for creates, one UPDATE per changed record, one DELETE,
 * each with its outbox events. Without locks (`ctx.locked` false), an update or delete applies
 * only to the version load-before read, and a lost race throws WriteConflict. The written rows
 * (`item.after`) hold their timestamptz columns as the API's ISO text on a server (isoTimes), as
 * record reads do: the steps after persist read them through the catalog (asJson, rowToRecord),
 * which takes either form.
 */
export const persist: RecordStep = {
  name: 'persist',
  // Without the stored row (blind), its checks go into the UPDATE: see blindChecks.
  needsBefore: () => false,
  needsTransaction: (ctx) => {
    const ops = new Set(ctx.items.map((i) => i.op));
    return ops.size > 1 || (!ops.has('create') && ctx.items.length > 1);
  },
  async run(ctx) {
    const t = () => ctx.trx.withSchema(ctx.schema).table(ctx.object.table);
    const event = (type: string) => () =>
      ctx.trx.raw(EVENT, [ctx.schema, OUTBOX, type, ctx.object.name, ctx.actor, ctx.origin]);
    try {
      const creates = ctx.items.filter((i) => i.op === 'create');
      if (creates.length === 1) creates[0].after = await createOne(ctx, creates[0]);
      else if (creates.length) {
        const saved = await createMany(ctx, creates, event('record.created'));
        creates.forEach((item, n) => (item.after = saved[n]));
      }
      for (const item of ctx.items.filter((i) => i.op === 'update')) {
        const saved = await updateOne(ctx, item);
        if (!saved) throw new WriteConflict();
        item.after = saved;
      }
      const deletes = ctx.items.filter((i) => i.op === 'delete');
      if (deletes.length) {
        const write = t()
          .whereIn(
            'id',
            deletes.map((i) => i.id!),
          )
          .delete()
          .returning('id');
        if (!ctx.locked) write.andWhere('version', deletes[0].before!.version as number);
        const gone = (await withEvent(ctx, write, event('record.deleted'))) as Row[];
        if (gone.length !== deletes.length) throw new WriteConflict();
      }
    } catch (e) {
      if (e instanceof WriteConflict) throw e;
      throw lookupProblem(ctx, e) ?? uniqueProblem(ctx, e) ?? fromPgError(e) ?? e;
    }
  },
};

/** Shapes that do not depend on the caller's policy share this key. */
const ANY_POLICY = {};

/** One created record and its event: one statement, its text built once per column set. */
async function createOne(ctx: WriteContext, item: WriteItem): Promise<Row> {
  const o = ctx.object;
  const row = toColumns(o, item);
  const cols = Object.keys(row);
  const n = cols.length; // slots: the values, the actor, the origin
  const shape = shapeOf(o, ANY_POLICY, `create|${cols.join(',')}`, () =>
    withEvent(
      ctx,
      ctx.trx
        .withSchema(ctx.schema)
        .table(o.table)
        .insert({
          ...Object.fromEntries(cols.map((c, i) => [c, slot(i)])),
          owner: slot(n),
          created_by: slot(n),
          updated_by: slot(n),
        })
        .returning('*'),
      () => ctx.trx.raw(EVENT, [ctx.schema, OUTBOX, 'record.created', o.name, slot(n), slot(n + 1)]),
    ),
  );
  const [saved] = await runShape(ctx.trx, shape, [...cols.map((c) => row[c]), ctx.actor, ctx.origin], {
    isoTimes: true,
  });
  return saved;
}

/**
 * One updated record and its event, or undefined when the UPDATE matched nothing. Without locks
 * it writes only the version read (or, blind, only under the checks of blindChecks).
 */
async function updateOne(ctx: WriteContext, item: WriteItem): Promise<Row | undefined> {
  const o = ctx.object;
  const row = toColumns(o, item);
  const cols = Object.keys(row);
  const n = cols.length; // slots: the values, the actor, the id, the version, the origin
  const guard = ctx.blind
    ? `blind|${item.expectedVersion !== undefined}|${(item.requireStored ?? []).join(',')}`
    : ctx.locked
      ? 'locked'
      : 'version';
  const shape = shapeOf(o, ctx.blind ? ctx.access : ANY_POLICY, `update|${cols.join(',')}|${guard}`, () => {
    const write = ctx.trx
      .withSchema(ctx.schema)
      .table(o.table)
      .where('id', slot(n + 1))
      .update({
        ...Object.fromEntries(cols.map((c, i) => [c, slot(i)])),
        version: ctx.trx.raw('?? + 1', ['version']),
        updated_at: ctx.trx.fn.now(),
        updated_by: slot(n),
      })
      .returning('*');
    if (ctx.blind) blindChecks(ctx, item, write, slot(n + 2));
    else if (!ctx.locked) write.andWhere('version', slot(n + 2));
    const changed = JSON.stringify([...Object.keys(item.values), ...Object.keys(item.system ?? {})]);
    const event = () =>
      ctx.trx.raw(UPDATE_EVENT, [
        ctx.schema,
        OUTBOX,
        'record.updated',
        o.name,
        slot(n),
        changed,
        slot(n + 3),
      ]);
    return withEvent(ctx, write, event);
  });
  const version = ctx.blind ? item.expectedVersion : item.before?.version;
  const [saved] = await runShape(
    ctx.trx,
    shape,
    [...cols.map((c) => row[c]), ctx.actor, item.id, version, ctx.origin],
    {
      isoTimes: true,
    },
  );
  return saved;
}

const STAMPS = ['owner', 'created_by', 'updated_by'] as Ident[];

/**
 * Many created records in one statement with their events: one array per column, unnested (see
 * unnestInsert), its text a shape per column set like a single create's; else a VALUES list with
 * `event` (the shape builds its own, with slots for the actor and origin).
 */
async function createMany(ctx: WriteContext, creates: WriteItem[], event: () => Knex.Raw): Promise<Row[]> {
  const o = ctx.object;
  const arrays = columnArrays(o, creates);
  const names = [...arrays.keys()];
  const n = names.length; // slots: the actor, the arrays, the origin
  const columns = names.map((name) => ({ name: name as Ident, pg: pgOf(o, name) }));
  if (canUnnest(columns)) {
    const shape = shapeOf(o, ANY_POLICY, `createMany|${names.join(',')}`, () =>
      withEvent(
        ctx,
        ctx.trx.raw(unnestInsert(ctx.schema, o.table, columns, STAMPS)!, [
          ...STAMPS.map(() => slot(0)),
          ...names.map((_, i) => slot(i + 1)),
        ]),
        () => ctx.trx.raw(EVENT, [ctx.schema, OUTBOX, 'record.created', o.name, slot(0), slot(n + 1)]),
      ),
    );
    const values = [ctx.actor, ...[...arrays.values()].map(arrayLiteral), ctx.origin];
    return runShape(ctx.trx, shape, values, { isoTimes: true });
  }
  const rows = creates.map((i) => ({
    ...toColumns(o, i),
    owner: ctx.actor,
    created_by: ctx.actor,
    updated_by: ctx.actor,
  }));
  const write = ctx.trx.withSchema(ctx.schema).table(o.table).insert(rows).returning('*');
  return (await isoTimes(withEvent(ctx, write, event))) as Row[];
}

/**
 * Column → one value per created record (null where a record sets none), in first-seen order:
 * the arrays are filled straight from the items, with no row object per record.
 */
function columnArrays(o: CompiledObject, creates: WriteItem[]): Map<string, unknown[]> {
  const arrays = new Map<string, unknown[]>();
  const put = (column: string, n: number, v: unknown) => {
    let a = arrays.get(column);
    if (!a) arrays.set(column, (a = new Array<unknown>(creates.length).fill(null)));
    a[n] = v ?? null;
  };
  creates.forEach((item, n) => {
    // Own keys only, as toColumns's Object.entries reads them.
    for (const name of Object.keys(item.values)) put(columnOf(o, name), n, item.values[name]);
    if (item.system) for (const column of Object.keys(item.system)) put(column, n, item.system[column]);
  });
  return arrays;
}

/**
 * What load-before and validate would have checked on the stored row, as conditions of the
 * UPDATE itself: row access, If-Match, required fields the input leaves alone.
 */
function blindChecks(ctx: WriteContext, item: WriteItem, write: Knex.QueryBuilder, version: string) {
  const o = ctx.object;
  if (ctx.access !== ctx.unrestricted) ctx.access.scopeEdit(write, o, (n) => `${o.table}.${n}`);
  if (item.expectedVersion !== undefined) write.andWhere('version', version);
  for (const column of item.requireStored ?? []) {
    const pgType = o.fieldList.find((f) => f.column === column)!.storage.pg;
    write.whereNotNull(column);
    if (pgType === 'text') write.andWhereNot(column, '');
    if (pgType.endsWith('[]')) write.andWhereRaw('cardinality(??) > 0', [column]);
  }
}

/** A foreign key refused a value: name the field (our FKs are fk_<field id>) and the item. */
function lookupProblem(ctx: WriteContext, e: unknown): DomainError | null {
  const err = e as { code?: string; constraint?: string; detail?: string };
  if (err?.code !== '23503') return null;
  const field = ctx.object.fieldList.find((f) => fkName(f.id) === err.constraint);
  if (!field) return stillReferenced(ctx, err); // a child refuses the delete
  const value = /=\(([^)]+)\)/.exec(err.detail ?? '')?.[1];
  const item: WriteItem | undefined = ctx.items.find((i) => i.values[field.name] === value) ?? ctx.items[0];
  const issue: FieldIssue = field.storage.users
    ? { pointer: `${item?.pointer ?? ''}/${field.name}`, code: 'USER_NOT_FOUND', params: { id: value ?? '' } }
    : {
        pointer: `${item?.pointer ?? ''}/${field.name}`,
        code: 'LOOKUP_NOT_FOUND',
        params: {
          target: ctx.model.objects.get(field.storage.references!.object)?.def.label ?? '',
          id: value ?? '',
        },
      };
  return new DomainError(422, 'VALIDATION_FAILED', {}, [issue]);
}

/**
 * A unique index refused a value: point at every field of the key (a composite key names all of
 * them, by label), in the item that holds the duplicate.
 */
function uniqueProblem(ctx: WriteContext, e: unknown): DomainError | null {
  const err = e as { code?: string; detail?: string };
  if (err?.code !== '23505') return null;
  const m = /^Key \((.+?)\)=\((.*)\) already exists/s.exec(err.detail ?? '');
  if (!m) return null;
  const fields = m[1].split(', ').map((c) => ctx.object.fieldList.find((f) => f.column === c));
  if (!fields.length || fields.some((f) => !f)) return null;
  const key = (i: WriteItem) =>
    fields.map((f) => String(i.values[f!.name] ?? i.before?.[f!.column] ?? '')).join(', ');
  const item = ctx.items.find((i) => i.op !== 'delete' && key(i) === m[2]) ?? ctx.items[0];
  const labels = fields.map((f) => f!.def.label);
  const params =
    fields.length > 1
      ? {
          fields: {
            en: labels.map((l) => `"${l.en}"`).join(', '),
            'zh-CN': labels.map((l) => `“${l['zh-CN']}”`).join('、'),
          },
        }
      : {};
  const code = fields.length > 1 ? 'UNIQUE_COMBINATION' : 'UNIQUE_VIOLATION';
  return new DomainError(
    409,
    'UNIQUE_VIOLATION',
    {},
    fields.map((f) => ({ pointer: `${item?.pointer ?? ''}/${f!.name}`, code, params })),
  );
}

/** A delete refused by a child's foreign key: name the child object by its label. */
function stillReferenced(ctx: WriteContext, err: { constraint?: string }): DomainError | null {
  for (const o of ctx.model.objects.values()) {
    const f = o.fieldList.find((x) => fkName(x.id) === err.constraint);
    if (f) return new DomainError(409, 'STILL_REFERENCED', { detail: o.def.pluralLabel ?? o.def.label });
  }
  return null;
}
