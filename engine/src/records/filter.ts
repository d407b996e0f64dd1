import type { Knex } from 'knex';
import { badRequest } from '../core/errors.js';
import type { FilterOp, OperandKind } from '../fields/field-type.js';
import type { Catalog, Queryable } from './catalog.js';

/** Limits that keep a filter cheap to parse and to plan. */
export const FILTER_LIMITS = { depth: 10, predicates: 200, inItems: 500, stringLength: 1000 } as const;

type Where = Knex.QueryBuilder;

const fail = (pointer: string, reason: string) =>
  badRequest('BAD_FILTER', { pointer: pointer || '/', reason });

/**
 * The JSON filter language: `{"stage":{"eq":"won"},"amount":{"gt":5}}`, `and`/`or` arrays, `not`.
 * Keys are checked against the object's catalog and each operator against the field's type;
 * every value is bound by knex, never spliced.
 */
export function applyFilter(qb: Where, filter: unknown, cat: Catalog, table?: string): void {
  const state = { predicates: 0 };
  const col = (q: Queryable) => (table ? `${table}.${q.column}` : q.column);
  const node = (b: Where, n: unknown, at: string, depth: number): void => {
    if (depth > FILTER_LIMITS.depth) throw fail(at, `nested deeper than ${FILTER_LIMITS.depth}`);
    if (!n || typeof n !== 'object' || Array.isArray(n)) throw fail(at, 'expected an object');
    for (const [key, value] of Object.entries(n)) {
      const here = `${at}/${key}`;
      if (key === 'and' || key === 'or') {
        if (!Array.isArray(value) || value.length === 0) throw fail(here, 'expected a non-empty array');
        const list = value as unknown[];
        b.where((sub) => {
          list.forEach((v, i) => {
            const inner = (x: Where) => node(x, v, `${here}/${i}`, depth + 1);
            if (key === 'and') sub.where(inner);
            else sub.orWhere(inner);
          });
        });
      } else if (key === 'not') {
        b.whereNot((sub) => node(sub, value, here, depth + 1));
      } else {
        const q = cat.all.get(key);
        if (!q) throw fail(here, `unknown field "${key}"`);
        const ops =
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? Object.entries(value)
            : [['eq', value] as [string, unknown]];
        if (ops.length === 0) throw fail(here, 'no operator');
        for (const [op, operand] of ops) {
          if (++state.predicates > FILTER_LIMITS.predicates)
            throw fail(here, `more than ${FILTER_LIMITS.predicates} conditions`);
          predicate(b, q, col(q), op, operand, `${here}/${op}`);
        }
      }
    }
  };
  node(qb, filter, '', 1);
}

function predicate(b: Where, q: Queryable, column: string, op: string, v: unknown, at: string): void {
  if (!(q.operators as readonly string[]).includes(op))
    throw fail(at, `operator "${op}" is not allowed on ${q.name}; use one of ${q.operators.join(', ')}`);
  if (q.derived) return q.derived.where(b, op as FilterOp, v, column, at);
  switch (op as FilterOp) {
    case 'eq':
      if (v === null) b.whereNull(column);
      else b.where(column, '=', scalar(q, v, at) as Knex.Value);
      return;
    case 'ne':
      if (v === null) b.whereNotNull(column);
      else b.where((x) => x.where(column, '<>', scalar(q, v, at) as Knex.Value).orWhereNull(column));
      return;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      b.where(column, { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op as 'gt'], scalar(q, v, at) as Knex.Value);
      return;
    case 'in':
      b.whereIn(column, list(q, v, at) as Knex.Value[]);
      return;
    case 'nin':
      b.where((x) => x.whereNotIn(column, list(q, v, at) as Knex.Value[]).orWhereNull(column));
      return;
    case 'contains':
      if (q.field?.storage.pg === 'text[]') b.whereRaw('?? @> ?::text[]', [column, arrayOf(v, at)]);
      else b.whereRaw("?? ilike ? escape '\\'", [column, `%${likeEscape(text(v, at))}%`]);
      return;
    case 'startsWith':
      b.whereRaw("?? ilike ? escape '\\'", [column, `${likeEscape(text(v, at))}%`]);
      return;
    case 'containsAny':
      b.whereRaw('?? && ?::text[]', [column, arrayOf(v, at)]);
      return;
    case 'isNull':
      if (typeof v !== 'boolean') throw fail(at, 'expected true or false');
      if (v) b.whereNull(column);
      else b.whereNotNull(column);
      return;
  }
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

function text(v: unknown, at: string): string {
  if (typeof v !== 'string') throw fail(at, 'expected a string');
  if (v.length > FILTER_LIMITS.stringLength) throw fail(at, 'string too long');
  if (v.includes('\u0000')) throw fail(at, 'contains a NUL character');
  return v;
}

function arrayOf(v: unknown, at: string): string[] {
  const arr = Array.isArray(v) ? v : [v];
  if (arr.length === 0 || arr.length > FILTER_LIMITS.inItems)
    throw fail(at, `expected 1 to ${FILTER_LIMITS.inItems} values`);
  return arr.map((x, i) => text(x, `${at}/${i}`));
}

function list(q: Queryable, v: unknown, at: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > FILTER_LIMITS.inItems)
    throw fail(at, `expected an array of 1 to ${FILTER_LIMITS.inItems} values`);
  return v.map((x, i) => scalar(q, x, `${at}/${i}`));
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks one operand against the field's operand kind. */
export function scalar(q: Queryable, v: unknown, at: string): unknown {
  const kind: OperandKind = q.operand;
  const ok: Record<OperandKind, (x: unknown) => boolean> = {
    string: (x) => typeof x === 'string' && x.length <= FILTER_LIMITS.stringLength && !x.includes('\u0000'),
    number: (x) => typeof x === 'number' && Number.isFinite(x),
    integer: (x) => Number.isInteger(x),
    boolean: (x) => typeof x === 'boolean',
    date: (x) => typeof x === 'string' && DATE.test(x),
    datetime: (x) => typeof x === 'string' && !Number.isNaN(Date.parse(x)) && /^\d{4}-\d{2}-\d{2}/.test(x),
    uuid: (x) => typeof x === 'string' && UUID.test(x),
  };
  if (!ok[kind](v)) throw fail(at, `expected a ${kind} for ${q.name}`);
  return v;
}
