import { SYSTEM_FIELDS } from '../../core/ident.js';
import type { RecordStep } from '../pipeline.js';

const TRIMMED = new Set(['text', 'email', 'phone', 'url']);
const SYSTEM = new Set<string>(SYSTEM_FIELDS);

/**
 * Shapes input into values: system and computed fields are refused (no mass assignment),
 * single-line texts are trimmed ('' becomes null), defaults fill what a create leaves out.
 */
export const normalize: RecordStep = {
  name: 'normalize',
  needsTransaction: () => false,
  run(ctx) {
    for (const item of ctx.items) {
      if (item.op === 'delete') continue;
      const values: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(item.input)) {
        const f = ctx.object.fields.get(name);
        if (SYSTEM.has(name) || (f && !f.type.writable)) {
          ctx.issues.push({
            pointer: `${item.pointer}/${name}`,
            code: 'READ_ONLY_FIELD',
            params: { field: name },
          });
          continue;
        }
        const value = f && TRIMMED.has(f.def.type) && typeof v === 'string' ? v.trim() || null : v;
        // defineProperty, not assignment: a "__proto__" key stays an (unknown) field instead of a prototype.
        Object.defineProperty(values, name, { value, enumerable: true, writable: true, configurable: true });
      }
      if (item.op === 'create')
        for (const f of ctx.object.fieldList)
          if (f.def.default !== undefined && values[f.name] === undefined) values[f.name] = f.def.default;
      item.values = values;
    }
  },
};
