import { PROCESS_FIELDS, SYSTEM_FIELDS } from '../../core/ident.js';
import type { RecordStep } from '../pipeline.js';

const TRIMMED = new Set(['text', 'email', 'phone', 'url']);
const SYSTEM = new Set<string>(SYSTEM_FIELDS);
/** Engine fields a process step maintains; `business_type` is chosen by the writer (see processes/stages). */
const MAINTAINED = new Set<string>(PROCESS_FIELDS.filter((n) => n !== 'business_type'));

/**
 * Shapes input into values: system and computed fields are refused (no mass assignment),
 * single-line texts are trimmed ('' becomes null), defaults fill what a create leaves out.
 */
export const normalize: RecordStep = {
  name: 'normalize',
  needsTransaction: () => false,
  needsBefore: () => false,
  run(ctx) {
    for (const item of ctx.items) {
      if (item.op === 'delete') continue;
      const values: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(item.input)) {
        const f = ctx.object.fields.get(name);
        if (name === 'owner' && item.op === 'update') continue; // a transfer: steps/owner.ts
        if (
          SYSTEM.has(name) ||
          (f && !f.type.writable) ||
          (!f && MAINTAINED.has(name) && ctx.object.stageField)
        ) {
          ctx.issues.push({
            pointer: `${item.pointer}/${name}`,
            code: 'READ_ONLY_FIELD',
            params: { field: f?.def.label ?? name },
          });
          continue;
        }
        const value = f && TRIMMED.has(f.def.type) && typeof v === 'string' ? v.trim() || null : v;
        // A "__proto__" key stays an (unknown) field instead of a prototype: defineProperty, not assignment.
        if (name === '__proto__')
          Object.defineProperty(values, name, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else values[name] = value;
      }
      if (item.op === 'create')
        for (const f of ctx.object.fieldList)
          if (f.def.default !== undefined && values[f.name] === undefined) values[f.name] = f.def.default;
      item.values = values;
    }
  },
};
