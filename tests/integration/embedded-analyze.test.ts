import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onServer, startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { salesPackage } from '../helpers/packages.js';
import { until } from '../helpers/until.js';

/**
 * Embedded PGlite has no autovacuum: the engine analyzes a table its writes grew by autovacuum's
 * own rule (50 rows + 10 %), so the planner does not keep planning for an empty table after an
 * import. On a server autovacuum does it and the engine stays out of the way.
 */
describe.skipIf(onServer)('planner statistics on embedded PGlite', () => {
  let te: TestEngine;
  let t: TestTenant;
  beforeAll(async () => {
    te = await startEngine({ embeddedAnalyzeDelayMs: 50 });
    t = await te.tenant(salesPackage());
  });
  afterAll(() => te?.close());

  const stats = async () => {
    const { rows } = (await te.engine.db.knex.raw(
      `select c.reltuples::int as rows, s.analyze_count::int as analyzed
         from pg_stat_user_tables s join pg_class c on c.oid = s.relid
        where s.schemaname = ? and s.relname = 'account'`,
      [t.schema],
    )) as { rows: { rows: number; analyzed: number }[] };
    return rows[0];
  };
  const accounts = (n: number, from: number) =>
    t
      .post('/api/v1/data/account/batch', {
        records: Array.from({ length: n }, (_, i) => ({ name: `Account ${from + i}` })),
      })
      .expect(200);

  it("analyzes a table a batch grew, by autovacuum's rule", async () => {
    expect(await stats()).toMatchObject({ analyzed: 0 }); // never analyzed: the planner guesses
    await accounts(300, 0);
    expect(await until(async () => (await stats()).analyzed === 1 && stats())).toMatchObject({ rows: 300 });
  });

  it('leaves it alone for fewer changes than 50 + 10 % of its rows, then counts them in', async () => {
    await accounts(70, 300); // more than 50, fewer than 50 + 30
    await new Promise((r) => setTimeout(r, 500)); // ten times the delay: its check has run
    expect(await stats()).toMatchObject({ rows: 300, analyzed: 1 });
    await accounts(30, 370); // 100 changes since the last ANALYZE > 80
    expect(await until(async () => (await stats()).analyzed === 2 && stats())).toMatchObject({ rows: 400 });
  });

  it('single writes count as well, from the 91st on', async () => {
    for (let i = 0; i < 95; i++)
      await t.post('/api/v1/data/account', { name: `One by one ${i}` }).expect(201);
    // 400 rows at the last ANALYZE: due after more than 50 + 40 changes, checked while writes go on
    const { rows } = await until(async () => (await stats()).analyzed === 3 && stats());
    expect(rows).toBeGreaterThan(490);
    expect(rows).toBeLessThanOrEqual(495);
  });
});
