import type { Knex } from 'knex';
import type { FieldIssue } from '../core/errors.js';
import type { Ident } from '../core/ident.js';
import type { CompiledModel, CompiledObject } from '../metadata/compile.js';
import { catalogOf } from '../records/catalog.js';
import { applyFilter } from '../records/filter.js';
import { lockRows, writeDerived, type InternalScope } from '../records/internal-write.js';
import type {
  PrepareContext,
  RecordStep,
  WriteContext,
  WriteItem,
  WriteOrigin,
} from '../records/pipeline.js';
import { evaluate, truthy } from '../rules/index.js';
import { graphFor, rulesFor, type RollupLink } from './compiled.js';
import { asJson, coerce, dataFor, loadLookups, sameValue, todayIn } from './context.js';

type Row = Record<string, unknown>;
/** A record whose stored values changed: 'all' for creates and deletes. */
interface Change {
  before: Row | null;
  after: Row | null;
  changed: Set<string> | 'all';
  /** Where in the request the write that caused this change sits (for a parent rule's error). */
  pointer?: string;
}
interface Env {
  trx: Knex;
  schema: Ident;
  model: CompiledModel;
  today: string;
  now: string;
  /** Who caused the recalculation, and its origin (always `system` for derived values). */
  actor: string | null;
  origin: WriteOrigin;
  /** Parent rules broken by a roll-up change; null: do not check (a backfill after a deploy). */
  issues: FieldIssue[] | null;
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
const derivesFrom = (ctx: Pick<PrepareContext, 'model' | 'object'>) => {
  const g = graphFor(ctx.model);
  return g.rollupsOf.has(ctx.object.name) || g.lookupFormulasOf.has(ctx.object.name);
};

export function derivedStep(timeZone: string): RecordStep {
  return {
    name: 'derived',
    needsTransaction: (ctx) => derivesFrom(ctx),
    needsBefore: (ctx) => derivesFrom(ctx),
    // Synchronous for objects nothing derives from (most): the pipeline then awaits nothing.
    run(ctx) {
      if (derivesFrom(ctx)) return derive(ctx, timeZone);
    },
  };
}

async function derive(ctx: WriteContext, timeZone: string) {
  const now = new Date();
  const env: Env = {
    trx: ctx.trx,
    schema: ctx.schema,
    model: ctx.model,
    today: todayIn(timeZone, now),
    now: now.toISOString(),
    actor: ctx.actor,
    origin: 'system',
    issues: ctx.issues,
  };
  await propagate(env, ctx.object, ctx.items.map(changeOf), 0);
}

function changeOf(i: WriteItem): Change {
  if (i.op !== 'update')
    return {
      before: i.before,
      after: i.op === 'delete' ? null : (i.after ?? null),
      changed: 'all',
      pointer: i.pointer,
    };
  const changed = new Set<string>();
  for (const k of Object.keys(i.values)) changed.add(k);
  return { before: i.before, after: i.after ?? null, changed, pointer: i.pointer };
}

const internal = (env: Env, o: CompiledObject): InternalScope => ({
  trx: env.trx,
  schema: env.schema,
  object: o,
  actor: env.actor,
  origin: env.origin,
});

const touches = (c: Change, inputs: Set<string>) =>
  c.changed === 'all' || [...inputs].some((f) => (c.changed as Set<string>).has(f));

async function propagate(env: Env, o: CompiledObject, changes: Change[], depth: number): Promise<void> {
  if (depth > MAX_DEPTH || !changes.length) return;
  const g = graphFor(env.model);
  const byParent = new Map<string, RollupLink[]>();
  for (const link of g.rollupsOf.get(o.name) ?? [])
    byParent.set(link.parent.name, [...(byParent.get(link.parent.name) ?? []), link]);
  for (const links of byParent.values()) {
    // parent id → where the first child write that touched it sits in the request
    const ids = new Map<string, string | undefined>();
    for (const c of changes)
      for (const l of links)
        if (touches(c, l.inputs))
          for (const row of [c.before, c.after])
            if (row && typeof row[l.via.column] === 'string' && !ids.has(row[l.via.column] as string))
              // a deleted child has no body: the error points at the operation itself
              ids.set(
                row[l.via.column] as string,
                c.pointer === undefined ? undefined : c.after ? `${c.pointer}/${l.via.name}` : c.pointer,
              );
    if (!ids.size) continue;
    const parent = links[0].parent;
    const parentChanges = await recomputeRollups(
      env,
      parent,
      rulesOnParent(parent, env.model),
      [...ids.keys()].sort(),
    );
    const formulaChanges = await recomputeFormulasAfter(env, parent, parentChanges);
    const merged = merge(parentChanges, formulaChanges);
    for (const c of merged) c.pointer = ids.get(c.after!.id as string);
    await checkParentRules(env, parent, merged);
    await propagate(env, parent, merged, depth + 1);
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

/**
 * A parent's own validation rules, when its roll-ups (or formulas reading them) changed: as in
 * Salesforce, a child write that leaves the parent breaking one of its rules is refused, in the
 * same transaction (the parent row is locked, so concurrent sibling writes are checked in turn).
 * Only rules that read a changed field run: a rule the change cannot affect is not re-judged.
 */
async function checkParentRules(env: Env, parent: CompiledObject, changes: Change[]): Promise<void> {
  if (!env.issues || !changes.length) return;
  const r = rulesFor(env.model, parent);
  if (!r.validation.length) return;
  const name = parent.nameField ? parent.fields.get(parent.nameField) : undefined;
  const lookups = r.lookups.size
    ? await loadLookups(
        env.trx,
        env.schema,
        env.model,
        parent,
        r.lookups,
        changes.map((c) => asJson(parent, c.after)!),
      )
    : [];
  changes.forEach((c, n) => {
    const changed = c.changed === 'all' ? null : c.changed;
    // a recalculation is an update of the parent: rules that run on update and read what changed
    const rules = r.validation.filter(
      (v) => v.on.has('update') && (!changed || [...v.expr.refs.fields].some((f) => changed.has(f))),
    );
    if (!rules.length) return;
    const record = asJson(parent, c.after)!;
    const data = dataFor(record, asJson(parent, c.before), env.actor, env.today, env.now, lookups[n]);
    for (const v of rules) {
      const res = evaluate(v.expr, data);
      if ('error' in res || !truthy(res.value)) continue;
      env.issues!.push({
        pointer: c.pointer ?? '',
        code: 'PARENT_RULE',
        params: {
          object: parent.def.label,
          record: String((name && c.after![name.column]) ?? c.after!.id),
          message: v.rule.message,
          rule: v.rule.name,
        },
        detail: { object: parent.name, id: c.after!.id, rule: v.rule.name },
      });
    }
  });
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
  const w = internal(env, parent);
  const old = await lockRows(w, ids);
  if (!old.length) return [];
  const set: Record<string, unknown> = {};
  for (const l of links) set[l.field.column] = aggregate(env, l);
  return writeDerived(w, old, set);
}

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
        pointer: x.pointer,
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
  const sets = new Map<Row, Record<string, unknown>>();
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
    if (Object.keys(set).length) sets.set(rows[n], set);
  }
  return writeDerived(internal(env, o), [...sets.keys()], (row) => sets.get(row) ?? null);
}

/** Where a recompute writes: the tenant's schema, and transactions under the tenant's role. */
export interface RecomputeTarget {
  schema: Ident;
  write<T>(fn: (trx: Knex) => Promise<T>): Promise<T>;
}

export interface RecomputeProgress {
  /** Records of objects with roll-ups or formulas, visited so far / in all. */
  done: number;
  total: number;
  /** The object being recomputed. */
  object: string | null;
}

export interface RecomputeReport {
  object: string;
  rollups: number;
  formulas: number;
}

/**
 * Recomputes stored formulas and roll-ups of existing records, e.g. after a deploy added or
 * changed one: every roll-up and formula of `object` (or of every object), in batches of
 * `batchSize` records, one transaction per batch, reporting progress after each. Writes go through
 * the internal write path (history, events) with origin `system`. Parent rules are not re-checked:
 * a backfill brings stored values up to date, it does not judge old records.
 */
export async function recomputeDerived(
  target: RecomputeTarget,
  model: CompiledModel,
  opts: {
    object?: string;
    timeZone?: string;
    batchSize?: number;
    actor?: string | null;
    onProgress?: (p: RecomputeProgress) => void | Promise<void>;
  } = {},
): Promise<RecomputeReport[]> {
  const now = new Date();
  const objects = (
    opts.object
      ? [model.objects.get(opts.object)].filter((o): o is CompiledObject => !!o)
      : [...model.objects.values()]
  ).filter((o) => rulesOnParent(o, model).length > 0 || rulesFor(model, o).formulas.length > 0);
  const batch = opts.batchSize ?? 500;
  const progress: RecomputeProgress = { done: 0, total: 0, object: null };
  await target.write(async (trx) => {
    for (const o of objects) {
      const [{ n }] = (await trx.withSchema(target.schema).from(o.table).count({ n: '*' })) as {
        n: unknown;
      }[];
      progress.total += Number(n);
    }
  });
  await opts.onProgress?.({ ...progress });
  const report: RecomputeReport[] = [];
  for (const o of objects) {
    const links = rulesOnParent(o, model);
    const hasFormulas = rulesFor(model, o).formulas.length > 0;
    progress.object = o.name;
    let rollups = 0;
    let formulas = 0;
    for (let after = ''; ;) {
      const done = await target.write(async (trx) => {
        const env: Env = {
          trx,
          schema: target.schema,
          model,
          today: todayIn(opts.timeZone ?? 'Asia/Shanghai', now),
          now: now.toISOString(),
          actor: opts.actor ?? null,
          origin: 'system',
          issues: null,
        };
        const ids = (
          (await trx
            .withSchema(target.schema)
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
        return { last: ids[ids.length - 1], count: ids.length };
      });
      if (!done) break;
      after = done.last;
      progress.done = Math.min(progress.total, progress.done + done.count);
      await opts.onProgress?.({ ...progress });
    }
    report.push({ object: o.name, rollups, formulas });
  }
  return report;
}
