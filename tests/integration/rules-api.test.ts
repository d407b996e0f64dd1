import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { rulesPackage } from './rules-package.js';

let te: TestEngine;
let t: TestTenant;
beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(rulesPackage());
});
afterAll(() => te?.close());

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const codes = (body: { errors?: { pointer: string; code: string }[] }) =>
  (body.errors ?? []).map((e) => `${e.pointer} ${e.code}`).sort();
let n = 0;
const account = async (extra: Record<string, unknown> = {}) => {
  const r = await t.post('/api/v1/data/account', { name: `Account ${++n}`, region: 'east', ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data as Record<string, unknown>;
};
const opp = async (extra: Record<string, unknown> = {}) => {
  const r = await t.post('/api/v1/data/opportunity', {
    name: `Deal ${++n}`,
    amount: 1000,
    probability: 50,
    stage: 'prospecting',
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data as Record<string, unknown>;
};

describe('validation rules', () => {
  it('reports every failing rule at once, with the bilingual message at the rule field', async () => {
    const r = await t.post('/api/v1/data/opportunity?locale=zh-CN', {
      name: 'Bad',
      amount: -5,
      close_date: '2000-01-01',
    });
    expect(r.status).toBe(422);
    expect(codes(r.body)).toEqual(['/amount VALIDATION_RULE', '/close_date VALIDATION_RULE']);
    const msgs = r.body.errors.map((e: { message: string }) => e.message).sort();
    expect(msgs).toEqual(['金额不能为负数。', '预计成交日期不能早于今天。']);
    expect(r.body.errors[0].detail.rule).toBeTruthy();
    const en = await t.post('/api/v1/data/opportunity', { name: 'Bad', amount: -5 });
    expect(en.body.errors[0].message).toBe('The amount cannot be negative.');
  });

  it('accepts a valid record; "changed" lets an old past date stay on later edits', async () => {
    const o = await opp({ close_date: today() });
    expect(o.close_date).toBe(today());
    const again = await t.patch(`/api/v1/data/opportunity/${o.id}`, { amount: 2000 });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const past = await t.patch(`/api/v1/data/opportunity/${o.id}`, { close_date: '2001-02-03' });
    expect(codes(past.body)).toEqual(['/close_date VALIDATION_RULE']);
  });

  it('enforces rules in batches, with pointers per operation', async () => {
    const r = await t.post('/api/v1/data/opportunity/batch', {
      records: [
        { name: 'ok', amount: 1 },
        { name: 'bad', amount: -1 },
      ],
    });
    expect(r.status).toBe(422);
    expect(codes(r.body)).toEqual(['/records/1/amount VALIDATION_RULE']);
  });
});

describe('required-if and read-only-if', () => {
  it('requires a loss reason when the stage is closed_lost', async () => {
    const r = await t.post('/api/v1/data/opportunity', { name: 'Lost', stage: 'closed_lost' });
    expect(codes(r.body)).toEqual(['/loss_reason REQUIRED']);
    await opp({ stage: 'closed_lost', loss_reason: 'price' });
  });

  it('freezes the discount once the deal is closed', async () => {
    const o = await opp({ discount: 5 });
    const closing = await t.patch(`/api/v1/data/opportunity/${o.id}`, {
      stage: 'closed_lost',
      loss_reason: 'budget',
      discount: 10,
    });
    expect(codes(closing.body)).toEqual(['/discount READ_ONLY_NOW']);
    const closed = await t.patch(`/api/v1/data/opportunity/${o.id}`, {
      stage: 'closed_lost',
      loss_reason: 'budget',
    });
    expect(closed.status).toBe(200);
    const same = await t.patch(`/api/v1/data/opportunity/${o.id}`, { discount: 5 });
    expect(same.status, 'sending the stored value is not a change').toBe(200);
    const change = await t.patch(`/api/v1/data/opportunity/${o.id}`, { discount: 7 });
    expect(codes(change.body)).toEqual(['/discount READ_ONLY_NOW']);
  });
});

describe('defaults, dependent picklists, formulas', () => {
  it('computes a default at create only when none is sent', async () => {
    const o = await opp();
    const expected = new Date(Date.parse(today() + 'T00:00:00Z') + 30 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    expect(o.close_date).toBe(expected);
    const given = await opp({ close_date: '2099-01-01' });
    expect(given.close_date).toBe('2099-01-01');
  });

  it('allows only the series of the chosen product line', async () => {
    await opp({ product_line: 'hvac', product_series: 'vrf' });
    const bad = await t.post('/api/v1/data/opportunity', {
      name: 'x',
      product_line: 'hvac',
      product_series: 'express',
    });
    expect(codes(bad.body)).toEqual(['/product_series DEPENDENT_OPTION']);
    const noLine = await t.post('/api/v1/data/opportunity', { name: 'x', product_series: 'vrf' });
    expect(codes(noLine.body)).toEqual(['/product_series DEPENDENT_OPTION']);
    const o = await opp({ product_line: 'hvac', product_series: 'chiller' });
    const switchLine = await t.patch(`/api/v1/data/opportunity/${o.id}`, { product_line: 'logistics' });
    expect(codes(switchLine.body)).toEqual(['/product_series DEPENDENT_OPTION']);
    const both = await t.patch(`/api/v1/data/opportunity/${o.id}`, {
      product_line: 'logistics',
      product_series: 'cold_chain',
    });
    expect(both.status).toBe(200);
  });

  it('stores formulas (filterable and sortable) and follows the looked-up record', async () => {
    const a = await account({ region: 'north' });
    const o = await opp({
      amount: 1234.5,
      probability: 30,
      account: a.id,
      product_line: 'hvac',
      close_date: '2031-05-06',
    });
    expect(o.weighted).toBe(370.35);
    expect(o.account_region).toBe('north');
    expect(o.code).toBe('HVAC-2031');
    const upd = await t.patch(`/api/v1/data/opportunity/${o.id}`, { probability: 80 });
    expect(upd.body.data.weighted).toBe(987.6);
    expect(await t.patch(`/api/v1/data/account/${a.id}`, { region: 'south' }).then((r) => r.status)).toBe(
      200,
    );
    const after = await t.get(`/api/v1/data/opportunity/${o.id}`);
    expect(after.body.data.account_region).toBe('south');
    const filtered = await t.get(
      '/api/v1/data/opportunity?filter=' +
        encodeURIComponent(JSON.stringify({ account_region: { eq: 'south' } })) +
        '&sort=-weighted',
    );
    expect(filtered.status, JSON.stringify(filtered.body)).toBe(200);
    expect(filtered.body.data.map((r: { id: string }) => r.id)).toContain(o.id);
    const computed = await t.patch(`/api/v1/data/opportunity/${o.id}`, { weighted: 1 });
    expect(codes(computed.body)).toEqual(['/weighted READ_ONLY_FIELD']);
  });
});

describe('roll-ups', () => {
  it('keeps count, filtered sum and max exact on insert, update, re-parenting and delete', async () => {
    const a = await account();
    const b = await account();
    const o1 = await opp({ account: a.id, amount: 100 });
    const o2 = await opp({ account: a.id, amount: 300 });
    const get = async (id: unknown) => (await t.get(`/api/v1/data/account/${id}`)).body.data;
    expect(await get(a.id)).toMatchObject({ opp_count: 2, won_amount: 0, max_amount: 300 });
    // closing as won needs the performance split at 100 %
    const early = await t.patch(`/api/v1/data/opportunity/${o1.id}`, { stage: 'closed_won' });
    expect(codes(early.body)).toEqual(['/stage VALIDATION_RULE']);
    await t
      .post('/api/v1/data/split/batch', {
        records: [
          { person: 'Li', share: 60, opportunity: o1.id },
          { person: 'Wang', share: 40, opportunity: o1.id },
        ],
      })
      .expect(200);
    expect((await t.get(`/api/v1/data/opportunity/${o1.id}`)).body.data.split_total).toBe(100);
    await t.patch(`/api/v1/data/opportunity/${o1.id}`, { stage: 'closed_won' }).expect(200);
    expect(await get(a.id)).toMatchObject({ opp_count: 2, won_amount: 100, max_amount: 300 });
    await t.patch(`/api/v1/data/opportunity/${o2.id}`, { account: b.id }).expect(200);
    expect(await get(a.id)).toMatchObject({ opp_count: 1, won_amount: 100, max_amount: 100 });
    expect(await get(b.id)).toMatchObject({ opp_count: 1, won_amount: 0, max_amount: 300 });
    const version = (await t.get(`/api/v1/data/account/${a.id}`)).body.data.version;
    await t.del(`/api/v1/data/opportunity/${o1.id}`).expect(204);
    const after = await get(a.id);
    expect(after).toMatchObject({ opp_count: 0, won_amount: 0, max_amount: null });
    expect(after.version, 'roll-up recalcs do not bump the parent version').toBe(version);
  });

  it('counts only activities matching the filter (executive visits per opportunity)', async () => {
    const o = await opp();
    const post = (type: string) =>
      t.post('/api/v1/data/activity', { subject: type, type, opportunity: o.id }).expect(201);
    await post('executive_visit');
    await post('call');
    const v = await post('executive_visit');
    expect((await t.get(`/api/v1/data/opportunity/${o.id}`)).body.data.visit_count).toBe(2);
    await t.patch(`/api/v1/data/activity/${v.body.data.id}`, { type: 'call' }).expect(200);
    expect((await t.get(`/api/v1/data/opportunity/${o.id}`)).body.data.visit_count).toBe(1);
    const list = await t.get(
      '/api/v1/data/opportunity?filter=' + encodeURIComponent(JSON.stringify({ visit_count: { gte: 1 } })),
    );
    expect(list.body.data.map((r: { id: string }) => r.id)).toContain(o.id);
  });
});

describe('duplicate rules', () => {
  it('warns about the same company under another spelling and saves with a recorded override', async () => {
    await account({ name: '上海 Acme 有限公司' });
    const dup = await t.post('/api/v1/data/account', { name: '上海ＡＣＭＥ', region: 'east' });
    expect(dup.status, JSON.stringify(dup.body)).toBe(409);
    expect(dup.body.code).toBe('DUPLICATE_WARNING');
    expect(dup.body.duplicates).toHaveLength(1);
    expect(dup.body.duplicates[0]).toMatchObject({
      object: 'account',
      name: '上海 Acme 有限公司',
      rule: 'same_company',
    });
    const en = await t.post('/api/v1/data/account', { name: 'Acme Trading Co., Ltd.' });
    expect(en.status).toBe(201);
    const en2 = await t.post('/api/v1/data/account', { name: 'ACME trading  co ltd' });
    expect(en2.body.code).toBe('DUPLICATE_WARNING');
    const saved = await t.post('/api/v1/data/account', {
      name: '上海ＡＣＭＥ',
      $override: 'Different branch, confirmed by phone',
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const ev = await te.engine.db.knex
      .withSchema(t.schema)
      .table('_outbox')
      .where({ type: 'record.duplicate_override', record_id: saved.body.data.id });
    expect(ev).toHaveLength(1);
    expect(ev[0].payload).toMatchObject({
      rule: 'same_company',
      reason: 'Different branch, confirmed by phone',
    });
    const badOverride = await t.post('/api/v1/data/account', { name: 'x', $override: '' });
    expect(codes(badOverride.body)).toEqual(['/$override BAD_OVERRIDE']);
  });

  it('blocks the same phone number in any format, even with an override, and in one batch', async () => {
    await account({ phone: '+86 138-0013-8000' });
    const dup = await t.post('/api/v1/data/account', {
      name: 'Other',
      phone: '13800138000',
      $override: 'please',
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('DUPLICATE_BLOCKED');
    const batch = await t.post('/api/v1/data/account/batch', {
      records: [
        { name: 'B1', phone: '021-5555 1234' },
        { name: 'B2', phone: '(021) 55551234' },
      ],
    });
    expect(batch.status).toBe(409);
    expect(batch.body.code).toBe('DUPLICATE_BLOCKED');
  });
});
