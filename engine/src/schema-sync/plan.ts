import { pointer } from '../core/errors.js';
import { ident, type Ident } from '../core/ident.js';
import type { FieldDef, PackageDef } from '../core/model.js';
import type { CompiledField, CompiledModel, CompiledObject } from '../metadata/compile.js';
import { activeValues } from '../fields/types/picklist.js';
import type { ColumnPlan, MigrationPlan, SchemaChange } from './changes.js';
import {
  compositeIndexName,
  fieldIndexName,
  fkName,
  isEngineName,
  ownerIndexName,
  retiredName,
  uniqueIndexName,
} from './names.js';
import { classifyConversion, formatStorage, parseFormatted } from './pg-types.js';
import { SYSTEM_COLUMNS } from './system-columns.js';
import type { DbSnapshot } from '../db/snapshot.js';
import { USERS } from './ddl.js';

/** User fields point at the tenant's users; never deleted (suspended instead), so restrict. */
const USER_REF = { object: USERS, onDelete: 'restrict' as const };

interface DesiredIndex {
  object: string;
  table: Ident;
  columns: Ident[];
  unique: boolean;
}
interface DesiredFk {
  object: string;
  field: string;
  table: Ident;
  column: Ident;
  refTable: Ident;
  onDelete: 'restrict' | 'set_null' | 'cascade';
}

/**
 * The pure heart of schema sync: what must change so the tenant's schema serves `next`.
 * `prev` (the deployed model) tells where each object and field lives now, by stable id;
 * `snap` (the catalog) tells what really exists, so retired data is found and a second plan is empty.
 */
export function plan(prev: CompiledModel | null, next: CompiledModel, snap: DbSnapshot): MigrationPlan {
  const out: SchemaChange[] = [];
  const prevObjects = new Map([...(prev?.objects.values() ?? [])].map((o) => [o.id, o]));
  const desiredIdx = new Map<string, DesiredIndex>();
  const desiredFk = new Map<string, DesiredFk>();
  for (const o of next.objects.values()) collectArtifacts(o, next, desiredIdx, desiredFk);

  // 1. Drop constraints and indexes nobody wants any more (before columns move).
  for (const [name, fk] of snap.foreignKeys) {
    const want = desiredFk.get(name);
    if (isEngineName(name) && (!want || !sameFk(want, fk, snap, prevObjects, next)))
      out.push({ kind: 'dropForeignKey', table: ident(fk.table), name: name as Ident });
  }
  for (const [name] of snap.indexes)
    if (isEngineName(name) && !desiredIdx.has(name)) out.push({ kind: 'dropIndex', name: name as Ident });

  // 2. Where does each next object live now?
  const claimedTables = new Set<string>();
  const tableMoves: SchemaChange[] = [];
  const columnSteps: SchemaChange[] = [];
  for (const o of next.objects.values()) {
    const before = prevObjects.get(o.id);
    const current =
      before && snap.tables.has(before.table)
        ? before.table
        : snap.tables.has(retiredName(o.id))
          ? retiredName(o.id)
          : null;
    if (!current) {
      tableMoves.push(createTable(o));
      continue;
    }
    claimedTables.add(current);
    if (current === retiredName(o.id))
      tableMoves.push({ kind: 'restoreTable', object: o.name, from: current as Ident, to: o.table });
    else if (current !== o.table && snap.tables.has(o.table)) {
      // The name is still taken (e.g. two objects swap names): step aside under the retired name first.
      out.push({ kind: 'retireTable', object: o.name, table: current as Ident, to: retiredName(o.id) });
      tableMoves.push({ kind: 'restoreTable', object: o.name, from: retiredName(o.id), to: o.table });
    } else if (current !== o.table)
      tableMoves.push({ kind: 'renameTable', object: o.name, from: current as Ident, to: o.table });
    columnSteps.push(...planColumns(before ?? null, o, snap.tables.get(current)!, out, next.pkg));
    // Process columns are added when an object gains business types or a pipeline, and kept
    // (unused) when it loses them, so bringing them back finds the data where it was.
    for (const c of o.processColumns)
      if (!snap.tables.get(current)!.has(c.name))
        columnSteps.push({
          kind: 'addColumn',
          object: o.name,
          field: c.name,
          table: o.table,
          column: { name: c.name, storage: { pg: c.pg } },
        });
  }

  // 3. Objects that left the package are retired, never dropped: their data waits for a rollback or a purge.
  for (const before of prevObjects.values()) {
    if (next.objects.has(before.name) && next.objects.get(before.name)!.id === before.id) continue;
    if ([...next.objects.values()].some((o) => o.id === before.id)) continue;
    if (snap.tables.has(before.table) && !claimedTables.has(before.table))
      out.push({ kind: 'retireTable', object: before.name, table: before.table, to: retiredName(before.id) });
  }
  out.push(...tableMoves, ...columnSteps);

  // 4. Indexes and foreign keys that are wanted and missing.
  for (const [name, ix] of desiredIdx)
    if (!snap.indexes.has(name))
      out.push({
        kind: 'addIndex',
        object: ix.object,
        table: ix.table,
        name: name as Ident,
        columns: ix.columns,
        unique: ix.unique,
      });
  for (const [name, fk] of desiredFk) {
    const have = snap.foreignKeys.get(name);
    if (!have || !sameFk(fk, have, snap, prevObjects, next))
      out.push({ kind: 'addForeignKey', name: name as Ident, ...fk });
  }
  return { fromVersion: prev?.version ?? 0, changes: order(out) };
}

function createTable(o: CompiledObject): SchemaChange {
  const columns: ColumnPlan[] = [
    ...o.fieldList.map((f) => ({ name: f.column, storage: f.storage })),
    ...o.processColumns.map((c) => ({ name: c.name, storage: { pg: c.pg } })),
  ];
  return { kind: 'createTable', object: o.name, objectId: o.id, table: o.table, columns };
}

/** Column moves, adds, retirements and type changes for one object that already has a table. */
function planColumns(
  before: CompiledObject | null,
  o: CompiledObject,
  actual: Map<string, string>,
  early: SchemaChange[],
  pkg: PackageDef,
): SchemaChange[] {
  const steps: SchemaChange[] = [];
  const prevFields = new Map(before?.fieldList.map((f) => [f.id, f]) ?? []);
  const claimed = new Set<string>();
  for (const f of o.fieldList) {
    const was = prevFields.get(f.id);
    const current =
      was && actual.has(was.column)
        ? was.column
        : actual.has(retiredName(f.id))
          ? retiredName(f.id)
          : actual.has(f.column) && !before
            ? f.column
            : null;
    if (!current) {
      steps.push({
        kind: 'addColumn',
        object: o.name,
        field: f.name,
        table: o.table,
        column: { name: f.column, storage: f.storage },
      });
      continue;
    }
    claimed.add(current);
    if (current === retiredName(f.id))
      steps.push({
        kind: 'restoreColumn',
        object: o.name,
        field: f.name,
        table: o.table,
        from: current as Ident,
        to: f.column,
      });
    else if (current !== f.column && actual.has(f.column)) {
      // The name is still taken (e.g. two fields swap names): step aside under the retired name first.
      early.push({
        kind: 'retireColumn',
        object: o.name,
        field: f.name,
        table: before!.table,
        column: current as Ident,
        to: retiredName(f.id),
      });
      steps.push({
        kind: 'restoreColumn',
        object: o.name,
        field: f.name,
        table: o.table,
        from: retiredName(f.id),
        to: f.column,
      });
    } else if (current !== f.column)
      steps.push({
        kind: 'renameColumn',
        object: o.name,
        field: f.name,
        table: o.table,
        from: current as Ident,
        to: f.column,
      });
    steps.push(...typeSteps(o, f, actual.get(current)!, was?.def, pkg));
  }
  for (const was of prevFields.values()) {
    if (o.fields.get(was.name)?.id === was.id || o.fieldList.some((f) => f.id === was.id)) continue;
    if (actual.has(was.column) && !claimed.has(was.column))
      early.push({
        kind: 'retireColumn',
        object: o.name,
        field: was.name,
        table: before!.table,
        column: was.column,
        to: retiredName(was.id),
      });
  }
  return steps;
}

function typeSteps(
  o: CompiledObject,
  f: CompiledField,
  actualType: string,
  wasDef: FieldDef | undefined,
  pkg: PackageDef,
): SchemaChange[] {
  const steps: SchemaChange[] = [];
  const from = parseFormatted(actualType);
  const conversion = from ? classifyConversion(from, f.storage) : 'unsupported';
  const base = { object: o.name, field: f.name, table: o.table, column: f.column };
  if (conversion === 'unsupported')
    steps.push({
      kind: 'refused',
      object: o.name,
      field: f.name,
      pointer: `${packagePointer(pkg, o.name, f.name)}/type`,
      code: 'META_TYPE_CHANGE',
      params: { from: actualType, to: formatStorage(f.storage) },
    });
  else if (conversion !== 'same')
    steps.push({
      kind: 'alterType',
      ...base,
      from: actualType,
      to: f.storage,
      risk: conversion === 'lossless' ? 'lossless' : 'checked',
    });
  // Same text column, shorter limit: existing values may not fit.
  const oldMax = wasDef?.maxLength;
  const newMax = f.def.maxLength;
  if (f.storage.pg === 'text' && newMax !== undefined && (oldMax === undefined || newMax < oldMax) && wasDef)
    steps.push({ kind: 'narrowText', ...base, maxLength: newMax });
  if (wasDef?.options && f.def.options) {
    const oldVals = new Set(wasDef.options.map((x) => x.value));
    const newVals = new Set(f.def.options.map((x) => x.value));
    const oldActive = new Set(activeValues(wasDef));
    const added = [...newVals].filter((v) => !oldVals.has(v));
    const removed = [...oldVals].filter((v) => !newVals.has(v));
    const deactivated = activeValues(wasDef).length
      ? [...newVals].filter((v) => oldActive.has(v) && !activeValues(f.def).includes(v))
      : [];
    if (added.length || removed.length || deactivated.length)
      steps.push({ kind: 'picklistChange', object: o.name, field: f.name, added, removed, deactivated });
  }
  return steps;
}

/** JSON pointer to an object (and field) of the package, by position as validation reports them. */
export function packagePointer(pkg: PackageDef, object: string, field?: string): string {
  const oi = pkg.objects.findIndex((o) => o.name === object);
  if (oi < 0) return pointer('objects');
  const fi = field === undefined ? -1 : pkg.objects[oi].fields.findIndex((f) => f.name === field);
  return fi < 0 ? pointer('objects', oi) : pointer('objects', oi, 'fields', fi);
}

function collectArtifacts(
  o: CompiledObject,
  model: CompiledModel,
  idx: Map<string, DesiredIndex>,
  fks: Map<string, DesiredFk>,
) {
  idx.set(ownerIndexName(o.id), {
    object: o.name,
    table: o.table,
    columns: [SYSTEM_COLUMNS.owner],
    unique: false,
  });
  for (const f of o.fieldList) {
    const ref = f.storage.references ?? (f.storage.users ? USER_REF : undefined);
    if (f.def.unique)
      idx.set(uniqueIndexName(f.id), { object: o.name, table: o.table, columns: [f.column], unique: true });
    // Every foreign key is indexed: deleting a parent must not scan its children.
    else if (f.def.indexed || ref)
      idx.set(fieldIndexName(f.id), { object: o.name, table: o.table, columns: [f.column], unique: false });
    if (f.storage.users)
      fks.set(fkName(f.id), {
        object: o.name,
        field: f.name,
        table: o.table,
        column: f.column,
        refTable: USERS,
        onDelete: USER_REF.onDelete,
      });
    else if (ref) {
      const target = model.objects.get(ref.object);
      if (target)
        fks.set(fkName(f.id), {
          object: o.name,
          field: f.name,
          table: o.table,
          column: f.column,
          refTable: target.table,
          onDelete: ref.onDelete,
        });
    }
  }
  for (const ix of o.def.indexes ?? []) {
    const cols = ix.fields.map((n) => o.fields.get(n)?.column ?? ident(n));
    const keys = ix.fields.map((n) => o.fields.get(n)?.id ?? n);
    idx.set(compositeIndexName(o.id, keys, !!ix.unique), {
      object: o.name,
      table: o.table,
      columns: cols,
      unique: !!ix.unique,
    });
  }
}

/** An existing FK still serves if it points at the wanted table with the wanted action. */
function sameFk(
  want: DesiredFk,
  have: DbSnapshot['foreignKeys'] extends Map<string, infer V> ? V : never,
  _snap: DbSnapshot,
  _prev: Map<string, CompiledObject>,
  next: CompiledModel,
): boolean {
  // The referenced table may be renamed in this very plan: compare by the object that will own it.
  const refObject = [...next.objects.values()].find((o) => o.table === want.refTable);
  const prevRef = refObject ? _prev.get(refObject.id)?.table : undefined;
  const tableOk = have.refTable === want.refTable || have.refTable === prevRef;
  return tableOk && have.onDelete === want.onDelete;
}

const ORDER: SchemaChange['kind'][] = [
  'refused',
  'dropForeignKey',
  'dropIndex',
  'retireColumn',
  'retireTable',
  'restoreTable',
  'renameTable',
  'createTable',
  'restoreColumn',
  'renameColumn',
  'addColumn',
  'alterType',
  'narrowText',
  'picklistChange',
  'addIndex',
  'addForeignKey',
];

function order(changes: SchemaChange[]): SchemaChange[] {
  return changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => ORDER.indexOf(a.c.kind) - ORDER.indexOf(b.c.kind) || a.i - b.i)
    .map((x) => x.c);
}
