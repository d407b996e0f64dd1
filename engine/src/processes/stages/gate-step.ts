import { DomainError, type FieldIssue } from '../../core/errors.js';
import type { PrepareContext, RecordStep, WriteContext, WriteItem } from '../../records/pipeline.js';
import { isBlank } from '../../rules/index.js';
import { asJson } from '../../rule-steps/context.js';
import { defaultTypeFor, pipelineOf, processFor, usable, type ObjectProcess } from './compiled.js';
import { evaluateGates, unmetIssues } from './evaluate.js';
import { dueAt, noteMove } from './history.js';
import { planMove } from './moves.js';

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Does this update change what the stage, the type or a type's rules decide? */
function touches(p: ObjectProcess, item: WriteItem): boolean {
  if (item.op !== 'update') return false;
  if (p.types.size && has(item.input, 'business_type')) return true;
  if (p.stageField && has(item.input, p.stageField.name)) return true;
  for (const f of p.sensitive) if (has(item.input, f)) return true;
  return false;
}

/** Writes that change a stage (or may: creates, type changes) lock, and store history: one transaction. */
const moving = (p: ObjectProcess, ctx: PrepareContext) =>
  ctx.items.some(
    (i) =>
      (i.op === 'create' && !!p.stageField) ||
      (i.op === 'update' &&
        ((p.types.size > 0 && has(i.input, 'business_type')) ||
          (!!p.stageField && has(i.input, p.stageField.name)))),
  );

/**
 * Before validation: the business type leaves the values for its engine column (a caller's
 * `business_type`, or at create the default of their profile), and a new record without a stage
 * starts in the first stage of its type's pipeline.
 */
export const businessTypeStep: RecordStep = {
  name: 'business-type',
  needsTransaction: () => false,
  needsBefore: () => false,
  run(ctx) {
    const p = processFor(ctx.model, ctx.object);
    if (!p.any) return;
    for (const item of ctx.items) {
      if (item.op === 'delete') continue;
      if (p.types.size && has(item.values, 'business_type')) {
        (item.system ??= {}).business_type = item.values.business_type;
        delete item.values.business_type;
      } else if (p.types.size && item.op === 'create')
        (item.system ??= {}).business_type = defaultTypeFor(p, ctx.access.profile)?.name ?? null;
      if (item.op === 'create' && p.stageField && !has(item.input, p.stageField.name)) {
        const pipeline = pipelineOf(p, item.system?.business_type as string | undefined);
        const v = item.values[p.stageField.name];
        if (pipeline && (typeof v !== 'string' || !pipeline.byValue.has(v)))
          item.values[p.stageField.name] = pipeline.stages[0].value;
      }
    }
  },
};

/**
 * The business type's rules and the stage gates, after validation and the rules: a record's
 * type must be one the writer may use, its picklists hold options of its type and its type's
 * required fields a value; a change of stage (or of type, or a create) must satisfy the entry
 * gate of the target stage, and of every stage it skips, with the pipeline's rules on skipping
 * and moving back. Every unmet item is reported at once: 422 STAGE_GATE at the stage field.
 *
 * A write that touches neither the stage, the type nor a field a type rules costs nothing: it
 * needs no stored row and no transaction from this step, and the step returns at once.
 */
export function stageGateStep(timeZone: string): RecordStep {
  return {
    name: 'stage-gate',
    needsTransaction: (ctx) => {
      const p = processFor(ctx.model, ctx.object);
      return p.any && moving(p, ctx);
    },
    needsBefore: (ctx) => {
      const p = processFor(ctx.model, ctx.object);
      return p.any && ctx.items.some((i) => touches(p, i));
    },
    // Synchronous when the write touches no stage, type or typed field: nothing awaited.
    run(ctx) {
      const p = processFor(ctx.model, ctx.object);
      if (!p.any) return;
      const items = ctx.items.filter((i) => i.op === 'create' || (i.op === 'update' && touches(p, i)));
      if (items.length) return checkItems(ctx, p, items, timeZone);
    },
  };
}

async function checkItems(ctx: WriteContext, p: ObjectProcess, items: WriteItem[], timeZone: string) {
  const gates: FieldIssue[] = [];
  const now = new Date();
  for (const item of items) await checkItem(ctx, p, item, now, timeZone, gates);
  if (!gates.length) return;
  if (ctx.issues.length) ctx.issues.push(...gates);
  else
    throw new DomainError(
      422,
      'STAGE_GATE',
      { count: gates.length },
      gates,
      ctx.items.length > 1 ? { atomic: true } : {},
    );
}

async function checkItem(
  ctx: WriteContext,
  p: ObjectProcess,
  item: WriteItem,
  now: Date,
  timeZone: string,
  gates: FieldIssue[],
) {
  const at = (field: string) => `${item.pointer}/${field}`;
  const before = item.before;
  const creating = item.op === 'create';
  const oldType = (before?.business_type as string | null | undefined) ?? null;
  const typeSent = !!item.system && has(item.system, 'business_type');
  const newType = p.types.size ? (typeSent ? item.system!.business_type : oldType) : null;
  const typeChanged = p.types.size > 0 && (creating || (typeSent && newType !== oldType));
  const type = typeof newType === 'string' ? p.types.get(newType) : undefined;
  if (typeChanged) {
    if (newType === null || newType === undefined || newType === '')
      ctx.issues.push({ pointer: at('business_type'), code: 'REQUIRED' });
    else if (typeof newType !== 'string' || !type || type.def.active === false)
      ctx.issues.push({
        pointer: at('business_type'),
        code: 'BUSINESS_TYPE_UNKNOWN',
        params: { value: String(newType) },
      });
    else if (!usable(type, ctx.access.profile))
      ctx.issues.push({
        pointer: at('business_type'),
        code: 'BUSINESS_TYPE_NOT_ALLOWED',
        params: { type: type.def.label },
      });
  }
  const record = Object.assign({}, asJson(ctx.object, before) ?? { owner: ctx.actor }, item.values);
  if (type) {
    for (const [name, allowed] of type.picklists) {
      if (!typeChanged && !has(item.input, name)) continue;
      const v = record[name];
      for (const x of Array.isArray(v) ? v : isBlank(v) ? [] : [v])
        if (!allowed.has(String(x)))
          ctx.issues.push({
            pointer: at(name),
            code: 'OPTION_NOT_IN_TYPE',
            params: { value: String(x), type: type.def.label },
          });
    }
    for (const f of type.required) {
      if (!typeChanged && !has(item.input, f.name)) continue;
      if (isBlank(record[f.name]) && !ctx.issues.some((i) => i.pointer === at(f.name)))
        ctx.issues.push({ pointer: at(f.name), code: 'REQUIRED' });
    }
  }
  if (!p.stageField || (p.types.size && !type)) return;
  const field = p.stageField;
  const pipeline = pipelineOf(p, newType as string | null);
  if (!pipeline) return;
  const to = record[field.name];
  const from = creating ? null : ((before?.[field.column] as string | null) ?? null);
  if (isBlank(to)) {
    if (!ctx.issues.some((i) => i.pointer === at(field.name)))
      ctx.issues.push({ pointer: at(field.name), code: 'REQUIRED' });
    return;
  }
  const target = pipeline.byValue.get(String(to));
  if (!target) {
    ctx.issues.push({
      pointer: at(field.name),
      code: 'STAGE_NOT_IN_PIPELINE',
      params: { value: String(to), pipeline: pipeline.def.label },
    });
    return;
  }
  const oldPipeline = creating ? null : pipelineOf(p, oldType);
  const entering = creating || (typeChanged && oldPipeline !== pipeline);
  if (!entering && from === target.value) {
    // same stay; a new type may have other maximum days
    if (typeChanged)
      (item.system ??= {}).stage_due_at = dueAt(target, dateOf(before?.stage_entered_at) ?? now);
    return;
  }
  const plan = planMove(pipeline, entering ? null : from, target);
  if (!plan.ok) {
    gates.push({
      pointer: at(field.name),
      code: plan.code,
      params: {
        from: (from && pipeline.byValue.get(from)?.label) || from || '',
        to: target.label,
        skipped: {
          en: plan.skipped.map((s) => s.label.en).join(', '),
          'zh-CN': plan.skipped.map((s) => s.label['zh-CN']).join('、'),
        },
      },
      detail: { from, to: target.value, skipped: plan.skipped.map((s) => s.value) },
    });
    return;
  }
  const answers = await evaluateGates(plan.stages, {
    db: ctx.trx,
    schema: ctx.schema,
    model: ctx.model,
    object: ctx.object,
    recordId: item.id ?? null,
    record,
    before: asJson(ctx.object, before),
    since: dateOf(before?.stage_entered_at),
    now,
    actor: ctx.actor,
    timeZone,
    lock: ctx.locked,
    access: ctx.access,
  });
  gates.push(...unmetIssues(answers, at(field.name)));
  item.system ??= {};
  item.system.stage_entered_at = now;
  item.system.stage_due_at = dueAt(target, now);
  noteMove(ctx, {
    item,
    pipeline: pipeline.name,
    businessType: typeof newType === 'string' ? newType : null,
    from,
    to: target.value,
    at: now,
  });
}

const dateOf = (v: unknown): Date | null =>
  v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;
