import { FIELD_HISTORY } from '../../schema-sync/ddl.js';
import { catalogOf } from '../catalog.js';
import type { PrepareContext, RecordStep } from '../pipeline.js';

const tracks = (ctx: PrepareContext) =>
  ctx.items.some((i) => i.op === 'update') && ctx.object.fieldList.some((f) => f.def.trackHistory);

/** Writes old → new for tracked fields that an update changed, in the write's transaction. */
export const fieldHistory: RecordStep = {
  name: 'field-history',
  needsTransaction: (ctx) => tracks(ctx),
  needsBefore: (ctx) => tracks(ctx),
  async run(ctx) {
    const tracked = ctx.object.fieldList.filter((f) => f.def.trackHistory);
    if (!tracked.length) return;
    const cat = catalogOf(ctx.object);
    const rows = [];
    for (const item of ctx.items) {
      if (item.op !== 'update' || !item.before || !item.after) continue;
      for (const f of tracked) {
        const q = cat.all.get(f.name)!;
        const json = (raw: unknown) =>
          raw === null || raw === undefined ? null : q.fromDb ? q.fromDb(raw) : raw;
        const oldV = json(item.before[f.column]);
        const newV = json(item.after[f.column]);
        if (JSON.stringify(oldV) === JSON.stringify(newV)) continue;
        rows.push({
          object_id: ctx.object.id,
          record_id: item.after.id,
          field_id: f.id,
          field: f.name,
          old_value: JSON.stringify(oldV),
          new_value: JSON.stringify(newV),
          actor: ctx.actor,
        });
      }
    }
    if (rows.length) await ctx.trx.withSchema(ctx.schema).table(FIELD_HISTORY).insert(rows);
  },
};
