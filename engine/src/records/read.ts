import { opText, text as msg } from '../core/messages.js';
import type { Knex } from 'knex';
import { badRequest, DomainError, notFound } from '../core/errors.js';
import type { Ident } from '../core/ident.js';
import type { JsonValue } from '../core/model.js';
import type { CompiledModel, CompiledObject } from '../metadata/compile.js';
import { canonicalJson } from '../metadata/hash.js';
import type { AccessPolicy } from './access.js';
import { runShape, shapeOf, slot } from './statement-shapes.js';
import { isoTimes } from '../db/tenant-sessions.js';
import { rowToRecord, visibleCatalog, type Catalog } from './catalog.js';
import type { CursorCodec, CursorState } from './cursor.js';
import { applyFilter } from './filter.js';
import { parseSort, type SortKey } from './sort.js';
import { USERS } from '../schema-sync/ddl.js';

export const PAGE = { default: 50, max: 200 } as const;
export const MAX_EXPAND_DEPTH = 2;

export interface ReadScope {
  db: Knex;
  schema: Ident;
  tenantId: string;
  model: CompiledModel;
  cursors: CursorCodec;
  access: AccessPolicy;
}

/** The caller may not read this object at all. */
export function assertCan(
  s: { access: AccessPolicy },
  o: CompiledObject,
  op: 'create' | 'read' | 'edit' | 'delete',
) {
  if (!s.access.can(o, op))
    throw new DomainError(403, 'NO_OBJECT_ACCESS', { object: o.def.label, op: opText(op) });
}

const qualified = (o: CompiledObject) => (name: string) => `${o.table}.${name}`;
export const catalogFor = (s: ReadScope, o: CompiledObject) => visibleCatalog(o, s.access.readable(o));

export interface ListQuery {
  filter?: unknown;
  sort?: string;
  limit?: number;
  cursor?: string;
  fields?: string[];
  expand?: string[];
  /** Free text matched (case-insensitively) against the readable text fields. */
  search?: string;
}

export const SEARCHABLE = new Set(['text', 'email', 'phone', 'url', 'auto_number', 'picklist']);

/** `search=`: any readable single-line text field contains the words (fields the caller cannot read are never searched). */
export function applySearch(qb: Knex.QueryBuilder, cat: Catalog, search: string) {
  if (search.length > 100)
    throw badRequest('BAD_FILTER', { pointer: '/search', reason: msg('R_TEXT_TOO_LONG', { max: 100 }) });
  const cols = [...cat.all.values()]
    .filter((q) => q.field && SEARCHABLE.has(q.field.def.type))
    .map((q) => q.column);
  const words = search.trim().split(/\s+/).filter(Boolean).slice(0, 5);
  if (!cols.length || !words.length) return;
  for (const w of words) {
    const pattern = `%${w.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    qb.where((b) => cols.forEach((c) => b.orWhereRaw("?? ilike ? escape '\\'", [c, pattern])));
  }
}

export interface Page {
  data: Record<string, JsonValue>[];
  meta: { next_cursor: string | null; has_more: boolean };
}

/** Lists records: filter, keyset pagination on (sort keys…, id), sparse fields, expanded lookups. */
export async function listRecords(s: ReadScope, o: CompiledObject, q: ListQuery): Promise<Page> {
  assertCan(s, o, 'read');
  const cat = catalogFor(s, o);
  const limit = q.limit ?? PAGE.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE.max)
    throw badRequest('BAD_LIMIT', { max: PAGE.max });
  const keys = parseSort(q.sort, cat);
  const plan = projection(s, o, q.fields, q.expand);
  const qb = s.db.withSchema(s.schema).from(o.table);
  s.access.scopeRead(qb, o, qualified(o));
  const columns = new Set([
    ...plan.names.map((n) => cat.all.get(n)!.column),
    ...keys.map((k) => k.q.column),
    'id',
  ]);
  qb.select([...columns]);
  keys.forEach((k, i) => exactKey(k) && qb.select(s.db.raw('??::text as ??', [k.q.column, exactAlias(i)])));
  if (q.filter !== undefined) applyFilter(qb, q.filter, cat);
  if (q.search) applySearch(qb, cat, q.search);
  const queryKey = `${s.tenantId}|${o.name}|${canonicalJson(q.filter ?? null)}|${q.search ?? ''}|${keys.map((k) => (k.desc ? '-' : '') + k.q.name).join(',')}`;
  if (q.cursor) applyKeyset(qb, keys, s.cursors.decode(q.cursor, queryKey));
  // Postgres's own order (NULL is the largest value) so a btree index serves both directions.
  for (const k of keys) qb.orderBy(k.q.column, k.desc ? 'desc' : 'asc');
  qb.orderBy('id', idDescending(keys) ? 'desc' : 'asc').limit(limit + 1);
  // Rows go only to the API's records (and the cursor, whose timestamps are exact text anyway).
  const rows = (await isoTimes(qb)) as Record<string, unknown>[];
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const next = hasMore && last ? s.cursors.encode(cursorOf(keys, last), queryKey) : null;
  const data = pageRows.map((r) => rowToRecord(cat, r, plan.names));
  await expandInto(s, o, data, pageRows, plan.expand, 1, plan.users);
  return { data, meta: { next_cursor: next, has_more: hasMore } };
}

export async function getRecord(
  s: ReadScope,
  o: CompiledObject,
  id: string,
  fields?: string[],
  expand?: string[],
) {
  assertCan(s, o, 'read');
  const cat = catalogFor(s, o);
  const plan = projection(s, o, fields, expand);
  if (!isUuid(id)) throw notFound('RECORD_NOT_FOUND', { object: o.def.label, id });
  const row = await byId(s, o, () => plan.names.map((n) => cat.all.get(n)!.column), id, fields, expand);
  if (!row) throw notFound('RECORD_NOT_FOUND', { object: o.def.label, id });
  const data = [rowToRecord(cat, row, plan.names)];
  if (plan.expand.size || plan.users.size) await expandInto(s, o, data, [row], plan.expand, 1, plan.users);
  return { record: data[0], version: row.version as number };
}

/** get by id: its SQL text is built once per (object, caller's policy, projection). */
async function byId(
  s: ReadScope,
  o: CompiledObject,
  columns: () => string[],
  id: string,
  fields?: string[],
  expand?: string[],
): Promise<Record<string, unknown> | undefined> {
  const key = `get|${fields?.join(',') ?? ''}|${expand?.join(',') ?? ''}`;
  const shape = shapeOf(o, s.access, key, () => {
    const qb = s.db
      .withSchema(s.schema)
      .from(o.table)
      .select([...new Set([...columns(), 'id', 'version'])])
      .where('id', slot(0));
    s.access.scopeRead(qb, o, qualified(o));
    return qb.first();
  });
  return (await runShape(s.db, shape, [id], { isoTimes: true }))[0];
}

export const isUuid = (s: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** Timestamps keep microseconds that a JS Date drops: their cursor value is the exact database text. */
const exactKey = (k: SortKey) => k.q.operand === 'datetime' || k.q.field?.storage.pg === 'timestamptz';
const exactAlias = (i: number) => `_cursor_${i}`;

function cursorOf(keys: SortKey[], row: Record<string, unknown>): CursorState {
  const raw = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
  return {
    values: keys.map((k, i) => (exactKey(k) ? row[exactAlias(i)] : raw(row[k.q.column]))),
    id: row.id as string,
  };
}

/** The id breaks ties in the direction of the last key, so `ORDER BY k DESC, id DESC` reads an index on k backwards. */
const idDescending = (keys: SortKey[]) => keys.length > 0 && keys[keys.length - 1].desc;

/**
 * Rows strictly after the cursor in (keys…, id) order. NULL sorts as the largest value (last
 * ascending, first descending), as Postgres and its btree indexes do.
 */
function applyKeyset(qb: Knex.QueryBuilder, keys: SortKey[], c: CursorState) {
  if (c.values.length !== keys.length) throw badRequest('BAD_CURSOR');
  const after = (b: Knex.QueryBuilder, i: number): void => {
    if (i === keys.length) {
      b.where('id', idDescending(keys) ? '<' : '>', c.id);
      return;
    }
    const { q, desc } = keys[i];
    const v = c.values[i] as Knex.Value;
    if (v === null) {
      // Ascending: only other NULLs follow. Descending: NULLs lead, every value follows.
      b.where((x) => {
        x.where((y) => y.whereNull(q.column).andWhere((z) => after(z, i + 1)));
        if (desc) x.orWhereNotNull(q.column);
      });
      return;
    }
    if (desc) {
      // `col <= v` lets the index scan start at the cursor.
      b.where(q.column, '<=', v).andWhere((x) =>
        x.where(q.column, '<', v).orWhere((y) => y.where(q.column, '=', v).andWhere((z) => after(z, i + 1))),
      );
      return;
    }
    b.where((x) =>
      x
        .where(q.column, '>', v)
        .orWhere((y) => y.where(q.column, '=', v).andWhere((z) => after(z, i + 1)))
        .orWhereNull(q.column),
    );
  };
  qb.where((b) => after(b, 0));
}

interface Projection {
  names: string[];
  /** lookup name → sub-projection */
  expand: Map<string, { object: CompiledObject; plan: Projection }>;
  /** User fields to expand to `{id, name}`. */
  users: Set<string>;
}

/**
 * Which fields to return and which lookups to expand. `fields=name,account.name` selects and
 * expands in one go; `expand=account` returns the whole account.
 */
function projection(
  s: ReadScope,
  o: CompiledObject,
  fields: string[] | undefined,
  expand: string[] | undefined,
  depth = 1,
): Projection {
  const cat = catalogFor(s, o);
  if (!fields && !expand) return plainProjection(cat);
  const top = fields?.filter((f) => !f.includes('.'));
  const names = top && top.length ? ['id', ...top.filter((n) => n !== 'id')] : [...cat.names];
  for (const n of names) if (!cat.all.has(n)) throw badRequest('BAD_FIELDS', { field: n });
  const nested = new Map<string, { fields: string[]; expand: string[] }>();
  const want = (path: string) => {
    const [head, ...rest] = path.split('.');
    if (!nested.has(head)) nested.set(head, { fields: [], expand: [] });
    return { head, rest: rest.join('.') };
  };
  for (const f of fields ?? [])
    if (f.includes('.')) {
      const { head, rest } = want(f);
      nested.get(head)!.fields.push(rest);
    }
  for (const e of expand ?? []) {
    const { head, rest } = want(e);
    if (rest) nested.get(head)!.expand.push(rest);
  }
  const out: Projection = { names, expand: new Map(), users: new Set() };
  for (const [head, sub] of nested) {
    const q = cat.all.get(head);
    if (q?.users) {
      // A person reads as the name GET /users/lookup shows everyone, and nothing more.
      if (sub.expand.length || sub.fields.some((f) => f !== 'id' && f !== 'name'))
        throw badRequest('BAD_EXPAND', { path: head, reason: msg('R_USER_EXPAND') });
      if (!names.includes(head)) names.push(head);
      out.users.add(head);
      continue;
    }
    if (!q?.target) throw badRequest('BAD_EXPAND', { path: head, reason: msg('R_NOT_A_LOOKUP') });
    if (depth > MAX_EXPAND_DEPTH)
      throw badRequest('BAD_EXPAND', {
        path: head,
        reason: msg('R_EXPAND_TOO_DEEP', { max: MAX_EXPAND_DEPTH }),
      });
    const target = s.model.objects.get(q.target);
    if (!target) throw new DomainError(500, 'INTERNAL');
    if (!s.access.can(target, 'read'))
      throw badRequest('BAD_EXPAND', { path: head, reason: msg('R_NO_ACCESS_RELATED') });
    if (!names.includes(head)) names.push(head);
    out.expand.set(head, {
      object: target,
      plan: projection(s, target, sub.fields.length ? sub.fields : undefined, sub.expand, depth + 1),
    });
  }
  return out;
}

/** Every field the caller sees, nothing expanded: one per catalog, shared (no one changes it). */
const plainProjections = new WeakMap<Catalog, Projection>();
function plainProjection(cat: Catalog): Projection {
  let p = plainProjections.get(cat);
  if (!p) plainProjections.set(cat, (p = { names: [...cat.names], expand: new Map(), users: new Set() }));
  return p;
}

/** One query per expanded lookup and level (no N+1), replacing ids with the related records. */
async function expandInto(
  s: ReadScope,
  o: CompiledObject,
  data: Record<string, JsonValue>[],
  _rows: Record<string, unknown>[],
  expand: Projection['expand'],
  depth: number,
  users: ReadonlySet<string> = new Set(),
) {
  for (const name of users) {
    const ids = [...new Set(data.map((d) => d[name]).filter((v): v is string => typeof v === 'string'))];
    if (!ids.length) continue;
    const rows = (await s.db
      .withSchema(s.schema)
      .from(USERS)
      .select('id', 'display_name')
      .whereIn('id', ids)) as { id: string; display_name: string }[];
    const byId = new Map(rows.map((r) => [r.id, { id: r.id, name: r.display_name }]));
    for (const d of data) if (typeof d[name] === 'string') d[name] = byId.get(d[name] as string) ?? d[name];
  }
  for (const [name, { object, plan }] of expand) {
    const ids = [...new Set(data.map((d) => d[name]).filter((v): v is string => typeof v === 'string'))];
    if (!ids.length) continue;
    const cat: Catalog = catalogFor(s, object);
    const qb = s.db
      .withSchema(s.schema)
      .from(object.table)
      .select([...new Set([...plan.names.map((n) => cat.all.get(n)!.column), 'id'])])
      .whereIn('id', ids);
    // A related record the caller may not see stays a bare id.
    s.access.scopeRead(qb, object, qualified(object));
    const rows = (await isoTimes(qb)) as Record<string, unknown>[];
    const related = rows.map((r) => rowToRecord(cat, r, plan.names));
    await expandInto(s, object, related, rows, plan.expand, depth + 1, plan.users);
    const byId = new Map(related.map((r) => [r.id as string, r]));
    for (const d of data) if (typeof d[name] === 'string') d[name] = byId.get(d[name] as string) ?? d[name];
  }
  void o;
}
