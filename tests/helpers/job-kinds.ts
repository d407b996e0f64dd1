import type { Engine } from '../../engine/src/engine.js';

/** Test job kinds that leave a mark per run in `<platform>.test_marks` (job id, worker). */
export const MARKS = 'test_marks';

export async function createMarks(engine: Engine) {
  await engine.db.knex.schema.withSchema(engine.platform).createTable(MARKS, (t) => {
    t.bigInteger('job_id').notNullable();
    t.text('worker').notNullable();
  });
}

const mark = (engine: Engine, jobId: number, worker: string) =>
  engine.db.knex.withSchema(engine.platform).table(MARKS).insert({ job_id: jobId, worker });

/** `test.mark`: marks at once. */
export function registerMarkKind(engine: Engine, worker: string) {
  engine.jobs.register({
    name: 'test.mark',
    payload: { type: 'object', properties: { n: { type: 'integer' } } },
    run: async (_p, ctx) => void (await mark(engine, ctx.job.id, worker)),
  });
}

/** `test.slow`: works 300 ms, then marks. */
export function registerSlowKind(engine: Engine, worker: string, marked?: (jobId: number) => void) {
  engine.jobs.register({
    name: 'test.slow',
    payload: { type: 'object', properties: { n: { type: 'integer' } } },
    async run(_p, ctx) {
      await new Promise((r) => setTimeout(r, 300));
      await mark(engine, ctx.job.id, worker);
      marked?.(ctx.job.id);
    },
  });
}
