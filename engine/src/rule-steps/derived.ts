import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import type { CompiledModel, CompiledObject } from '../metadata/compile.js';
import { catalogOf } from '../records/catalog.js';
import { applyFilter } from '../records/filter.js';
import type { PrepareContext, RecordStep, WriteItem } from '../records/pipeline.js';
import { evaluate } from '../rules/index.js';
import { graphFor, rulesFor, type RollupLink } from './compiled.js';
import { asJson, coerce, dataFor, loadLookups, sameValue, todayIn } from './context.js';

type Row = Record<string, unknown>;
/** A record whose stored values changed: 'all' for creates and deletes. */
interface Change {
  before: Row | null;
  after: Row | null;
  changed: Set<string> | 'all';
}
interface Env {
  trx: Knex;
  schema: Ident;
  model: CompiledModel;
  today: string;
  now: string;
}

/** How deep one write may ripple (child → parent roll-up → grand-parent roll-up / formulas). */
const MAX_DEPTH = 5;

/**
 * After persist, in the write's transaction: roll-ups of parents whose children changed (old and
 * new parent on re-parenting), formulas of records that read a changed record through a lookup,
 * and whatever depends on those in turn. Roll-up and formula recalcs do not bump the parent's
 * version: they are not edits, and a user editing the parent must not get a conflict because a
 * colleague logged an activity.
 */
const derivesFrom = (ctx: PrepareContext) => {
  const g = graphFor(ctx.model);
  return g.rollupsOf.has(ctx.object.name) || g.lookupFormulasOf.has(ctx.object.name);
};

export function derivedStep(timeZone: string): RecordStep {
  return {
    name: 'derived',
    needsTransaction: (ctx) => derivesFrom(ctx),
    needsBefore: (ctx) => derivesFrom(ctx),
    async run(ctx) {
      const g = graphFor(ctx.model);
      if (!g.rollupsOf.has(ctx.object.name) && !g.lookupFormulasOf.has(ctx.object.name)) return;
      const now = new Date();
      const env: Env = {
        trx: ctx.trx,
        schema: ctx.schema,
        model: ctx.model,
        today: todayIn(timeZone, now),
        now: now.toISOString(),
      };
      await propagate(env, ctx.object, ctx.items.map(changeOf), 0);
    },
  };
}

function changeOf(i: WriteItem): Change {
  if (i.op !== 'update')
    return { before: i.before, after: i.op === 'delete' ? null : (i.after ?? null), changed: 'all' };
  const changed = new Set<string>();
  for (const k of Object.keys(i.values)) changed.add(k);
  return { before: i.before, after: i.after ?? null, changed };
}

const touches = (c: Change, inputs: Set<string>) =>
  c.changed === 'all' || [...inputs].some((f) => (c.changed as Set<string>).has(f));

async function propagate(env: Env, o: CompiledObject, changes: Change[], depth: number): Promise<void> {
  if (depth > MAX_DEPTH || !changes.length) return;
  const g = graphFor(env.model);
  const byParent = new Map<string, RollupLink[]>();
  for (const link of g.rollupsOf.get(o.name) ?? [])
    byParent.set(link.parent.name, [...(byParent.get(link.parent.name) ?? []), link]);
  for (const links of byParent.values()) {
    const ids = new Set<string>();
    for (const c of changes)
      for (const l of links)
        if (touches(c, l.inputs))
          for (const row of [c.before, c.after])
            if (row && typeof row[l.via.column] === 'string') ids.add(row[l.via.column] as string);
    if (!ids.size) continue;
    const parent = links[0].parent;
    const parentChanges = await recomputeRollups(
      env,
      parent,
      rulesOnParent(parent, env.model),
      [...ids].sort(),
    );
    const formulaChanges = await recomputeFormulasAfter(env, parent, parentChanges);
    await propagate(env, parent, merge(parentChanges, formulaChanges), depth + 1);
  }
  for (const link of g.lookupFormulasOf.get(o.name) ?? []) {
    const ids = changes
      .filter((c) => c.before && c.after && touches(c, link.reads))
      .map((c) => c.after!.id as string);
    if (!ids.length) continue;
    const out = await recomputeFormulas(env, link.object, (q) => q.whereIn(link.lookup.column, ids));
    await propagate(env, link.object, out, depth + 1);
  }
}

/** All roll-ups of a parent object (recomputed together: one lock, one UPDATE). */
function rulesOnParent(parent: CompiledObject, model: CompiledModel): RollupLink[] {
  const out: RollupLink[] = [];
  for (const links of graphFor(model).rollupsOf.values())
    for (const l of links) if (l.parent === parent) out.push(l);
  return out;
}

/** The aggregate of one roll-up as a correlated subquery on the parent row. */
function aggregate(env: Env, l: RollupLink): Knex.QueryBuilder | Knex.Raw {
  const child = env.model.objects.get(l.field.def.summary!.object)!;
  const sub = env.trx
    .from(env.trx.raw('??.?? as ??', [env.schema, child.table, '_child']))
    .where(`_child.${l.via.column}`, env.trx.ref(`${l.parent.table}.id`));
  if (l.filter !== undefined) applyFilter(sub, l.filter, catalogOf(child), '_child');
  if (l.fn === 'count') return sub.count('*');
  const col = `_child.${l.value!.column}`;
  if (l.fn === 'sum') return env.trx.raw('coalesce((?), 0)', [sub.sum(col)]);
  return l.fn === 'min' ? sub.min(col) : sub.max(col);
}

/**
 * Recomputes roll-ups for some parents. The parents are locked first, in id order, by a statement
 * of its own: the UPDATE that follows starts a new snapshot, so it counts every child committed
 * by writers that held the lock before us (exact under concurrent sibling writes).
 */
export async function recomputeRollups(
  env: Env,
  parent: CompiledObject,
  links: RollupLink[],
  ids: string[],
): Promise<Change[]> {
  if (!links.length || !ids.length) return [];
  const t = () => env.trx.withSchema(env.schema).table(parent.table);
  const old = (await t().whereIn('id', ids).orderBy('id').forNoKeyUpdate().select('*')) as Row[];
  if (!old.length) return [];
  const set: Record<string, unknown> = {};
  for (const l of links) set[l.field.column] = aggregate(env, l);
  const fresh = (await t()
    .whereIn(
      'id',
      old.map((r) => r.id as string),
    )
    .update(set)
    .returning('*')) as Row[];
  const before = new Map(old.map((r) => [r.id as string, r]));
  const out: Change[] = [];
  for (const row of fresh) {
    const b = before.get(row.id as string)!;
    const changed = new Set(
      links
        .filter((l) => !sameValue(num(b[l.field.column]), num(row[l.field.column])))
        .map((l) => l.field.name),
    );
    if (changed.size) out.push({ before: b, after: row, changed });
  }
  return out;
}
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Formulas of a parent that read the roll-ups that just changed. */
async function recomputeFormulasAfter(env: Env, o: CompiledObject, changes: Change[]): Promise<Change[]> {
  const r = rulesFor(env.model, o);
  const changedFields = new Set(changes.flatMap((c) => (c.changed === 'all' ? [] : [...c.changed])));
  if (!r.formulas.some((f) => [...f.expr.refs.fields].some((n) => changedFields.has(n)))) return [];
  const ids = changes.map((c) => c.after!.id as string);
  return recomputeFormulas(env, o, (q) => q.whereIn('id', ids));
}

function merge(a: Change[], b: Change[]): Change[] {
  const byId = new Map(a.map((c) => [c.after!.id as string, c]));
  for (const c of b) {
    const x = byId.get(c.after!.id as string);
    if (!x) byId.set(c.after!.id as string, c);
    else
      byId.set(c.after!.id as string, {
        before: x.before,
        after: c.after,
        changed: new Set([...(x.changed as Set<string>), ...(c.changed as Set<string>)]),
      });
  }
  return [...byId.values()];
}

/** Recomputes an object's stored formulas for the rows `scope` selects; writes only what changed. */
export async function recomputeFormulas(
  env: Env,
  o: CompiledObject,
  scope: (q: Knex.QueryBuilder) => void,
): Promise<Change[]> {
  const r = rulesFor(env.model, o);
  if (!r.formulas.length) return [];
  const q = env.trx.withSchema(env.schema).from(o.table).select('*').orderBy('id').forNoKeyUpdate();
  scope(q);
  const rows = (await q) as Row[];
  if (!rows.length) return [];
  const recs = rows.map((row) => asJson(o, row)!);
  const lookups = r.lookups.size ? await loadLookups(env.trx, env.schema, env.model, o, r.lookups, recs) : [];
  const out: Change[] = [];
  for (const [n, rec] of recs.entries()) {
    const data = dataFor(rec, rec, null, env.today, env.now, lookups[n]);
    const set: Record<string, unknown> = {};
    for (const f of r.formulas) {
      const res = evaluate(f.expr, data);
      const v = coerce(f.field, 'error' in res ? null : res.value);
      if (!sameValue(v, rec[f.field.name])) set[f.field.column] = v;
      rec[f.field.name] = v;
      data[f.field.name] = v;
    }
    if (!Object.keys(set).length) continue;
    const [after] = (await env.trx
      .withSchema(env.schema)
      .table(o.table)
      .where('id', rows[n].id as string)
      .update(set)
      .returning('*')) as Row[];
    out.push({
      before: rows[n],
      after,
      changed: new Set(r.formulas.filter((f) => f.field.column in set).map((f) => f.field.name)),
    });
  }
  return out;
}

/**
 * Recomputes stored formulas and roll-ups of existing records, e.g. after a deploy added one:
 * every roll-up and formula of `objectName` (or of every object), in one transaction per object.
 */
export async function recomputeDerived(
  knex: Knex,
  tenant: { schema: Ident; dbRole?: Ident },
  model: CompiledModel,
  objectName?: string,
  opts: { timeZone?: string; batchSize?: number } = {},
): Promise<{ object: string; rollups: number; formulas: number }[]> {
  const now = new Date();
  const objects = objectName
    ? [model.objects.get(objectName)].filter((o): o is CompiledObject => !!o)
    : [...model.objects.values()];
  const report: { object: string; rollups: number; formulas: number }[] = [];
  const batch = opts.batchSize ?? 500;
  for (const o of objects) {
    const links = rulesOnParent(o, model);
    const hasFormulas = rulesFor(model, o).formulas.length > 0;
    if (!links.length && !hasFormulas) continue;
    let rollups = 0;
    let formulas = 0;
    for (let after = ''; ;) {
      const done = await knex.transaction(async (trx) => {
        if (tenant.dbRole) await trx.raw('select set_config(?, ?, true)', ['role', tenant.dbRole]);
        const env: Env = {
          trx,
          schema: tenant.schema,
          model,
          today: todayIn(opts.timeZone ?? 'Asia/Shanghai', now),
          now: now.toISOString(),
        };
        const ids = (
          (await trx
            .withSchema(tenant.schema)
            .from(o.table)
            .where('id', '>', after || '00000000-0000-0000-0000-000000000000')
            .orderBy('id')
            .limit(batch)
            .select('id')) as Row[]
        ).map((r) => r.id as string);
        if (!ids.length) return null;
        const rc = await recomputeRollups(env, o, links, ids);
        const fc = hasFormulas ? await recomputeFormulas(env, o, (q) => q.whereIn('id', ids)) : [];
        rollups += rc.length;
        formulas += fc.length;
        await propagate(env, o, merge(rc, fc), 1);
        return ids[ids.length - 1];
      });
      if (!done) break;
      after = done;
    }
    report.push({ object: o.name, rollups, formulas });
  }
  return report;
}
