import { ajvIssues } from '../../core/ajv.js';
import { validatorsFor } from '../../validation/record-schema.js';
import type { RecordStep } from '../pipeline.js';

const blank = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** Types, ranges, options and formats (ajv, compiled per metadata version), then required fields. */
export const validate: RecordStep = {
  name: 'validate',
  needsTransaction: () => false,
  needsBefore: () => false,
  run(ctx) {
    const v = validatorsFor(ctx.object);
    for (const item of ctx.items) {
      if (item.op === 'delete') continue;
      if (!v.write(item.values)) ctx.issues.push(...ajvIssues(v.write.errors, item.pointer));
      for (const name of v.required) {
        const f = ctx.object.fields.get(name)!;
        if (ctx.blind && item.op === 'update' && !(name in item.values)) {
          (item.requireStored ??= []).push(f.column); // persist's UPDATE checks the stored value
          continue;
        }
        const value = name in item.values ? item.values[name] : item.before?.[f.column];
        if (blank(value) && !ctx.issues.some((i) => i.pointer === `${item.pointer}/${name}`))
          ctx.issues.push({ pointer: `${item.pointer}/${name}`, code: 'REQUIRED' });
      }
    }
  },
};
