import type { FieldIssue } from '../core/errors.js';
import type { CompiledObject } from '../metadata/compile.js';
import type { RecordStep } from '../records/pipeline.js';
import { evaluate, truthy } from '../rules/index.js';
import { graphFor, rulesFor } from './compiled.js';
import { asJson, dataFor, loadLookups, todayIn } from './context.js';

/**
 * Deleting a child changes its parents' roll-ups (derived.ts recomputes them just before this
 * step, in the same transaction). A parent's validation rule that reads such a roll-up, directly
 * or through one of its formulas, is checked again on the parent as it is now: deleting a split
 * line of a won deal cannot leave the split at 70 % when a rule requires 100 %.
 *
 * Deletes only: the general "roll-up changed → the parent's rules run" for creates and updates
 * is the derived step's (branch pipeline); once that covers deletes too, this step is redundant.
 */
export function parentRulesOnDeleteStep(timeZone: string): RecordStep {
  const deletes = (ctx: { items: { op: string }[] }) => ctx.items.some((i) => i.op === 'delete');
  const linked = (ctx: { model: Parameters<typeof graphFor>[0]; object: CompiledObject }) =>
    graphFor(ctx.model).rollupsOf.get(ctx.object.name) ?? [];
  return {
    name: 'parent-rules-on-delete',
    needsTransaction: (ctx) => deletes(ctx) && linked(ctx).length > 0,
    needsBefore: () => false, // deletes always read the stored row
    async run(ctx) {
      if (!deletes(ctx)) return;
      const byParent = new Map<CompiledObject, { rollups: Set<string>; ids: Map<string, number> }>();
      for (const link of linked(ctx)) {
        const entry = byParent.get(link.parent) ?? { rollups: new Set(), ids: new Map() };
        entry.rollups.add(link.field.name);
        for (const item of ctx.items) {
          const parentId = item.op === 'delete' ? item.before?.[link.via.column] : undefined;
          if (typeof parentId === 'string' && !entry.ids.has(parentId)) entry.ids.set(parentId, item.index);
        }
        byParent.set(link.parent, entry);
      }
      const now = new Date();
      const issues: FieldIssue[] = [];
      for (const [parent, { rollups, ids }] of byParent) {
        if (!ids.size) continue;
        const r = rulesFor(ctx.model, parent);
        // fields that follow the roll-ups: the roll-ups and the formulas reading them
        const follows = new Set(rollups);
        for (const f of r.formulas)
          if ([...f.expr.refs.fields].some((n) => follows.has(n))) follows.add(f.field.name);
        const rules = r.validation.filter(
          (v) => v.on.has('update') && [...v.expr.refs.fields].some((n) => follows.has(n)),
        );
        if (!rules.length) continue;
        const rows = (await ctx.trx
          .withSchema(ctx.schema)
          .from(parent.table)
          .whereIn('id', [...ids.keys()].sort())
          .select('*')) as Record<string, unknown>[];
        const records = rows.map((row) => asJson(parent, row)!);
        const lookups = r.lookups.size
          ? await loadLookups(ctx.trx, ctx.schema, ctx.model, parent, r.lookups, records)
          : [];
        records.forEach((rec, n) => {
          const data = dataFor(rec, rec, ctx.actor, todayIn(timeZone, now), now.toISOString(), lookups[n]);
          const item = ctx.items.find((i) => i.index === ids.get(rec.id as string))!;
          for (const v of rules) {
            const res = evaluate(v.expr, data);
            if ('error' in res || !truthy(res.value)) continue;
            issues.push({
              pointer: item.pointer,
              code: 'VALIDATION_RULE',
              params: { message: v.rule.message, rule: v.rule.name },
              detail: { rule: v.rule.name, object: parent.name, id: rec.id },
            });
          }
        });
      }
      ctx.issues.push(...issues);
    },
  };
}
