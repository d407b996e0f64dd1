import type { Knex } from 'knex';
import { badRequest, DomainError, notFound } from '../../core/errors.js';
import { formatMessage } from '../../core/messages.js';
import type { Lang } from '../../core/model.js';
import type { TenantSessions } from '../../db/tenant-sessions.js';
import type { CompiledObject } from '../../metadata/compile.js';
import { assertCan, isUuid } from '../../records/read.js';
import type { RecordsService, Scope } from '../../records/service.js';
import { asJson } from '../../rule-steps/context.js';
import {
  pipelineOf,
  processFor,
  usable,
  defaultTypeFor,
  type CompiledPipeline,
  type ObjectProcess,
} from './compiled.js';
import { evaluateGates } from './evaluate.js';
import { pipelineStats, readHistory } from './history.js';
import { nextStage, planMove } from './moves.js';

const dateOf = (v: unknown): Date | null =>
  v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;

/**
 * What the path bar, the kanban and integrations read about stages: the object's business
 * types and pipelines, a record's gate checklist without moving it, its stage history, and
 * conversion and duration per stage.
 */
export class StageService {
  constructor(
    private records: RecordsService,
    private sessions: TenantSessions,
    private timeZone: string,
  ) {}

  private process(s: Scope, object: string): { o: CompiledObject; p: ObjectProcess } {
    const o = this.records.object(s.model, object);
    if (!s.access.can(o, 'read'))
      throw new DomainError(403, 'NO_OBJECT_ACCESS', { object: o.name, op: 'read' });
    const p = processFor(s.model, o);
    if (!p.any) throw notFound('NO_PIPELINE', { object: o.name });
    return { o, p };
  }

  private read<T>(s: Scope, fn: (db: Knex) => Promise<T>) {
    return this.sessions.read(s.dbRole, fn);
  }

  /** The object's business types (those the caller may use, and their default) and pipelines. */
  describe(s: Scope, object: string) {
    const { o, p } = this.process(s, object);
    const mine = defaultTypeFor(p, s.access.profile);
    return {
      object: o.name,
      stageField: p.stageField?.name ?? null,
      businessTypes: [...p.types.values()]
        .filter((t) => t.def.active !== false && usable(t, s.access.profile))
        .map((t) => ({
          name: t.name,
          label: t.def.label,
          description: t.def.description ?? null,
          default: t === mine,
          pipeline: t.pipeline?.name ?? null,
          picklists: t.def.picklists ?? {},
          required: t.def.required ?? [],
          layout: t.def.layout ?? null,
        })),
      pipelines: [...p.pipelines.values()].map(describePipeline),
    };
  }

  /**
   * The gate checklist of moving record `id` to `to` (default: the next stage), without moving:
   * whether the move is allowed, and each item of each gate it runs, met or not, with why.
   */
  async checklist(s: Scope, object: string, id: string, to: string | undefined, lang: Lang) {
    const { o, p } = this.process(s, object);
    if (!p.stageField) throw notFound('NO_PIPELINE', { object: o.name });
    if (!isUuid(id)) throw notFound('RECORD_NOT_FOUND', { object: o.name, id });
    await this.records.get(s, o.name, id, ['id']); // 404 unless the caller may read it
    return this.read(s, async (db) => {
      const row = (await db.withSchema(s.schema).from(o.table).where('id', id).first()) as Record<
        string,
        unknown
      >;
      const type = (row.business_type as string | undefined) ?? null;
      const pipeline = pipelineOf(p, type);
      if (!pipeline) throw notFound('NO_PIPELINE', { object: o.name });
      const from = (row[p.stageField!.column] as string | null) ?? null;
      const target = to === undefined ? nextStage(pipeline, from) : pipeline.byValue.get(to);
      if (to !== undefined && !target)
        throw badRequest('STAGE_NOT_IN_PIPELINE', { value: to, pipeline: pipeline.def.label });
      const base = { pipeline: pipeline.name, businessType: type, from, to: target?.value ?? null };
      if (!target) return { ...base, allowed: false, refusal: null, stages: [] };
      const plan = planMove(pipeline, from, target);
      if (!plan.ok)
        return {
          ...base,
          allowed: false,
          refusal: {
            code: plan.code,
            message: formatMessage(plan.code, lang, {
              from: (from && pipeline.byValue.get(from)?.label) || from || '',
              to: target.label,
              skipped: plan.skipped.map((x) => x.label[lang]).join(lang === 'en' ? ', ' : '、'),
            }),
            skipped: plan.skipped.map((x) => x.value),
          },
          stages: [],
        };
      const record = asJson(o, row)!;
      const answers = await evaluateGates(plan.stages, {
        db,
        schema: s.schema,
        model: s.model,
        object: o,
        recordId: id,
        record,
        before: record,
        since: dateOf(row.stage_entered_at),
        now: new Date(),
        actor: s.actor,
        timeZone: this.timeZone,
        lock: false,
        access: s.access,
      });
      const stages = answers.map(({ stage, items }) => ({
        value: stage.value,
        label: stage.label,
        items: items.map(({ item, result }) => ({
          name: item.name,
          kind: item.kind,
          label: item.label,
          met: result.met,
          code: result.code,
          why: formatMessage(result.code, lang, { ...result.params, stage: stage.label }),
          details: result.details,
        })),
      }));
      return {
        ...base,
        allowed: stages.every((st) => st.items.every((i) => i.met)),
        refusal: null,
        stages,
      };
    });
  }

  /** A record's stays in its stages, oldest first. */
  history(s: Scope, object: string, id: string) {
    const { o } = this.process(s, object);
    if (!isUuid(id)) throw notFound('RECORD_NOT_FOUND', { object: o.name, id });
    return this.records
      .get(s, o.name, id, ['id'])
      .then(() => this.read(s, (db) => readHistory(db, s.schema, o, id)));
  }

  /** Conversion rate and average days per stage, per pipeline (or one), over readable records. */
  stats(s: Scope, object: string, pipelineName?: string) {
    const { o, p } = this.process(s, object);
    const chosen: CompiledPipeline[] = pipelineName
      ? [p.pipelines.get(pipelineName) ?? notFoundPipeline(pipelineName)]
      : [...p.pipelines.values()];
    return this.read(s, async (db) => {
      assertCan({ access: s.access }, o, 'read');
      const out = [];
      for (const pl of chosen) {
        const types = p.types.size
          ? [...p.types.values()].filter((t) => t.pipeline === pl).map((t) => t.name)
          : null;
        out.push({
          pipeline: pl.name,
          label: pl.def.label,
          stages: await pipelineStats(db, s.schema, o, pl, types, s.access),
        });
      }
      return out;
    });
  }
}

function notFoundPipeline(name: string): never {
  throw notFound('NO_PIPELINE', { object: name });
}

export function describePipeline(pl: CompiledPipeline) {
  return {
    name: pl.name,
    label: pl.def.label,
    field: pl.field.name,
    allowBack: pl.allowBack,
    allowSkip: pl.allowSkip,
    stages: pl.stages.map((st) => ({
      value: st.value,
      label: st.label,
      category: st.category,
      probability: st.def.probability ?? null,
      forecastCategory: st.def.forecastCategory ?? null,
      guidance: st.def.guidance ?? null,
      maxDays: st.maxDays,
      gate: st.gate.map((g) => ({ name: g.name, kind: g.kind, label: g.label })),
    })),
  };
}
