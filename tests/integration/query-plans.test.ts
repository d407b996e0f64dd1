import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_ALL } from '../../engine/src/records/access.js';
import type { Scope } from '../../engine/src/records/service.js';
import { policyFor } from '../../engine/src/security/policy.js';
import { dbRoleOf } from '../../engine/src/tenancy/tenants.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object } from '../helpers/packages.js';

/**
 * What the planner makes of the SQL the engine generates (docs/performance.md). Plans, not
 * timings: estimated costs and node types are deterministic for the same data and statistics.
 */
let te: TestEngine;
let t: TestTenant;
let repId: string;

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant({
    name: 'plans',
    objects: [
      object(
        'deal',
        [
          field('name', 'text', { required: true }),
          field('amount', 'currency', { precision: 14, scale: 2 }),
          field('stage', 'picklist', {
            options: ['a', 'b', 'c'].map((value, order) => ({ value, label: l(value), order })),
          }),
        ],
        { sharing: { default: 'private' } },
      ),
    ],
    profiles: [
      {
        name: 'rep',
        label: l('Rep'),
        objects: { deal: { create: true, read: true, edit: true } },
      },
    ],
  });
  const rep = await t
    .post('/api/v1/users')
    .send({ username: 'rep', displayName: 'Rep', password: 'Rep-password-123', profile: 'rep' });
  expect(rep.status).toBe(201);
  repId = rep.body.data.id;
  // 3,000 deals owned by the admin: the rep reaches none of them but through a share.
  for (let b = 0; b < 3; b++) {
    const res = await t.post('/api/v1/data/deal/batch').send({
      records: Array.from({ length: 1000 }, (_, i) => ({
        name: `Deal ${b * 1000 + i}`,
        amount: i,
        stage: ['a', 'b', 'c'][i % 3],
      })),
    });
    expect(res.status).toBe(200);
  }
  await te.engine.db.knex.raw('analyze ??.??', [t.schema, 'deal']);
}, 120_000);
afterAll(() => te?.close());

interface Plan {
  Plan: { 'Total Cost': number };
}

/** The aggregate's statement as the engine builds it for `access`, EXPLAINed (estimates only). */
async function aggregateCost(access: Scope['access']) {
  const model = await te.engine.models.get(t.tenantId);
  const scope: Scope = {
    tenantId: t.tenantId,
    schema: t.schema as Scope['schema'],
    actor: repId,
    model,
    access,
    dbRole: dbRoleOf((await te.engine.tenants.findBySlug(t.slug))!),
  };
  const captured: { sql: string; bindings: unknown[] }[] = [];
  let k: Knex | null = null;
  await te.engine.db.tenant.read(scope.dbRole, async (db) => void (k = db));
  const listen = (q: { sql: string; bindings: unknown[] }) => captured.push(q);
  k!.on('query', listen);
  try {
    await te.engine.records.aggregate(scope, 'deal', {
      groupBy: ['stage'],
      metrics: [{ fn: 'sum', field: 'amount' }],
    });
  } finally {
    k!.off('query', listen);
  }
  const st = captured.find((q) => q.sql.includes('sum('))!;
  const order: number[] = [];
  const text = st.sql.replace(/\$(\d+)/g, (_, n: string) => (order.push(Number(n) - 1), '?'));
  const explain = 'explain (format json) ' + text;
  const res = (await te.engine.db.knex.raw(
    explain,
    order.map((i) => st.bindings[i]) as Knex.RawBinding[],
  )) as { rows: { 'QUERY PLAN': Plan[] }[] };
  return { sql: st.sql, cost: res.rows[0]['QUERY PLAN'][0].Plan['Total Cost'] };
}

describe('row access in generated SQL', () => {
  it('plans the record-share condition once, not per row: a private aggregate costs what an open one does', async () => {
    const model = await te.engine.models.get(t.tenantId);
    const rep = policyFor(model, { userId: repId, isAdmin: false, role: null, profile: 'rep' }, t.schema);
    const open = await aggregateCost(ALLOW_ALL);
    const scoped = await aggregateCost(rep);
    // With a correlated EXISTS the planner costed the scan ~100× higher (a subplan per row),
    // which kept such aggregates off parallel plans.
    expect(scoped.cost).toBeLessThan(open.cost * 2);
    // Uncorrelated: `"id" in (select "record_id" …)`, so Postgres hashes the rep's shares once.
    expect(scoped.sql).toMatch(/"deal"\."id" in \(select "record_id" from/);
    expect(scoped.sql).not.toMatch(/exists/i);
  });

  it('still finds what a share gives and nothing else', async () => {
    const [deal] = (await t.get('/api/v1/data/deal?limit=1&sort=name').expect(200)).body.data as {
      id: string;
    }[];
    const model = await te.engine.models.get(t.tenantId);
    const rep = policyFor(model, { userId: repId, isAdmin: false, role: null, profile: 'rep' }, t.schema);
    const scope: Scope = {
      tenantId: t.tenantId,
      schema: t.schema as Scope['schema'],
      actor: repId,
      model,
      access: rep,
      dbRole: dbRoleOf((await te.engine.tenants.findBySlug(t.slug))!),
    };
    const count = async () =>
      (await te.engine.records.aggregate(scope, 'deal', { metrics: [{ fn: 'count' }] }))[0].count;
    expect(await count()).toBe(0);
    await t.put(`/api/v1/data/deal/${deal.id}/team/${repId}`).send({ access: 'read' }).expect(204);
    expect(await count()).toBe(1);
    const list = await te.engine.records.list(scope, 'deal', { limit: 10 });
    expect(list.data.map((d) => d.id)).toEqual([deal.id]);
  });
});
