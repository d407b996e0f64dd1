import type { I18nText } from '../../../core/model.js';
import { i18nTextSchema } from '../../../fields/i18n-schema.js';
import { exprEnvOf } from '../../../metadata/expr-env.js';
import { checkTyped, compileExpression, envFromObjects, evaluate, truthy } from '../../../rules/index.js';
import { dataFor, loadLookups, todayIn } from '../../../rule-steps/context.js';
import type { GateItemKind } from '../registry.js';

/**
 * A json-logic condition over the record (and records it looks up) that must hold, with the
 * message the user reads. Type-checked at deploy like a validation rule; lookups it reads are
 * locked FOR SHARE in a write.
 */
export const condition: GateItemKind = {
  kind: 'condition',
  label: { en: 'Condition', 'zh-CN': '条件' },
  configSchema: {
    properties: {
      condition: { type: ['object', 'array', 'boolean'] },
      message: i18nTextSchema,
    },
    required: ['condition', 'message'],
  },
  checkAtDeploy(def, ctx) {
    const env = envFromObjects(ctx.pkg.objects)(ctx.object.name)!;
    return checkTyped(def.condition!, env, 'condition').issues.map((i) => ({
      pointer: `${ctx.pointer}/condition${i.pointer}`,
      code: i.code,
      params: i.params,
    }));
  },
  compile(def, name, model, object) {
    const expr = compileExpression(def.condition, exprEnvOf(model, object.name)!, 'condition');
    const message = def.message as I18nText;
    return {
      kind: 'condition',
      name,
      label: (def.label as I18nText | undefined) ?? message,
      related: expr.refs.lookups.size > 0,
      async evaluate(ctx) {
        const lookups = expr.refs.lookups.size
          ? (
              await loadLookups(
                ctx.db,
                ctx.schema,
                ctx.model,
                ctx.object,
                expr.refs.lookups,
                [ctx.record],
                () => (ctx.lock ? 'share' : 'none'),
              )
            )[0]
          : undefined;
        const data = dataFor(
          ctx.record,
          ctx.before,
          ctx.actor,
          todayIn(ctx.timeZone, ctx.now),
          ctx.now.toISOString(),
          lookups,
        );
        const r = evaluate(expr, data);
        const met = !('error' in r) && truthy(r.value);
        return {
          met,
          code: met ? 'GATE_CONDITION_MET' : 'error' in r ? 'GATE_CONDITION_ERROR' : 'GATE_CONDITION',
          params: { message },
          details: ('error' in r ? { error: r.error } : {}) as Record<string, string>,
        };
      },
    };
  },
};
