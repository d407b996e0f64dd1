import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import type { FieldDef, JsonValue, PackageDef } from '../../engine/src/core/model.js';
import { activeValues } from '../../engine/src/fields/types/picklist.js';
import { standardPackage } from '../../engine/src/tenancy/standard-package.js';
import { dbRoleOf } from '../../engine/src/tenancy/tenants.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object, opts } from '../helpers/packages.js';
import { count, currentMeta, deployEdit } from '../fixtures/meta.js';

let te: TestEngine;
let a: TestTenant;
let b: TestTenant;
const ok = (r: request.Response, status = 200) => expect(r.status, JSON.stringify(r.body)).toBe(status);

const pkgA = (): PackageDef => ({
  objects: [
    object('account', [field('name', 'text'), field('secret_a', 'text')]),
    object('invoice', [field('no', 'text')]),
  ],
});
const pkgB = (): PackageDef => ({
  objects: [
    object('account', [field('title', 'text'), field('vip', 'boolean')]),
    object('note', [field('body', 'text'), field('account', 'lookup', { target: 'account' })]),
  ],
});

beforeAll(async () => {
  te = await startEngine();
  a = await te.tenant(pkgA(), 'ten_a');
  b = await te.tenant(pkgB(), 'ten_b');
});
afterAll(() => te?.close());

describe('tenant isolation', () => {
  let aId: string;
  let bId: string;
  beforeAll(async () => {
    aId = (await a.post('/api/v1/data/account', { name: 'A corp', secret_a: 'only for A' })).body.data.id;
    bId = (await b.post('/api/v1/data/account', { title: 'B corp', vip: true })).body.data.id;
  });

  it("the same object name has each tenant's own fields", async () => {
    const ra = (await a.get(`/api/v1/data/account/${aId}`)).body.data;
    expect(ra).toMatchObject({ name: 'A corp', secret_a: 'only for A' });
    expect(ra).not.toHaveProperty('title');
    const rb = (await b.get(`/api/v1/data/account/${bId}`)).body.data;
    expect(rb).toMatchObject({ title: 'B corp', vip: true });
    expect(rb).not.toHaveProperty('secret_a');
    const wrong = await b.post('/api/v1/data/account', { title: 'x', secret_a: 'y' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toContainEqual(
      expect.objectContaining({ pointer: '/secret_a', code: 'UNKNOWN_FIELD' }),
    );
    expect(
      (await b.get('/api/v1/data/account?filter=' + encodeURIComponent('{"secret_a":"only for A"}'))).status,
    ).toBe(400);
  });

  it("lists and reads show only the tenant's own records", async () => {
    const la = (await a.get('/api/v1/data/account')).body.data as { id: string }[];
    const lb = (await b.get('/api/v1/data/account')).body.data as { id: string }[];
    expect(la.map((x) => x.id)).toEqual([aId]);
    expect(lb.map((x) => x.id)).toEqual([bId]);
    expect((await b.get(`/api/v1/data/account/${aId}`)).status).toBe(404);
    expect(
      (await b.get('/api/v1/data/account?filter=' + encodeURIComponent(JSON.stringify({ id: aId })))).body
        .data,
    ).toEqual([]);
    const agg = await b.post('/api/v1/data/account/aggregate', { metrics: [{ fn: 'count' }] });
    expect(agg.body.data).toEqual([{ count: 1 }]);
  });

  it("another tenant's record cannot be changed, deleted, batch-updated or referenced", async () => {
    expect((await b.patch(`/api/v1/data/account/${aId}`, { title: 'hijack' })).status).toBe(404);
    expect((await b.del(`/api/v1/data/account/${aId}`)).status).toBe(404);
    expect(
      (await b.post('/api/v1/data/account/batch', { operations: [{ op: 'delete', id: aId }] })).status,
    ).toBe(404);
    const note = await b.post('/api/v1/data/note', { body: 'x', account: aId });
    expect(note.status).toBe(422);
    expect(note.body.errors).toContainEqual(
      expect.objectContaining({ pointer: '/account', code: 'LOOKUP_NOT_FOUND' }),
    );
    expect((await a.get(`/api/v1/data/account/${aId}`)).body.data).toMatchObject({
      name: 'A corp',
      version: 1,
    });
  });

  it('objects of another tenant do not exist', async () => {
    expect((await b.get('/api/v1/data/invoice')).status).toBe(404);
    expect((await a.get('/api/v1/data/note')).status).toBe(404);
    const oa = (await a.get('/api/v1/openapi.json')).body;
    const ob = (await b.get('/api/v1/openapi.json')).body;
    expect(
      Object.keys(oa.paths)
        .filter((p) => p.startsWith('/api/v1/data/') && !p.endsWith('{id}'))
        .sort(),
    ).toEqual(['/api/v1/data/account', '/api/v1/data/invoice']);
    expect(
      Object.keys(ob.paths)
        .filter((p) => p.startsWith('/api/v1/data/') && !p.endsWith('{id}'))
        .sort(),
    ).toEqual(['/api/v1/data/account', '/api/v1/data/note']);
    expect(Object.keys(oa.components.schemas.account.properties)).toContain('secret_a');
    expect(Object.keys(ob.components.schemas.account.properties)).not.toContain('secret_a');
  });

  it('a deploy in one tenant leaves the other alone', async () => {
    const vb = (await currentMeta(b)).version;
    ok(
      await deployEdit(a, (p) =>
        p.objects[0].fields.push(field('tier', 'picklist', { options: opts('gold') })),
      ),
      201,
    );
    expect((await currentMeta(b)).version).toBe(vb);
    expect((await b.post('/api/v1/data/account', { title: 't', tier: 'gold' })).status).toBe(422);
    ok(await a.post('/api/v1/data/account', { name: 't', tier: 'gold' }), 201);
  });

  it('the database fences each tenant into its own schema', async () => {
    const knex = te.engine.db.knex;
    const tenantA = (await te.engine.tenants.findBySlug('ten_a'))!;
    const err = await knex
      .transaction(async (trx) => {
        await trx.raw('select set_config(?, ?, true)', ['role', dbRoleOf(tenantA)]);
        await trx.withSchema(b.schema).from('account').select('*');
      })
      .then(() => null)
      .catch((e: { code?: string }) => e);
    expect(err?.code).toBe('42501'); // insufficient_privilege
  });
});

/** A value a field of this type accepts. */
function sample(f: FieldDef, ids: Map<string, string>): JsonValue | undefined {
  switch (f.type) {
    case 'text':
    case 'textarea':
    case 'rich_text':
      return `sample ${f.name}`;
    case 'email':
      return 'sample@example.cn';
    case 'phone':
      return '+86 10 1234 5678';
    case 'url':
      return 'https://example.cn';
    case 'integer':
      return 1;
    case 'number':
    case 'currency':
    case 'percent':
      return f.max !== undefined ? Math.min(1, f.max) : 1;
    case 'boolean':
      return true;
    case 'date':
      return '2026-06-30';
    case 'datetime':
      return '2026-06-30T09:00:00.000Z';
    case 'picklist':
      return activeValues(f)[0];
    case 'multi_picklist':
      return activeValues(f).slice(0, 1);
    case 'lookup':
    case 'master_detail':
      return ids.get(f.target!);
    default:
      return undefined;
  }
}

describe('the standard package', () => {
  it('deploys for a new tenant and every standard object accepts a record', async () => {
    const std = standardPackage();
    const t = await te.tenant(std, 'std');
    expect((await currentMeta(t)).package.objects.map((o) => o.name)).toEqual(std.objects.map((o) => o.name));
    const ids = new Map<string, string>();
    const byName = new Map(std.objects.map((o) => [o.name, o]));
    const create = async (name: string): Promise<void> => {
      if (ids.has(name)) return;
      const o = byName.get(name)!;
      const data: Record<string, JsonValue> = {};
      for (const f of o.fields) {
        if (f.target && f.target !== name && !ids.has(f.target) && f.required) await create(f.target);
        if (!f.required && !f.target) continue;
        const v = sample(f, ids);
        if (v !== undefined) data[f.name] = v;
      }
      const r = await t.post(`/api/v1/data/${name}`, data);
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(201);
      ids.set(name, r.body.data.id);
    };
    for (const o of std.objects) await create(o.name);
    expect([...ids.keys()].sort()).toEqual(std.objects.map((o) => o.name).sort());
    for (const o of std.objects) expect(await count(te, t, o.name), o.name).toBeGreaterThanOrEqual(1);
  });
});
