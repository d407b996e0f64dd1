import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../seeds/demo.js';
import { standardPackage } from '../../engine/src/tenancy/standard-package.js';
import { startEngine, type TestEngine } from '../helpers/engine.js';

// The demo tenant starts with two business types whose opportunities sit in every stage of
// their pipelines, some of them stale, all put there through the records API and its gates.
let te: TestEngine;
let token: string;

beforeAll(async () => {
  te = await startEngine();
  token = (await seedDemo(te.engine, standardPackage(), undefined, 'demo-password-1')).token!;
}, 300_000);
afterAll(() => te?.close());

const get = (path: string) => request(te.engine.app).get(path).set('Authorization', `Bearer ${token}`);

describe('the demo tenant’s sales processes', () => {
  it('has direct sales and distribution, with records in every stage of both', async () => {
    const d = (await get('/api/v1/stages/opportunity')).body.data;
    expect(d.businessTypes.map((t: { name: string }) => t.name)).toEqual(['direct_sale', 'distribution']);
    const rows = (
      await get('/api/v1/data/opportunity?limit=200&fields=business_type,stage,stale,days_in_stage')
    ).body.data as { business_type: string; stage: string; stale: boolean }[];
    for (const p of d.pipelines as { name: string; stages: { value: string }[] }[]) {
      const type = p.name === 'direct_sales' ? 'direct_sale' : 'distribution';
      for (const s of p.stages)
        expect(
          rows.some((r) => r.business_type === type && r.stage === s.value),
          `${type} ${s.value}`,
        ).toBe(true);
    }
    expect(rows.filter((r) => r.stale).length).toBeGreaterThan(2);
    expect(rows.filter((r) => !r.stale).length).toBeGreaterThan(10);
  });

  it('stage statistics show conversion and days per stage', async () => {
    const stats = (await get('/api/v1/stages/opportunity/stats?pipeline=direct_sales')).body.data[0];
    const prospecting = stats.stages[0];
    expect(prospecting.entered).toBeGreaterThan(5);
    expect(prospecting.conversionRate).toBeGreaterThan(0);
    expect(prospecting.averageDays).toBeGreaterThan(2);
  });

  it('the checklist of a direct deal in prospecting names the site survey and the decision maker', async () => {
    const list = (
      await get(
        `/api/v1/data/opportunity?filter=${encodeURIComponent('{"business_type":"direct_sale","stage":"prospecting"}')}&fields=id`,
      )
    ).body.data;
    const c = (await get(`/api/v1/data/opportunity/${list[0].id}/gates?locale=zh-CN`)).body.data;
    expect(c.to).toBe('project');
    expect(c.stages[0].items.map((i: { name: string; met: boolean }) => [i.name, i.met])).toEqual([
      ['site_survey', false],
      ['decision_maker', false],
    ]);
    expect(c.stages[0].items[1].why).toBe('进入“立项”前必须填写“决策人”。');
  });
});
