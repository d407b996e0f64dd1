import type { FieldIssue } from '../../../core/errors.js';
import { formatMessage } from '../../../core/messages.js';
import type { FieldDef, I18nText } from '../../../core/model.js';
import { isBlank } from '../../../rules/index.js';
import { asJson } from '../../../rule-steps/context.js';
import type { GateItemKind } from '../registry.js';

const LOOKUPS = new Set(['lookup', 'master_detail']);

/** Both languages of one message: for a param that a later message shows in the reader's language. */
const both = (code: string, params: Record<string, unknown>): I18nText => ({
  en: formatMessage(code, 'en', params),
  'zh-CN': formatMessage(code, 'zh-CN', params),
});

/**
 * A field must hold a value: a field of the record (`decision_maker`) or of the record a lookup
 * points to (`account.industry`). Through a lookup, the parent row is read (and locked FOR SHARE
 * in a write, so it cannot be emptied before the move commits).
 */
export const fieldRequired: GateItemKind = {
  kind: 'field_required',
  label: { en: 'Field filled in', 'zh-CN': '字段已填写' },
  configSchema: {
    properties: { field: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}(\\.[a-z][a-z0-9_]{0,39})?$' } },
    required: ['field'],
  },
  checkAtDeploy(def, ctx) {
    const issues: FieldIssue[] = [];
    const [head, tail] = String(def.field).split('.');
    const f = ctx.object.fields.find((x) => x.name === head);
    const unknown = (field: string, object: string) =>
      issues.push({ pointer: `${ctx.pointer}/field`, code: 'META_UNKNOWN_FIELD', params: { field, object } });
    if (!f) unknown(head, ctx.object.name);
    else if (tail !== undefined) {
      const target = LOOKUPS.has(f.type) ? ctx.pkg.objects.find((o) => o.name === f.target) : undefined;
      if (!target)
        issues.push({ pointer: `${ctx.pointer}/field`, code: 'GATE_NOT_A_LOOKUP', params: { field: head } });
      else if (!target.fields.some((x) => x.name === tail)) unknown(tail, target.name);
    }
    return issues;
  },
  compile(def, name, model, object) {
    const [head, tail] = String(def.field).split('.');
    const f = object.fields.get(head)!;
    const target = tail ? model.objects.get(f.def.target!)! : null;
    const tf = target?.fields.get(tail!) ?? null;
    const label: I18nText = tf
      ? both('GATE_FIELD_PATH', { lookup: f.def.label, field: tf.def.label })
      : f.def.label;
    const describe = (d: FieldDef) => d.type;
    return {
      kind: 'field_required',
      name,
      label: (def.label as I18nText | undefined) ?? both('GATE_FIELD_REQUIRED_LABEL', { field: label }),
      related: !!target,
      async evaluate(ctx) {
        let value: unknown = ctx.record[head];
        let parentId: string | null = null;
        if (target && tf) {
          parentId = typeof value === 'string' ? value : null;
          value = null;
          if (parentId) {
            const q = ctx.db.withSchema(ctx.schema).from(target.table).where('id', parentId).select('*');
            if (ctx.lock) q.forShare();
            const row = (await q)[0] as Record<string, unknown> | undefined;
            value = row ? asJson(target, row)![tail!] : null;
          }
        }
        const met = !isBlank(value);
        return {
          met,
          code: met ? 'GATE_FIELD_REQUIRED_MET' : 'GATE_FIELD_REQUIRED',
          params: { field: label },
          details: {
            field: String(def.field),
            type: describe((tf ?? f).def),
            ...(target ? { through: head, parent: parentId } : {}),
          },
        };
      },
    };
  },
};
