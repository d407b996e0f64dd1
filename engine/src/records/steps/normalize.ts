import { PROCESS_FIELDS, SYSTEM_FIELDS } from '../../core/ident.js';
import type { CompiledField, CompiledObject } from '../../metadata/compile.js';
import type { RecordStep } from '../pipeline.js';
import { perObject } from '../../metadata/per-object.js';

const TRIMMED = new Set(['text', 'email', 'phone', 'url']);
/** Engine fields a process step maintains; `business_type` is chosen by the writer (see processes/stages). */
const MAINTAINED = PROCESS_FIELDS.filter((n) => n !== 'business_type');

/** What normalize does with an input name: refuse it (with the label to show) or trim it. */
type Rule = { refuse: CompiledField['def']['label'] | string } | 'trim';

interface Plan {
  /** Names with something to do; any other name passes as sent (validate refuses unknown ones). */
  rules: ReadonlyMap<string, Rule>;
  /** Fields with a default, for creates. */
  defaults: readonly CompiledField[];
}

/** Decided once per object per metadata version, not per value written. */
const planOf = perObject((o: CompiledObject): Plan => {
  const rules = new Map<string, Rule>();
  for (const name of SYSTEM_FIELDS) rules.set(name, { refuse: name });
  if (o.stageField) for (const name of MAINTAINED) if (!o.fields.has(name)) rules.set(name, { refuse: name });
  for (const f of o.fieldList)
    if (!f.type.writable) rules.set(f.name, { refuse: f.def.label });
    else if (TRIMMED.has(f.def.type)) rules.set(f.name, 'trim');
  return { rules, defaults: o.fieldList.filter((f) => f.def.default !== undefined) };
});

/**
 * Shapes input into values: system and computed fields are refused (no mass assignment),
 * single-line texts are trimmed ('' becomes null), defaults fill what a create leaves out.
 */
export const normalize: RecordStep = {
  name: 'normalize',
  needsTransaction: () => false,
  needsBefore: () => false,
  run(ctx) {
    const { rules, defaults } = planOf(ctx.object);
    for (const item of ctx.items) {
      if (item.op === 'delete') continue;
      const values: Record<string, unknown> = {};
      const { input } = item;
      // Own keys, as authorize checks them (for…in would also walk inherited ones).
      for (const name of Object.keys(input)) {
        if (name === 'owner' && item.op === 'update') continue; // a transfer: steps/owner.ts
        let value = input[name];
        const rule = rules.get(name);
        if (rule === 'trim') value = typeof value === 'string' ? value.trim() || null : value;
        else if (rule) {
          ctx.issues.push({
            pointer: `${item.pointer}/${name}`,
            code: 'READ_ONLY_FIELD',
            params: { field: rule.refuse },
          });
          continue;
        }
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
        for (const f of defaults) if (values[f.name] === undefined) values[f.name] = f.def.default;
      item.values = values;
    }
  },
};
