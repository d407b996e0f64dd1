import { text as msg } from '../core/messages.js';
import { badRequest } from '../core/errors.js';
import type { JsonValue } from '../core/model.js';
import type { CompiledObject } from '../metadata/compile.js';
import { applyFilter } from './filter.js';
import { assertCan, catalogFor, type ReadScope } from './read.js';

export interface AggregateRequest {
  groupBy?: string[];
  metrics?: { fn: 'count' | 'sum' | 'avg' | 'min' | 'max'; field?: string }[];
  filter?: unknown;
  limit?: number;
}

const ALLOWED = new Set(['groupBy', 'metrics', 'filter', 'limit']);
export const AGGREGATE_LIMITS = { groups: 5, metrics: 10, rows: 1000 } as const;

/**
 * Group-by aggregates: every group key must be a groupable field, every metric an allowed
 * function of a field that supports it. Result keys are `count` or `<fn>_<field>`.
 */
export async function aggregate(s: ReadScope, o: CompiledObject, body: unknown) {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('BAD_AGGREGATE', { reason: msg('R_EXPECTED_OBJECT') });
  const req = body as AggregateRequest;
  for (const k of Object.keys(req))
    if (!ALLOWED.has(k))
      throw badRequest('BAD_AGGREGATE', { reason: msg('R_UNKNOWN_PROPERTY', { name: k }) });
  assertCan(s, o, 'read');
  const cat = catalogFor(s, o);
  const groupBy = req.groupBy ?? [];
  const metrics = req.metrics ?? [{ fn: 'count' as const }];
  if (!Array.isArray(groupBy) || groupBy.length > AGGREGATE_LIMITS.groups)
    throw badRequest('BAD_AGGREGATE', { reason: msg('R_TOO_MANY_GROUPS', { max: AGGREGATE_LIMITS.groups }) });
  if (!Array.isArray(metrics) || metrics.length < 1 || metrics.length > AGGREGATE_LIMITS.metrics)
    throw badRequest('BAD_AGGREGATE', { reason: msg('R_METRICS_COUNT', { max: AGGREGATE_LIMITS.metrics }) });
  const limit = req.limit ?? AGGREGATE_LIMITS.rows;
  if (!Number.isInteger(limit) || limit < 1 || limit > AGGREGATE_LIMITS.rows)
    throw badRequest('BAD_AGGREGATE', { reason: msg('R_LIMIT_RANGE', { max: AGGREGATE_LIMITS.rows }) });

  const qb = s.db.withSchema(s.schema).from(o.table);
  s.access.scopeRead(qb, o, (name) => `${o.table}.${name}`);
  const groups = groupBy.map((name) => {
    const q = typeof name === 'string' ? cat.all.get(name) : undefined;
    if (!q || !q.groupable)
      throw badRequest('BAD_AGGREGATE', { reason: msg('R_CANNOT_GROUP', { field: String(name) }) });
    return q;
  });
  for (const g of groups) qb.select({ [g.name]: g.column }).groupBy(g.column);
  const aliases: string[] = [];
  for (const m of metrics) {
    if (!m || typeof m !== 'object') throw badRequest('BAD_AGGREGATE', { reason: msg('R_EXPECTED_OBJECT') });
    if (m.fn === 'count' && m.field === undefined) {
      qb.count({ count: '*' });
      aliases.push('count');
      continue;
    }
    const q = typeof m.field === 'string' ? cat.all.get(m.field) : undefined;
    const fn = m.fn as string;
    if (!q || (fn !== 'count' && !(q.aggregates as readonly string[]).includes(fn)))
      throw badRequest('BAD_AGGREGATE', {
        reason: msg('R_METRIC_NOT_ALLOWED', { fn: String(fn), field: String(m.field) }),
      });
    const alias = `${fn}_${q.name}`;
    if (fn === 'count') qb.count({ [alias]: q.column });
    else if (fn === 'sum') qb.sum({ [alias]: q.column });
    else if (fn === 'avg') qb.avg({ [alias]: q.column });
    else if (fn === 'min') qb.min({ [alias]: q.column });
    else qb.max({ [alias]: q.column });
    aliases.push(alias);
  }
  if (req.filter !== undefined) applyFilter(qb, req.filter, cat);
  for (const g of groups) qb.orderBy(g.column, 'asc', 'last');
  qb.limit(limit);
  const rows = (await qb) as Record<string, unknown>[];
  return rows.map((r) => {
    const out: Record<string, JsonValue> = {};
    for (const g of groups) {
      const v = r[g.name];
      out[g.name] = v === null || v === undefined ? null : g.fromDb ? g.fromDb(v) : (v as JsonValue);
    }
    for (const a of aliases) {
      const v = r[a];
      out[a] =
        v === null || v === undefined
          ? null
          : v instanceof Date
            ? v.toISOString()
            : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)
              ? Number(v)
              : (v as JsonValue);
    }
    return out;
  });
}
