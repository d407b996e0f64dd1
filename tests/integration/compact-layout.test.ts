import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { standardPackage } from '../../engine/src/tenancy/standard-package.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';

/**
 * Compact layouts: which fields a record's card shows is metadata (`layout.compact`), checked at
 * deploy, trimmed to what the reader may see; opportunities show stage, amount and close date.
 */
let te: TestEngine;
let t: TestTenant;

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(standardPackage(), 'compactco');
});
afterAll(() => te?.close());

describe('compact layouts', () => {
  it('the standard opportunity shows stage, amount and close date', async () => {
    const r = await t.get('/api/v1/meta/objects').expect(200);
    const opp = r.body.data.objects.find((o: { name: string }) => o.name === 'opportunity');
    expect(opp.layout.compact).toEqual({ fields: ['stage', 'amount', 'close_date'] });
  });

  it('refuses a field the object does not have, pointing at it, and changes nothing', async () => {
    const current = await t.get('/api/v1/meta').expect(200);
    const pkg = current.body.data.package as PackageDef;
    const i = pkg.objects.findIndex((o) => o.name === 'account');
    pkg.objects[i].layout = { ...pkg.objects[i].layout, compact: { fields: ['name', 'no_such_field'] } };
    const r = await t.post('/api/v1/meta/deploy', { package: pkg }).set('Accept-Language', 'zh-CN');
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({
      pointer: `/objects/${i}/layout/compact/fields/1`,
      code: 'META_UNKNOWN_FIELD',
    });
    const after = await t.get('/api/v1/meta').expect(200);
    expect(after.body.data.version).toBe(current.body.data.version);
  });

  it('a reader sees only the card fields they may read', async () => {
    const current = await t.get('/api/v1/meta').expect(200);
    const pkg = current.body.data.package as PackageDef;
    const rep = pkg.profiles!.find((p) => p.name === 'sales_rep')!;
    rep.fields = { ...rep.fields, opportunity: { amount: 'none' } };
    await t.post('/api/v1/meta/deploy', { package: pkg }).expect(201);
    await t
      .post('/api/v1/users', {
        username: 'rep',
        displayName: 'Rep',
        password: 'rep-password',
        profile: 'sales_rep',
      })
      .expect(201);
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username: 'rep', password: 'rep-password' });
    const r = await request(te.engine.app)
      .get('/api/v1/meta/objects')
      .set('Authorization', `Bearer ${login.body.data.access_token as string}`)
      .expect(200);
    const opp = r.body.data.objects.find((o: { name: string }) => o.name === 'opportunity');
    expect(opp.layout.compact).toEqual({ fields: ['stage', 'close_date'] });
  });
});
