import type { Knex } from 'knex';
import { internalIdent, type Ident } from '../core/ident.js';
import { badRequest } from '../core/errors.js';
import { text as msg } from '../core/messages.js';
import type { JsonValue } from '../core/model.js';
import type { AggregateFn, FilterOp, OperandKind } from '../fields/field-type.js';
import type { CompiledField, CompiledObject } from '../metadata/compile.js';
import { perObject } from '../metadata/per-object.js';

/** One queryable name of an object: a user field or a system field, with what it allows. */
export interface Queryable {
  name: string;
  column: Ident;
  operand: OperandKind;
  operators: readonly FilterOp[];
  sortable: boolean;
  groupable: boolean;
  aggregates: readonly AggregateFn[];
  fromDb?: (raw: unknown) => JsonValue;
  field?: CompiledField;
  /** Target object of a lookup, for expand. */
  target?: string;
  /**
   * A value computed when read from the stored column `column` (days in stage, stale): its
   * filter is translated into conditions on that column, computed now.
   */
  derived?: {
    where(b: Knex.QueryBuilder, op: FilterOp, value: unknown, column: string, at: string): void;
  };
  /** Sorts as another queryable does, in the opposite direction (days in stage: entry time). */
  sortAs?: { name: string; reverse: boolean };
  /** A user field: expands to the user's name. */
  users?: boolean;
}

const UUID_OPS: readonly FilterOp[] = ['eq', 'ne', 'in', 'nin', 'isNull'];
const TIME_OPS: readonly FilterOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'isNull'];
const iso = (raw: unknown) => (raw instanceof Date ? raw.toISOString() : (raw as JsonValue));

function system(
  name: string,
  operand: OperandKind,
  operators: readonly FilterOp[],
  extra: Partial<Queryable> = {},
): Queryable {
  return {
    name,
    column: internalIdent(name),
    operand,
    operators,
    sortable: true,
    groupable: false,
    aggregates: [],
    ...extra,
  };
}

const SYSTEM: Queryable[] = [
  system('id', 'uuid', UUID_OPS),
  system('owner', 'uuid', UUID_OPS, { groupable: true, users: true }),
  system('created_at', 'datetime', TIME_OPS, { fromDb: iso, aggregates: ['min', 'max'] }),
  system('created_by', 'uuid', UUID_OPS, { groupable: true, users: true }),
  system('updated_at', 'datetime', TIME_OPS, { fromDb: iso, aggregates: ['min', 'max'] }),
  system('updated_by', 'uuid', UUID_OPS, { groupable: true, users: true }),
  system('version', 'integer', ['eq', 'ne', 'gt', 'gte', 'lt', 'lte']),
];

const DAY = 86_400_000;
const daysSince = (raw: unknown): JsonValue => {
  if (raw === null || raw === undefined) return null;
  const t = raw instanceof Date ? raw.getTime() : Date.parse(String(raw));
  return Math.max(0, Math.floor((Date.now() - t) / DAY));
};
const badValue = (at: string, reason: unknown) => badRequest('BAD_FILTER', { pointer: at, reason });

/**
 * Whole days since the record entered its stage. `days >= n` is `entered <= now - n days`, so
 * every comparison becomes one on the stored entry time, which an index can serve.
 */
const daysInStage: Queryable = system(
  'days_in_stage',
  'integer',
  ['eq', 'gt', 'gte', 'lt', 'lte', 'isNull'],
  {
    column: internalIdent('stage_entered_at'),
    fromDb: daysSince,
    sortAs: { name: 'stage_entered_at', reverse: true },
    derived: {
      where(b, op, v, column, at) {
        if (op === 'isNull') {
          if (typeof v !== 'boolean') throw badValue(at, msg('R_EXPECTED_BOOLEAN'));
          if (v) b.whereNull(column);
          else b.whereNotNull(column);
          return;
        }
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 100_000)
          throw badValue(at, msg('R_OUT_OF_RANGE', { min: 0, max: 100_000 }));
        const ago = (n: number) => new Date(Date.now() - n * DAY).toISOString();
        const n = v as number;
        // days >= n  ⇔  entered <= now - n days;  days < n  ⇔  entered > now - n days
        if (op === 'gte') b.where(column, '<=', ago(n));
        else if (op === 'gt') b.where(column, '<=', ago(n + 1));
        else if (op === 'lt') b.where(column, '>', ago(n));
        else if (op === 'lte') b.where(column, '>', ago(n + 1));
        else b.where(column, '<=', ago(n)).andWhere(column, '>', ago(n + 1));
      },
    },
  },
);

/** Past the stage's maximum days: the stored due time has passed. */
const stale: Queryable = system('stale', 'boolean', ['eq'], {
  column: internalIdent('stage_due_at'),
  fromDb: (raw) =>
    raw === null || raw === undefined
      ? false
      : (raw instanceof Date ? raw.getTime() : Date.parse(String(raw))) < Date.now(),
  sortable: false,
  derived: {
    where(b, _op, v, column, at) {
      if (typeof v !== 'boolean') throw badValue(at, msg('R_EXPECTED_BOOLEAN'));
      const now = new Date().toISOString();
      if (v) b.where(column, '<', now);
      else b.where((x) => x.whereNull(column).orWhere(column, '>=', now));
    },
  },
});

/** The engine fields of an object with business types or a pipeline (see core/ident PROCESS_FIELDS). */
function processQueryables(o: CompiledObject): Queryable[] {
  const out: Queryable[] = [];
  if (o.processColumns.some((c) => c.name === 'business_type'))
    out.push(
      system('business_type', 'string', ['eq', 'ne', 'in', 'nin', 'isNull'], {
        groupable: true,
      }),
    );
  if (o.stageField)
    out.push(
      system('stage_entered_at', 'datetime', TIME_OPS, { fromDb: iso, aggregates: ['min', 'max'] }),
      system('stage_due_at', 'datetime', TIME_OPS, { fromDb: iso, aggregates: ['min', 'max'] }),
      daysInStage,
      stale,
    );
  return out;
}

export interface Catalog {
  all: ReadonlyMap<string, Queryable>;
  /** Names in output order: system fields, then the object's fields. */
  names: readonly string[];
}

/** Built once per object per metadata version. */
export const catalogOf = perObject(function catalogOf(o: CompiledObject): Catalog {
  const all = new Map<string, Queryable>([...SYSTEM, ...processQueryables(o)].map((s) => [s.name, s]));
  for (const f of o.fieldList) {
    const t = { ...f.type, ...f.type.specialize?.(f.def) };
    all.set(f.name, {
      name: f.name,
      column: f.column,
      operand: t.operand,
      operators: t.operators,
      sortable: f.type.sortable,
      groupable: t.groupable,
      aggregates: t.aggregates,
      fromDb: t.fromDb,
      field: f,
      target: f.storage.references?.object,
      users: f.storage.users,
    });
  }
  return { all, names: [...all.keys()] };
});

const visible = new WeakMap<ReadonlySet<string>, Catalog>();

/**
 * The catalog as one caller sees it: system fields plus the fields they may read. Whatever is
 * not in it cannot be selected, filtered, sorted, grouped or expanded: it does not exist for them.
 */
export function visibleCatalog(o: CompiledObject, readable: ReadonlySet<string>): Catalog {
  const full = catalogOf(o);
  if (readable.size === o.fieldList.length) return full;
  let c = visible.get(readable);
  if (!c) {
    const all = new Map([...full.all].filter(([name, q]) => !q.field || readable.has(name)));
    visible.set(readable, (c = { all, names: [...all.keys()] }));
  }
  return c;
}

/** How one name of a record is read from its row: decided per catalog and projection, not per row. */
interface Reader {
  name: string;
  column: string;
  fromDb?: (raw: unknown) => JsonValue;
}
const readers = new WeakMap<Catalog, WeakMap<readonly string[], readonly Reader[]>>();

function readersOf(cat: Catalog, names: readonly string[]): readonly Reader[] {
  let byNames = readers.get(cat);
  if (!byNames) readers.set(cat, (byNames = new WeakMap()));
  let r = byNames.get(names);
  if (!r)
    byNames.set(
      names,
      (r = names.map((n) => {
        const q = cat.all.get(n)!;
        return { name: n, column: q.column, fromDb: q.fromDb };
      })),
    );
  return r;
}

/** Turns a database row into the API's JSON record. */
export function rowToRecord(
  cat: Catalog,
  row: Record<string, unknown>,
  names: readonly string[] = cat.names,
) {
  const out: Record<string, JsonValue> = {};
  for (const { name, column, fromDb } of readersOf(cat, names)) {
    const raw = row[column];
    out[name] = raw === undefined || raw === null ? null : fromDb ? fromDb(raw) : (raw as JsonValue);
  }
  return out;
}
