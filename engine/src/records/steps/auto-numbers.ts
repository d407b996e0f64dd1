import { reserveNumbers } from '../auto-number.js';
import type { RecordStep } from '../pipeline.js';

/** Fills auto-number fields of created records with numbers reserved before the transaction. */
export function autoNumbers(timeZone: string): RecordStep {
  return {
    name: 'auto-numbers',
    // Numbers are reserved before the write, in a statement of their own.
    needsTransaction: () => false,
    needsBefore: () => false,
    async prepare(ctx) {
      const fields = ctx.object.fieldList.filter((f) => f.def.type === 'auto_number');
      const creates = ctx.items.filter((i) => i.op === 'create').length;
      if (!fields.length || !creates) return null;
      const out = new Map<string, string[]>();
      for (const f of fields) out.set(f.name, await reserveNumbers(ctx.db, ctx.schema, f, creates, timeZone));
      return out;
    },
    run(ctx) {
      const reserved = ctx.prepared.get('auto-numbers') as Map<string, string[]> | null | undefined;
      if (!reserved) return;
      let n = 0;
      for (const item of ctx.items) {
        if (item.op !== 'create') continue;
        for (const [name, numbers] of reserved) item.values[name] = numbers[n];
        n += 1;
      }
    },
  };
}
