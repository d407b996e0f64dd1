import { DomainError } from '../../core/errors.js';
import { SYSTEM_FIELDS } from '../../core/ident.js';
import type { RecordStep } from '../pipeline.js';

const SYSTEM = new Set<string>(SYSTEM_FIELDS);

/**
 * Object permission for each operation, field-level edit permission for each value sent, and
 * row access for updates and deletes: a record the caller cannot see is 404 (no existence
 * oracle), one they can see but not edit is 403. Runs before anything reads stored rows.
 */
export const authorize: RecordStep = {
  name: 'authorize',
  needsTransaction: () => false,
  async run(ctx) {
    const { access, object: o } = ctx;
    for (const op of new Set(ctx.items.map((i) => i.op))) {
      const needed = op === 'create' ? 'create' : op === 'update' ? 'edit' : 'delete';
      if (!access.can(o, needed))
        throw new DomainError(403, 'NO_OBJECT_ACCESS', { object: o.name, op: needed });
    }
    const editable = access.editable(o);
    for (const item of ctx.items)
      for (const name of Object.keys(item.input))
        if (
          !SYSTEM.has(name) &&
          o.fields.has(name) &&
          o.fields.get(name)!.type.writable &&
          !editable.has(name)
        )
          ctx.issues.push({
            pointer: `${item.pointer}/${name}`,
            code: 'FIELD_NOT_EDITABLE',
            params: { field: name },
          });
    const ids = ctx.items.filter((i) => i.op !== 'create').map((i) => i.id!);
    if (!ids.length || access === ctx.unrestricted) return;
    const col = (n: string) => `${o.table}.${n}`;
    const editQ = ctx.trx.withSchema(ctx.schema).from(o.table).whereIn('id', ids).select('id');
    access.scopeEdit(editQ, o, col);
    const canEdit = new Set(((await editQ) as { id: string }[]).map((r) => r.id));
    const denied = ids.filter((id) => !canEdit.has(id));
    if (!denied.length) return;
    const readQ = ctx.trx.withSchema(ctx.schema).from(o.table).whereIn('id', denied).select('id');
    access.scopeRead(readQ, o, col);
    const visible = new Set(((await readQ) as { id: string }[]).map((r) => r.id));
    const id = denied[0];
    const index = ctx.items.find((i) => i.id === id)!.index;
    if (visible.has(id))
      throw new DomainError(403, 'NO_RECORD_ACCESS', { object: o.name, id }, [], { index });
    throw new DomainError(404, 'RECORD_NOT_FOUND', { object: o.name, id }, [], { index });
  },
};
