import { opText } from '../../core/messages.js';
import { DomainError } from '../../core/errors.js';
import { SYSTEM_FIELDS } from '../../core/ident.js';
import type { RecordStep } from '../pipeline.js';

const SYSTEM = new Set<string>(SYSTEM_FIELDS);

/**
 * Object permission for each operation and field-level edit permission for each value sent.
 * Row access for updates and deletes is checked by load-before, in the query that reads them.
 */
export const authorize: RecordStep = {
  name: 'authorize',
  needsTransaction: () => false,
  needsBefore: () => false,
  run(ctx) {
    const { access, object: o } = ctx;
    for (const op of new Set(ctx.items.map((i) => i.op))) {
      const needed = op === 'create' ? 'create' : op === 'update' ? 'edit' : 'delete';
      if (!access.can(o, needed))
        throw new DomainError(403, 'NO_OBJECT_ACCESS', { object: o.def.label, op: opText(needed) });
    }
    // A change of owner is a transfer: its own permission, beside edit (row access: load-before).
    if (ctx.items.some((i) => i.op === 'update' && 'owner' in i.input) && !access.can(o, 'transfer'))
      throw new DomainError(403, 'NO_TRANSFER_ACCESS', { object: o.def.label });
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
            params: { field: o.fields.get(name)!.def.label },
          });
  },
};
