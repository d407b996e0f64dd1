import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ident } from '../../engine/src/core/ident.js';
import { dbRoleOf } from '../../engine/src/tenancy/tenants.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';

/** Each tenant a package of its own, so an answer from the wrong model would show. */
const pkgOf = (i: number) => ({
  objects: [object('note', [field('title', 'text'), field(`only_${i}`, 'text')])],
});

describe('the tenant model cache is bounded (least recently used dropped)', () => {
  let te: TestEngine;
  const ts: TestTenant[] = [];
  beforeAll(async () => {
    te = await startEngine({ modelCacheSize: 2 });
    for (let i = 0; i < 5; i++) ts.push(await te.tenant(pkgOf(i), `lru${i}`));
  });
  afterAll(() => te?.close());

  it('keeps at most the limit, drops the least recently used, and answers right after', async () => {
    const models = te.engine.models;
    const a = await models.get(ts[0].tenantId);
    await models.get(ts[1].tenantId);
    expect(await models.get(ts[0].tenantId)).toBe(a); // used again: now the most recent
    await models.get(ts[2].tenantId); // evicts tenant 1, the least recently used
    expect(models.size()).toBe(2);
    expect(await models.get(ts[0].tenantId)).toBe(a);
    // Every tenant in turn, twice: more tenants than the limit, through the API.
    for (let round = 0; round < 2; round++)
      for (const [i, t] of ts.entries()) {
        const created = await t.post('/api/v1/data/note', {
          title: `n${i}.${round}`,
          [`only_${i}`]: `mine ${i}`,
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const list = await t.get('/api/v1/data/note?sort=title');
        expect(list.body.data.map((r: Record<string, unknown>) => [r.title, r[`only_${i}`]])).toEqual(
          Array.from({ length: round + 1 }, (_, r) => [`n${i}.${r}`, `mine ${i}`]),
        );
        // A field of another tenant's package is unknown here.
        const other = (i + 1) % ts.length;
        expect((await t.post('/api/v1/data/note', { [`only_${other}`]: 'x' })).status).toBe(422);
        expect(models.size()).toBeLessThanOrEqual(2);
      }
    // Tenant 0 was dropped along the way and compiled again from its stored package.
    const again = await models.get(ts[0].tenantId);
    expect(again).not.toBe(a);
    expect(again.version).toBe(a.version);
  });
});

// Named prepared statements exist on a Postgres server only (PGlite has none).
describe('prepared statements per connection are bounded (server and PGlite)', () => {
  let te: TestEngine;
  const ts: TestTenant[] = [];
  const ids: string[] = [];
  beforeAll(async () => {
    // One tenant connection (PGlite has only one), at most 3 named statements on it.
    te = await startEngine({ poolSize: 1, statementCacheSize: 3 });
    for (let i = 0; i < 5; i++) {
      const t = await te.tenant(pkgOf(i), `ps${i}`);
      ts.push(t);
      ids.push((await t.post('/api/v1/data/note', { title: `note of ${i}` })).body.data.id as string);
    }
  });
  afterAll(() => te?.close());

  /** The named statements on the one tenant connection, asked on that connection. */
  const statements = async () => {
    const tenant = (await te.engine.tenants.list()).find((x) => x.id === ts[0].tenantId)!;
    return te.engine.db.tenant.read(dbRoleOf(tenant) as Ident, async (db) => {
      const { rows } = (await db.raw(
        "select name, statement from pg_prepared_statements where name like 'tessera\\_%' order by name",
      )) as { rows: { name: string; statement: string }[] };
      return rows;
    });
  };

  it('evicts the least recently used, deallocates it in the database, and re-prepares it when needed', async () => {
    // Reads by id run as named statements; each tenant's text names its own schema.
    for (let round = 0; round < 3; round++)
      for (const [i, t] of ts.entries()) {
        const res = await t.get(`/api/v1/data/note/${ids[i]}`);
        expect(res.status).toBe(200);
        expect(res.body.data.title).toBe(`note of ${i}`);
        const held = await statements();
        expect(held.length).toBeLessThanOrEqual(3);
      }
    // The last tenants read are the ones still prepared; the first ones were deallocated.
    const held = await statements();
    expect(held.some((s) => s.statement.includes(ts[4].schema))).toBe(true);
    expect(held.some((s) => s.statement.includes(ts[0].schema))).toBe(false);
  });
});
