import { reserveNumbers } from '../auto-number.js';
import type { CompiledField } from '../../metadata/compile.js';
import type { PrepareContext, RecordStep } from '../pipeline.js';

/** Fills auto-number fields of created records with numbers reserved before the transaction. */
export function autoNumbers(timeZone: string): RecordStep {
  return {
    name: 'auto-numbers',
    // Numbers are reserved before the write, in a statement of their own.
    needsTransaction: () => false,
    needsBefore: () => false,
    // Synchronous when nothing is numbered (most writes): the pipeline then awaits nothing.
    prepare(ctx) {
      const fields = ctx.object.fieldList.filter((f) => f.def.type === 'auto_number');
      const creates = ctx.items.filter((i) => i.op === 'create').length;
      if (!fields.length || !creates) return null;
      return reserveAll(ctx, fields, creates, timeZone);
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

async function reserveAll(ctx: PrepareContext, fields: CompiledField[], creates: number, timeZone: string) {
  const out = new Map<string, string[]>();
  for (const f of fields) out.set(f.name, await reserveNumbers(ctx.db, ctx.schema, f, creates, timeZone));
  return out;
}
