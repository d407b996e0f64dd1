import { asJson, coerce, dataFor, loadLookups, sameValue, todayIn, type LockMode } from './context.js';
import { graphFor, rulesFor } from './compiled.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import { text } from '../core/messages.js';
import type { FieldDef, I18nText } from '../core/model.js';
import type { RecordStep, WriteContext, WriteItem } from '../records/pipeline.js';
import { evaluate, isBlank, RULE_WORK, truthy, type EvalData } from '../rules/index.js';
import type { ObjectRules } from './compiled.js';

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** What a person sees for a value: its option's label (or a checkbox's yes/no), else the value. */
function optionLabel(def: FieldDef, v: unknown): I18nText | string {
  if (typeof v === 'boolean') return text(v ? 'YES' : 'NO');
  return def.options?.find((o) => o.value === String(v))?.label ?? String(v);
}

/**
 * Refuses, before any rule runs, a request whose rules would cost more than RULE_WORK.perRequest
 * (records × the units of the object's rules): one tenant's batch cannot hold the process.
 */
function spendRuleWork(ctx: WriteContext, r: ObjectRules) {
  const count = ctx.items.filter((i) => i.op !== 'delete' || r.onDelete).length;
  if (!r.cost || count * r.cost <= RULE_WORK.perRequest) return;
  const max = Math.max(1, Math.floor(RULE_WORK.perRequest / r.cost));
  throw new DomainError(422, 'RULE_BUDGET_EXCEEDED', { object: ctx.object.def.label, count, max }, [], {
    max,
  });
}

/** Computed defaults: at create, a field the caller left out gets its defaultExpression's value. Runs before validation. */
export function defaultsStep(timeZone: string): RecordStep {
  return {
    name: 'rule-defaults',
    // Reads related records only: no lock, no write.
    needsTransaction: () => false,
    needsBefore: () => false,
    // Synchronous unless a default reads a related record: the pipeline then awaits nothing.
    run(ctx) {
      const r = rulesFor(ctx.model, ctx.object);
      if (!r.defaults.length) return;
      spendRuleWork(ctx, r);
      const creates = ctx.items.filter((i) => i.op === 'create');
      if (!creates.length) return;
      const records = creates.map((i) => ({ owner: ctx.actor, ...i.values }));
      if (!r.lookups.size) return applyDefaults(ctx, r, timeZone, creates, records, []);
      // A default is the writer's own value: it copies only what they may read.
      const as = ctx.access === ctx.unrestricted ? undefined : ctx.access;
      return loadLookups(ctx.trx, ctx.schema, ctx.model, ctx.object, r.lookups, records, undefined, as).then(
        (lookups) => applyDefaults(ctx, r, timeZone, creates, records, lookups),
      );
    },
  };
}

type Lookups = Awaited<ReturnType<typeof loadLookups>>;

function applyDefaults(
  ctx: WriteContext,
  r: ObjectRules,
  timeZone: string,
  creates: WriteItem[],
  records: Record<string, unknown>[],
  lookups: Lookups,
) {
  const now = new Date();
  creates.forEach((item, n) => {
    const data = dataFor(records[n], null, ctx.actor, todayIn(timeZone, now), now.toISOString(), lookups[n]);
    for (const d of r.defaults) {
      if (item.values[d.field.name] !== undefined) continue;
      const res = evaluate(d.expr, data);
      if ('error' in res) {
        ctx.issues.push({
          pointer: `${item.pointer}/${d.field.name}`,
          code: 'RULE_ERROR',
          params: { rule: `${d.field.name}.defaultExpression` },
        });
        continue;
      }
      const v = coerce(d.field, res.value);
      if (v === null) continue;
      item.values[d.field.name] = v;
      data[d.field.name] = v;
    }
  });
}

/**
 * The rules of every create and update, after type validation: formulas (stored, so they can be
 * filtered and sorted), required-if, read-only-if, dependent picklists and validation rules.
 * Every failing rule is reported at once. On delete, the validation rules that say
 * `on: [..., "delete"]` check the record being deleted, as stored.
 */
export function recordRulesStep(timeZone: string): RecordStep {
  return {
    name: 'rules',
    // Rules reading related records lock them so they cannot change under the check.
    needsTransaction: (ctx) => rulesFor(ctx.model, ctx.object).lookups.size > 0,
    needsBefore: (ctx) => rulesFor(ctx.model, ctx.object).any,
    // Synchronous unless a rule reads a related record: the pipeline then awaits nothing.
    run(ctx) {
      const r = rulesFor(ctx.model, ctx.object);
      if (r.zeroRollups.length)
        for (const item of ctx.items)
          if (item.op === 'create') for (const f of r.zeroRollups) item.values[f.name] = 0;
      if (!r.any) return;
      spendRuleWork(ctx, r);
      const live = ctx.items.filter((i) => i.op !== 'delete' || r.onDelete);
      if (!live.length) return;
      const befores = live.map((i) => asJson(ctx.object, i.before));
      // Object.assign, not spread: values built with dynamic keys are dictionary-mode objects, and
      // spreading one onto an object that already has properties cost ~25 µs per record.
      // (a deleted record is seen as stored: its values are empty)
      const records = live.map((i, n) => Object.assign({}, befores[n] ?? { owner: ctx.actor }, i.values));
      if (!r.lookups.size) return checkRules(ctx, r, timeZone, live, befores, records, []);
      return loadLookups(ctx.trx, ctx.schema, ctx.model, ctx.object, r.lookups, records, lockFor(ctx)).then(
        (lookups) => checkRules(ctx, r, timeZone, live, befores, records, lookups),
      );
    },
  };
}

/** Every rule on every live item; the failures join ctx.issues. */
function checkRules(
  ctx: WriteContext,
  r: ObjectRules,
  timeZone: string,
  live: WriteItem[],
  befores: (Record<string, unknown> | null)[],
  records: Record<string, unknown>[],
  lookups: Lookups,
) {
  const now = new Date();
  const today = todayIn(timeZone, now);
  live.forEach((item, n) => {
    const before = befores[n];
    const record = records[n];
    const data = dataFor(record, before, ctx.actor, today, now.toISOString(), lookups[n]);
    const issues: FieldIssue[] = [];
    // A delete has no body to point into: its problems are the record's.
    const at = (field?: string) =>
      field && item.op !== 'delete' ? `${item.pointer}/${field}` : item.pointer;
    const run = (e: Parameters<typeof evaluate>[0], rule: string, field?: string): unknown => {
      const res = evaluate(e, data);
      if ('error' in res) {
        issues.push({ pointer: at(field), code: 'RULE_ERROR', params: { rule } });
        return undefined;
      }
      return res.value;
    };
    if (item.op === 'delete') {
      for (const v of r.validation)
        if (v.on.has('delete') && truthy(run(v.expr, v.rule.name)))
          issues.push(ruleIssue(at(), v.rule.message, v.rule.name, v.rule.field));
      for (const i of issues) ctx.issues.push(i);
      return;
    }
    for (const f of r.formulas) {
      const v = coerce(f.field, run(f.expr, f.field.name, f.field.name));
      record[f.field.name] = v;
      (data as EvalData)[f.field.name] = v;
      if (item.op === 'create' || !sameValue(v, before?.[f.field.name])) item.values[f.field.name] = v;
    }
    for (const q of r.requiredIf)
      if (truthy(run(q.expr, `${q.field.name}.requiredIf`, q.field.name)) && isBlank(record[q.field.name]))
        issues.push({ pointer: at(q.field.name), code: 'REQUIRED' });
    for (const q of r.readOnlyIf) {
      const name = q.field.name;
      if (!has(item.input, name)) continue;
      const changed =
        item.op === 'create'
          ? !isBlank(item.values[name]) && !sameValue(item.values[name], q.field.def.default)
          : !sameValue(item.values[name], before?.[name]);
      if (changed && truthy(run(q.expr, `${name}.readOnlyIf`, name)))
        issues.push({ pointer: at(name), code: 'READ_ONLY_NOW', params: { field: q.field.def.label } });
    }
    for (const d of r.dependents) {
      const name = d.field.name;
      if (item.op === 'update' && !has(item.values, name) && !has(item.values, d.controlling.name)) continue;
      const value = record[name];
      if (isBlank(value)) continue;
      const cv = record[d.controlling.name];
      const allowed = isBlank(cv) ? [] : (d.allowed[String(cv)] ?? []);
      for (const v of Array.isArray(value) ? value : [value])
        if (!allowed.includes(String(v)))
          issues.push({
            pointer: at(name),
            code: 'DEPENDENT_OPTION',
            params: {
              value: optionLabel(d.field.def, v),
              controlling: d.controlling.def.label,
              controllingValue: isBlank(cv) ? '' : optionLabel(d.controlling.def, cv),
            },
          });
    }
    for (const v of r.validation)
      if (v.on.has(item.op) && truthy(run(v.expr, v.rule.name, v.rule.field)))
        issues.push(ruleIssue(at(v.rule.field), v.rule.message, v.rule.name));
    // A field `validate` found missing gets no further message; otherwise every failing rule
    // is reported, several rules on one field included (each names its rule).
    const ruleOf = (x: FieldIssue) => (x.params as { rule?: unknown } | undefined)?.rule;
    for (const i of issues)
      if (
        !ctx.issues.some(
          (x) =>
            x.pointer === i.pointer &&
            (x.code === 'REQUIRED' || (x.code === i.code && ruleOf(x) === ruleOf(i))),
        )
      )
        ctx.issues.push(i);
  });
}

function ruleIssue(pointer: string, message: I18nText, rule: string, field?: string): FieldIssue {
  return {
    pointer,
    code: 'VALIDATION_RULE',
    params: { message, rule },
    detail: field ? { rule, field } : { rule },
  };
}

/**
 * Records read by stored formulas are locked for the write, so a concurrent change of the
 * looked-up record waits and then recomputes what depends on it. When this object also rolls
 * up into that record, take the stronger lock the roll-up needs now (same order: no deadlock).
 */
function lockFor(ctx: WriteContext): (target: string) => LockMode {
  const r = rulesFor(ctx.model, ctx.object);
  const formulaTargets = new Set<string>();
  for (const f of r.formulas)
    for (const lk of f.expr.refs.lookups.keys())
      formulaTargets.add(ctx.object.fields.get(lk)!.storage.references!.object);
  const rollupTargets = new Set(
    (graphFor(ctx.model).rollupsOf.get(ctx.object.name) ?? []).map((l) => l.parent.name),
  );
  return (target) =>
    !formulaTargets.has(target) ? 'none' : rollupTargets.has(target) ? 'no key update' : 'share';
}
