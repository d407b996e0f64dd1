import type { Knex } from 'knex';
import { badRequest } from '../core/errors.js';
import { text as msg } from '../core/messages.js';
import type { I18nText } from '../core/model.js';
import type { FilterOp, Storage } from '../fields/field-type.js';
import { operandProblem } from '../fields/operands.js';
import type { Catalog, Queryable } from './catalog.js';

/** Limits that keep a filter cheap to parse and to plan. */
export const FILTER_LIMITS = { depth: 10, predicates: 200, inItems: 500, stringLength: 1000 } as const;

type Where = Knex.QueryBuilder;

const fail = (pointer: string, reason: I18nText) =>
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
    if (depth > FILTER_LIMITS.depth) throw fail(at, msg('R_NESTED_TOO_DEEP', { max: FILTER_LIMITS.depth }));
    if (!n || typeof n !== 'object' || Array.isArray(n)) throw fail(at, msg('R_EXPECTED_OBJECT'));
    for (const [key, value] of Object.entries(n)) {
      const here = `${at}/${key}`;
      if (key === 'and' || key === 'or') {
        if (!Array.isArray(value) || value.length === 0) throw fail(here, msg('R_EXPECTED_LIST'));
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
        if (!q) throw fail(here, msg('R_UNKNOWN_FIELD', { field: key }));
        const ops =
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? Object.entries(value)
            : [['eq', value] as [string, unknown]];
        if (ops.length === 0) throw fail(here, msg('R_NO_OPERATOR'));
        for (const [op, operand] of ops) {
          if (++state.predicates > FILTER_LIMITS.predicates)
            throw fail(here, msg('R_TOO_MANY_CONDITIONS', { max: FILTER_LIMITS.predicates }));
          predicate(b, q, col(q), op, operand, `${here}/${op}`);
        }
      }
    }
  };
  node(qb, filter, '', 1);
}

function predicate(b: Where, q: Queryable, column: string, op: string, v: unknown, at: string): void {
  if (!(q.operators as readonly string[]).includes(op))
    throw fail(at, msg('R_OPERATOR_NOT_ALLOWED', { op, field: q.name, allowed: q.operators.join(', ') }));
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
      if (typeof v !== 'boolean') throw fail(at, msg('R_EXPECTED_BOOLEAN'));
      if (v) b.whereNull(column);
      else b.whereNotNull(column);
      return;
  }
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

function text(v: unknown, at: string): string {
  const why = operandProblem('string', undefined, v);
  if (why) throw fail(at, why);
  return v as string;
}

function arrayOf(v: unknown, at: string): string[] {
  const arr = Array.isArray(v) ? v : [v];
  if (arr.length === 0 || arr.length > FILTER_LIMITS.inItems)
    throw fail(at, msg('R_EXPECTED_VALUES', { max: FILTER_LIMITS.inItems }));
  return arr.map((x, i) => text(x, `${at}/${i}`));
}

function list(q: Queryable, v: unknown, at: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > FILTER_LIMITS.inItems)
    throw fail(at, msg('R_EXPECTED_VALUES', { max: FILTER_LIMITS.inItems }));
  return v.map((x, i) => scalar(q, x, `${at}/${i}`));
}

/** Checks one operand with the field type's own parser: its kind, and a value its column can hold. */
export function scalar(q: Queryable, v: unknown, at: string): unknown {
  const why = operandProblem(q.operand, q.field?.storage ?? SYSTEM_STORAGE[q.operand], v);
  if (why) throw fail(at, why);
  return v;
}

/** System fields have no field definition: `version` is an integer column. */
const SYSTEM_STORAGE: Partial<Record<Queryable['operand'], Storage>> = { integer: { pg: 'integer' } };
