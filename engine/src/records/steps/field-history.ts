import { FIELD_HISTORY } from '../../schema-sync/ddl.js';
import { catalogOf } from '../catalog.js';
import type { CompiledField } from '../../metadata/compile.js';
import type { PrepareContext, RecordStep } from '../pipeline.js';
import { perObject } from '../../metadata/per-object.js';

/** History rows of system fields (the owner) carry this field id: they have no field definition. */
export const SYSTEM_FIELD_ID = '00000000-0000-0000-0000-000000000000';

const transfers = (ctx: PrepareContext) => ctx.items.some((i) => i.op === 'update' && 'owner' in i.input);
/** An object's tracked fields, found once per compiled object (so once per metadata version). */
const trackedOf = perObject((o): CompiledField[] => o.fieldList.filter((f) => f.def.trackHistory));
const tracks = (ctx: PrepareContext) =>
  (trackedOf(ctx.object).length > 0 && ctx.items.some((i) => i.op === 'update')) || transfers(ctx);

/**
 * Writes old → new for tracked fields that an update changed, and for every change of owner, in
 * the write's transaction, with the write's origin.
 */
export const fieldHistory: RecordStep = {
  name: 'field-history',
  needsTransaction: (ctx) => tracks(ctx),
  needsBefore: (ctx) => tracks(ctx),
  // Synchronous when there is nothing to write (most writes): the pipeline then awaits nothing.
  run(ctx) {
    const tracked = trackedOf(ctx.object);
    if (!tracked.length && !ctx.items.some((i) => 'owner' in i.values)) return;
    const cat = catalogOf(ctx.object);
    const rows = [];
    for (const item of ctx.items) {
      if (item.op !== 'update' || !item.before || !item.after) continue;
      const entries: { id: string; name: string; column: string }[] = tracked.map((f) => ({
        id: f.id,
        name: f.name,
        column: f.column,
      }));
      if ('owner' in item.values) entries.push({ id: SYSTEM_FIELD_ID, name: 'owner', column: 'owner' });
      for (const f of entries) {
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
          origin: ctx.origin,
        });
      }
    }
    if (rows.length)
      return ctx.trx
        .withSchema(ctx.schema)
        .table(FIELD_HISTORY)
        .insert(rows)
        .then(() => undefined);
  },
};
