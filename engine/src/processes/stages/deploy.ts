import type { Knex } from 'knex';
import { pointer, type FieldIssue } from '../../core/errors.js';
import { canonicalJson } from '../../metadata/hash.js';
import type { CompiledModel, CompiledObject } from '../../metadata/compile.js';
import type { DeployExtension, DeployRequest, PlannedStep } from '../../schema-sync/apply.js';
import { OUTBOX, STAGE_HISTORY } from '../../schema-sync/ddl.js';
import { checkProcesses } from './check.js';
import { processFor, type CompiledPipeline, type ObjectProcess } from './compiled.js';
import { dueAt } from './history.js';

interface StageMove {
  pipeline: string;
  from: string;
  to: string;
}

/**
 * The stages part of a deploy. Static checks (checkProcesses), then, in the deploy's transaction:
 * records without a business type get the object's default; records in a stage their pipeline
 * no longer has are refused with their count, or moved where `stageMoves` says (history and an
 * event per record, origin `system`); records that enter a pipeline for the first time start
 * their stay now; due times follow changed maximum days.
 */
export const stagesDeployExtension: DeployExtension = {
  name: 'stages',
  check: checkProcesses,
  async apply(trx, { tenant, prev, next, req }) {
    const issues: FieldIssue[] = [];
    const steps: PlannedStep[] = [];
    const objects = [...next.objects.values()].filter((o) => processFor(next, o).any);
    if (!objects.length && req.stageMoves === undefined) return { issues, steps };
    const moves = parseMoves(req, next, issues);
    const now = new Date();
    for (const o of objects) {
      const p = processFor(next, o);
      const db = () => trx.withSchema(tenant.schema).table(o.table);
      if (p.types.size && p.defaultType) {
        const known = [...p.types.keys()];
        const stray = (await db()
          .where((q) => q.whereNull('business_type').orWhereNotIn('business_type', known))
          .select('business_type')
          .count({ n: '*' })
          .groupBy('business_type')) as { business_type: string | null; n: string | number }[];
        for (const g of stray) {
          const count = Number(g.n);
          await db()
            .where((q) =>
              g.business_type === null
                ? q.whereNull('business_type')
                : q.where('business_type', g.business_type),
            )
            .update({ business_type: p.defaultType.name });
          steps.push(
            dataStep({
              kind: 'setBusinessType',
              object: o.name,
              from: g.business_type,
              to: p.defaultType.name,
              count,
            }),
          );
        }
      }
      if (!p.stageField) continue;
      const column = p.stageField.column;
      const groups = (await db()
        .whereNotNull(column)
        .select(p.types.size ? ['business_type', column] : [column])
        .count({ n: '*' })
        .groupBy(p.types.size ? ['business_type', column] : [column])) as Record<string, unknown>[];
      for (const g of groups) {
        const type = p.types.size ? (g.business_type as string) : null;
        const stage = g[column] as string;
        const pipeline = p.types.size ? (p.types.get(type!)?.pipeline ?? null) : p.pipeline;
        if (!pipeline || pipeline.byValue.has(stage)) continue;
        const count = Number(g.n);
        const move = moves.find((m) => m.pipeline === pipeline.name && m.from === stage);
        if (!move) {
          issues.push({
            pointer: pointer('pipelines', next.pkg.pipelines!.indexOf(pipeline.def), 'stages'),
            code: 'STAGE_HAS_RECORDS',
            params: { stage, count, pipeline: pipeline.def.label },
            detail: { pipeline: pipeline.name, businessType: type, stage, count },
          });
          continue;
        }
        await moveRecords(trx, tenant.schema, o, p, pipeline, type, stage, move.to, req.actor, now);
        steps.push(
          dataStep({
            kind: 'moveStage',
            object: o.name,
            field: p.stageField.name,
            pipeline: pipeline.name,
            businessType: type,
            from: stage,
            to: move.to,
            count,
          }),
        );
      }
      await startStays(trx, tenant.schema, o, p, now);
      if (changedFor(prev, next, o)) await refreshDue(trx, tenant.schema, o, p);
    }
    return { issues, steps };
  },
};

const dataStep = (change: PlannedStep['change']): PlannedStep => ({ change, ddl: false, sql: [] });

function parseMoves(req: DeployRequest, next: CompiledModel, issues: FieldIssue[]): StageMove[] {
  const raw = req.stageMoves;
  if (raw === undefined) return [];
  const bad = (at: string, code = 'STAGE_MOVE_INVALID', params: Record<string, unknown> = {}) =>
    issues.push({ pointer: `/stageMoves${at}`, code, params });
  if (!Array.isArray(raw) || raw.length > 500) {
    bad('');
    return [];
  }
  const out: StageMove[] = [];
  raw.forEach((m: unknown, i) => {
    const x = m as Partial<StageMove> | null;
    const p = (next.pkg.pipelines ?? []).find((q) => q.name === x?.pipeline);
    if (!x || typeof x.from !== 'string' || typeof x.to !== 'string' || !p) return bad(`/${i}`);
    if (!p.stages.some((s) => s.value === x.to))
      return bad(`/${i}/to`, 'STAGE_MOVE_NOT_A_STAGE', { value: x.to, pipeline: p.label });
    out.push({ pipeline: p.name, from: x.from, to: x.to });
  });
  return out;
}

/**
 * Records of one type in a removed stage go to another: their stay ends, a new one starts, and an
 * event says so if the object publishes change events.
 */
async function moveRecords(
  trx: Knex.Transaction,
  schema: string,
  o: CompiledObject,
  p: ObjectProcess,
  pipeline: CompiledPipeline,
  type: string | null,
  from: string,
  to: string,
  actor: string,
  now: Date,
) {
  const column = p.stageField!.column;
  const which = (q: Knex.QueryBuilder) => {
    q.where(column, from);
    if (type !== null) q.where('business_type', type);
    return q;
  };
  const ids = which(trx.withSchema(schema).from(o.table).select('id'));
  await trx
    .withSchema(schema)
    .table(STAGE_HISTORY)
    .where({ object_id: o.id })
    .whereNull('left_at')
    .whereIn('record_id', ids.clone())
    .update({ left_at: now });
  await trx.raw(
    'insert into ??.?? (object_id, record_id, pipeline, business_type, from_stage, to_stage, entered_at, actor, origin) select ?, id, ?, ?, ?, ?, ?, ?, ? from ??.?? where id in ?',
    [
      schema,
      STAGE_HISTORY,
      o.id,
      pipeline.name,
      type,
      from,
      to,
      now,
      actor,
      'system',
      schema,
      o.table,
      ids.clone(),
    ],
  );
  if (o.changeEvents)
    await trx.raw(
      "insert into ??.?? (type, object, record_id, actor, payload) select 'record.updated', ?, id, ?, ?::jsonb from ??.?? where id in ?",
      [
        schema,
        OUTBOX,
        o.name,
        actor,
        JSON.stringify({ changed: [p.stageField!.name], origin: 'system' }),
        schema,
        o.table,
        ids.clone(),
      ],
    );
  await which(trx.withSchema(schema).table(o.table)).update({
    [column]: to,
    stage_entered_at: now,
    stage_due_at: dueAt(pipeline.byValue.get(to)!, now),
    version: trx.raw('?? + 1', ['version']),
    updated_at: now,
  });
}

/** Records that have a stage but no stay yet (a pipeline added to existing data) start one now. */
async function startStays(
  trx: Knex.Transaction,
  schema: string,
  o: CompiledObject,
  p: ObjectProcess,
  now: Date,
) {
  const column = p.stageField!.column;
  const pipelines = p.types.size
    ? [...p.types.values()].filter((t) => t.pipeline).map((t) => ({ type: t.name, pipeline: t.pipeline! }))
    : p.pipeline
      ? [{ type: null, pipeline: p.pipeline }]
      : [];
  for (const { type, pipeline } of pipelines) {
    const which = (q: Knex.QueryBuilder) => {
      q.whereNull('stage_entered_at').whereIn(column, [...pipeline.byValue.keys()]);
      if (type !== null) q.where('business_type', type);
      return q;
    };
    const ids = which(trx.withSchema(schema).from(o.table).select('id'));
    await trx.raw(
      'insert into ??.?? (object_id, record_id, pipeline, business_type, from_stage, to_stage, entered_at, origin) select ?, id, ?, ?, null, ??, ?, ? from ??.?? where id in ?',
      [schema, STAGE_HISTORY, o.id, pipeline.name, type, column, now, 'system', schema, o.table, ids.clone()],
    );
    await which(trx.withSchema(schema).table(o.table)).update({ stage_entered_at: now });
  }
}

/** Due times from the stages' maximum days (one UPDATE per type and stage). */
async function refreshDue(trx: Knex.Transaction, schema: string, o: CompiledObject, p: ObjectProcess) {
  const column = p.stageField!.column;
  const pairs = p.types.size
    ? [...p.types.values()].flatMap((t) =>
        t.pipeline ? t.pipeline.stages.map((s) => ({ type: t.name, s })) : [],
      )
    : (p.pipeline?.stages ?? []).map((s) => ({ type: null as string | null, s }));
  for (const { type, s } of pairs) {
    const q = trx.withSchema(schema).table(o.table).where(column, s.value).whereNotNull('stage_entered_at');
    if (type !== null) q.where('business_type', type);
    await q.update({
      stage_due_at:
        s.maxDays === null ? null : trx.raw('?? + make_interval(days => ?)', ['stage_entered_at', s.maxDays]),
    });
  }
}

/** Did this object's business types or pipelines change in this deploy? */
function changedFor(prev: CompiledModel | null, next: CompiledModel, o: CompiledObject): boolean {
  const of = (m: CompiledModel | null) =>
    canonicalJson({
      t: (m?.pkg.businessTypes ?? []).filter((t) => t.object === o.name),
      p: (m?.pkg.pipelines ?? []).filter((p) => p.object === o.name),
    });
  return of(prev) !== of(next);
}
