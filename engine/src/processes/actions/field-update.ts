import type { JsonValue } from '../../core/model.js';
import type { ActionKind } from './registry.js';
import { checkValues } from './values.js';

/** Sets fields of the record to fixed values, through the write pipeline (history, rules, events). */
export const fieldUpdateAction: ActionKind = {
  kind: 'field_update',
  label: { en: 'Update fields', 'zh-CN': '更新字段' },
  configSchema: {
    properties: { set: { type: 'object', minProperties: 1, maxProperties: 50 } },
    required: ['set'],
  },
  checkAtDeploy: (def, ctx) =>
    checkValues(ctx.object, def.set as Record<string, JsonValue>, `${ctx.pointer}/set`),
  compile(def) {
    const set = def.set as Record<string, JsonValue>;
    return {
      kind: 'field_update',
      async run(c) {
        await c.records.writeWithin(c.trx, c.scope, c.object.name, [
          { op: 'update', id: c.recordId, data: { ...set } },
        ]);
      },
    };
  },
};
