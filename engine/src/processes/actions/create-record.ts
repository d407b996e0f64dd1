import type { JsonValue } from '../../core/model.js';
import type { ActionKind } from './registry.js';
import { checkValues } from './values.js';

const LOOKUPS = new Set(['lookup', 'master_detail']);

/**
 * Creates a record of another object linked to this one (e.g. a follow-up task when a contract
 * is approved): `link` is that object's lookup to the record, `values` its other fields.
 */
export const createRecordAction: ActionKind = {
  kind: 'create_record',
  label: { en: 'Create a related record', 'zh-CN': '新建关联记录' },
  configSchema: {
    properties: {
      object: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
      link: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
      values: { type: 'object', maxProperties: 50 },
    },
    required: ['object', 'link'],
  },
  checkAtDeploy(def, ctx) {
    const target = ctx.pkg.objects.find((o) => o.name === def.object);
    if (!target)
      return [
        { pointer: `${ctx.pointer}/object`, code: 'META_UNKNOWN_TARGET', params: { target: def.object } },
      ];
    const link = target.fields.find((f) => f.name === def.link);
    if (!link || !LOOKUPS.has(link.type) || link.target !== ctx.object.name)
      return [
        {
          pointer: `${ctx.pointer}/link`,
          code: 'APPROVAL_NOT_LOOKUP',
          params: { field: def.link, object: target.label },
        },
      ];
    return checkValues(target, (def.values ?? {}) as Record<string, JsonValue>, `${ctx.pointer}/values`);
  },
  compile(def) {
    const object = def.object as string;
    const link = def.link as string;
    const values = (def.values ?? {}) as Record<string, JsonValue>;
    return {
      kind: 'create_record',
      async run(c) {
        await c.records.writeWithin(c.trx, c.scope, object, [
          { op: 'create', data: { ...values, [link]: c.recordId } },
        ]);
      },
    };
  },
};
