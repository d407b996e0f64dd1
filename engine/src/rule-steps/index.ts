import type { Knex } from 'knex';
import type { RecordStep } from '../records/pipeline.js';
import { derivedStep } from './derived.js';
import { duplicatesStep } from './duplicates.js';
import { defaultsStep, recordRulesStep } from './record-rules.js';

export { recomputeDerived } from './derived.js';
export { Recomputations, recomputeJobKind, RECOMPUTE_KIND, type RecomputeTask } from './recompute-tasks.js';
export { normalized } from './duplicates.js';

export interface RuleSteps {
  beforeValidate: RecordStep[];
  ruleSteps: RecordStep[];
  afterPersist: RecordStep[];
  /** Schema of pg_trgm, or null (similar duplicate matching falls back to exact). */
  trigramSchema: string | null;
}

/**
 * Makes pg_trgm available when it can (PGlite ships it; on a server it needs the right to create
 * it) and returns its schema, or null.
 */
export async function ensureTrigram(knex: Knex): Promise<string | null> {
  const find = async () => {
    const r = await knex.raw(
      "select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'",
    );
    return ((r.rows ?? r) as { schema: string }[])[0]?.schema ?? null;
  };
  try {
    const found = await find();
    if (found) return found;
    await knex.raw('create extension if not exists pg_trgm').catch(() => undefined); // a concurrent creator may win
    return await find();
  } catch {
    return null;
  }
}

/** The rules layer's steps for the records pipeline, wired by the composition root. */
export async function createRuleSteps(knex: Knex, timeZone: string): Promise<RuleSteps> {
  const trigramSchema = await ensureTrigram(knex);
  return {
    beforeValidate: [defaultsStep(timeZone)],
    ruleSteps: [recordRulesStep(timeZone)],
    afterPersist: [derivedStep(timeZone), duplicatesStep({ trigramSchema: () => trigramSchema })],
    trigramSchema,
  };
}
