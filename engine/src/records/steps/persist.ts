import { DomainError, type FieldIssue } from '../../core/errors.js';
import { fromPgError } from '../../db/pg-errors.js';
import type { CompiledObject } from '../../metadata/compile.js';
import { fkName } from '../../schema-sync/names.js';
import type { RecordStep, WriteContext, WriteItem } from '../pipeline.js';

/** Field values → column values (the same names today; kept apart so physical names may differ). */
function toColumns(o: CompiledObject, values: Record<string, unknown>) {
  const row: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(values))
    row[o.fields.get(name)!.column] = v === undefined ? null : v;
  return row;
}

/** Writes the items: one multi-row INSERT for creates, one UPDATE per changed record, one DELETE. */
export const persist: RecordStep = {
  name: 'persist',
  async run(ctx) {
    const t = () => ctx.trx.withSchema(ctx.schema).table(ctx.object.table);
    try {
      const creates = ctx.items.filter((i) => i.op === 'create');
      if (creates.length) {
        const rows = creates.map((i) => ({
          ...toColumns(ctx.object, i.values),
          owner: ctx.actor,
          created_by: ctx.actor,
          updated_by: ctx.actor,
        }));
        const saved = (await t().insert(rows).returning('*')) as Record<string, unknown>[];
        creates.forEach((item, n) => (item.after = saved[n]));
      }
      for (const item of ctx.items.filter((i) => i.op === 'update')) {
        const [saved] = (await t()
          .where('id', item.id!)
          .update({
            ...toColumns(ctx.object, item.values),
            version: ctx.trx.raw('?? + 1', ['version']),
            updated_at: ctx.trx.fn.now(),
            updated_by: ctx.actor,
          })
          .returning('*')) as Record<string, unknown>[];
        item.after = saved;
      }
      const deletes = ctx.items.filter((i) => i.op === 'delete');
      if (deletes.length)
        await t()
          .whereIn(
            'id',
            deletes.map((i) => i.id!),
          )
          .delete();
    } catch (e) {
      throw lookupProblem(ctx, e) ?? fromPgError(e) ?? e;
    }
  },
};

/** A foreign key refused a value: name the field (our FKs are fk_<field id>) and the item. */
function lookupProblem(ctx: WriteContext, e: unknown): DomainError | null {
  const err = e as { code?: string; constraint?: string; detail?: string };
  if (err?.code !== '23503') return null;
  const field = ctx.object.fieldList.find((f) => fkName(f.id) === err.constraint);
  if (!field) return null; // a child refuses the delete: STILL_REFERENCED below
  const value = /=\(([^)]+)\)/.exec(err.detail ?? '')?.[1];
  const item: WriteItem | undefined = ctx.items.find((i) => i.values[field.name] === value) ?? ctx.items[0];
  const issue: FieldIssue = {
    pointer: `${item?.pointer ?? ''}/${field.name}`,
    code: 'LOOKUP_NOT_FOUND',
    params: { target: field.storage.references!.object, id: value ?? '' },
  };
  return new DomainError(422, 'VALIDATION_FAILED', {}, [issue]);
}
