import { opText } from '../../core/messages.js';
import { DomainError } from '../../core/errors.js';
import { SYSTEM_FIELDS } from '../../core/ident.js';
import type { RecordStep, WriteOp } from '../pipeline.js';

const SYSTEM = new Set<string>(SYSTEM_FIELDS);
const PERMISSION = { create: 'create', update: 'edit', delete: 'delete' } as const;

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
    // Each operation once per run of equal ones (a write holds one, a batch mostly one): no set built.
    let checked: WriteOp | null = null;
    for (const item of ctx.items) {
      if (item.op === checked) continue;
      checked = item.op;
      const needed = PERMISSION[item.op];
      if (!access.can(o, needed))
        throw new DomainError(403, 'NO_OBJECT_ACCESS', { object: o.def.label, op: opText(needed) });
    }
    // A change of owner is a transfer: its own permission, beside edit (row access: load-before).
    if (ctx.items.some((i) => i.op === 'update' && 'owner' in i.input) && !access.can(o, 'transfer'))
      throw new DomainError(403, 'NO_TRANSFER_ACCESS', { object: o.def.label });
    const editable = access.editable(o);
    for (const item of ctx.items)
      for (const name of Object.keys(item.input)) {
        if (SYSTEM.has(name) || editable.has(name)) continue;
        const f = o.fields.get(name);
        if (f?.type.writable)
          ctx.issues.push({
            pointer: `${item.pointer}/${name}`,
            code: 'FIELD_NOT_EDITABLE',
            params: { field: f.def.label },
          });
      }
  },
};
