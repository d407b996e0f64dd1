import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesPackage } from '../helpers/packages.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';

let te: TestEngine;
let t: TestTenant;
beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(salesPackage());
});
afterAll(() => te?.close());

describe('smoke', () => {
  it('creates and lists records', async () => {
    const acc = await t.post('/api/v1/data/account', { name: 'Acme 有限公司', region: 'east' });
    expect(acc.status, JSON.stringify(acc.body)).toBe(201);
    const opp = await t.post('/api/v1/data/opportunity', {
      name: 'Big deal',
      amount: 120000.5,
      stage: 'negotiation',
      account: acc.body.data.id,
      close_date: '2026-12-31',
    });
    expect(opp.status, JSON.stringify(opp.body)).toBe(201);
    expect(opp.body.data.amount).toBe(120000.5);
    expect(opp.body.data.close_date).toBe('2026-12-31');
    const list = await t.get(
      '/api/v1/data/opportunity?expand=account&filter=' +
        encodeURIComponent(JSON.stringify({ stage: { eq: 'negotiation' }, amount: { gt: 50000 } })),
    );
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].account.name).toBe('Acme 有限公司');
  });
});
