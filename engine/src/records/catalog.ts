import { internalIdent, type Ident } from '../core/ident.js';
import type { JsonValue } from '../core/model.js';
import type { AggregateFn, FilterOp, OperandKind } from '../fields/field-type.js';
import type { CompiledField, CompiledObject } from '../metadata/compile.js';

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

export interface Catalog {
  all: ReadonlyMap<string, Queryable>;
  /** Names in output order: system fields, then the object's fields. */
  names: readonly string[];
}

const cache = new WeakMap<CompiledObject, Catalog>();

/** Built once per object per metadata version. */
export function catalogOf(o: CompiledObject): Catalog {
  let c = cache.get(o);
  if (c) return c;
  const all = new Map<string, Queryable>(SYSTEM.map((s) => [s.name, s]));
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
  c = { all, names: [...all.keys()] };
  cache.set(o, c);
  return c;
}

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

/** Turns a database row into the API's JSON record. */
export function rowToRecord(
  cat: Catalog,
  row: Record<string, unknown>,
  names: readonly string[] = cat.names,
) {
  const out: Record<string, JsonValue> = {};
  for (const n of names) {
    const q = cat.all.get(n)!;
    const raw = row[q.column];
    out[n] = raw === undefined || raw === null ? null : q.fromDb ? q.fromDb(raw) : (raw as JsonValue);
  }
  return out;
}
