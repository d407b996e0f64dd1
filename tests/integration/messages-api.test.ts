import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts } from '../helpers/packages.js';

// What a person reads in problems: their language only, labels instead of API names, every
// failing rule at once, fields in the order of the form, pointers into what they sent.
const pkg = (): PackageDef => ({
  name: 'messages',
  objects: [
    object('account', [field('name', 'text', { required: true, label: l('Account name', '客户名称') })], {
      label: l('Account', '客户'),
      pluralLabel: l('Accounts', '客户'),
    }),
    object(
      'deal',
      [
        field('title', 'text', { required: true, label: l('Title', '标题') }),
        field('amount', 'currency', { label: l('Amount', '金额') }),
        field('stage', 'picklist', {
          required: true,
          options: opts('open', 'won'),
          label: l('Stage', '阶段'),
        }),
        field('owner_name', 'text', { required: true, label: l('Owner name', '负责人') }),
        field('account', 'lookup', { target: 'account', label: l('Account', '客户') }),
        field('region', 'text', { label: l('Region', '区域') }),
        field('code', 'text', { label: l('Code', '编码') }),
      ],
      {
        label: l('Deal', '商机'),
        pluralLabel: l('Deals', '商机'),
        // the form shows stage and owner before the title
        layout: {
          sections: [{ label: l('Main', '主要'), fields: ['stage', 'owner_name', 'title', 'amount'] }],
        },
        indexes: [{ fields: ['region', 'code'], unique: true }],
        validationRules: [
          {
            name: 'amount_positive',
            condition: { '<': [{ var: 'amount' }, 0] },
            message: l('The amount cannot be negative.', '金额不能为负数。'),
            field: 'amount',
          },
          {
            name: 'amount_small',
            condition: { '<': [{ var: 'amount' }, -100] },
            message: l('The amount is far too small.', '金额过小。'),
            field: 'amount',
          },
          {
            name: 'region_needs_code',
            condition: { and: [{ '!!': [{ var: 'region' }] }, { '!': [{ var: 'code' }] }] },
            message: l('A region needs a code.', '填写区域时必须填写编码。'),
          },
        ],
      },
    ),
  ],
  profiles: [
    {
      name: 'rep',
      label: l('Rep', '销售'),
      objects: { account: { read: true }, deal: { create: true, read: true, edit: true } },
      fields: { deal: { amount: 'read' } },
    },
  ],
});

let te: TestEngine;
let t: TestTenant;
beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg());
});
afterAll(() => te?.close());

const zh = (r: ReturnType<TestTenant['get']>) => r.set('Accept-Language', 'zh-CN');
const english = /[A-Za-z]{3,}/;

describe('problems in Chinese are Chinese', () => {
  it('filters, sorts and titles', async () => {
    const f = await zh(t.get(`/api/v1/data/deal?filter=${encodeURIComponent('{"levl":{"eq":1}}')}`));
    expect(f.status).toBe(400);
    expect(f.body.detail).toBe('过滤条件 /levl 无效：没有字段“levl”');
    expect(f.body.title).toBe(f.body.detail);
    const s = await zh(t.get('/api/v1/data/deal?sort=nope'));
    expect(s.body.detail).toBe('不能按“nope”排序：没有字段“nope”');
    const bad = await zh(t.get(`/api/v1/data/deal?filter=${encodeURIComponent('{"amount":{"gt":"big"}}')}`));
    expect(bad.body.detail).toBe('过滤条件 /amount/gt 无效：应为数字');
    const op = await zh(t.get(`/api/v1/data/deal?filter=${encodeURIComponent('{"title":{"gt":"a"}}')}`));
    expect(op.body.detail.replace(/eq|ne|in|nin|contains|startsWith|isNull|gt|title/g, '')).not.toMatch(
      english,
    );
  });

  it('a lookup to a missing record names the object by its label', async () => {
    const missing = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const r = await zh(
      t.post('/api/v1/data/deal', { title: 't', stage: 'open', owner_name: 'o', account: missing }),
    );
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ pointer: '/account', message: `“客户”中不存在 id 为 ${missing} 的记录。` }),
    ]);
    const notFound = await zh(t.get(`/api/v1/data/deal/${missing}`));
    expect(notFound.body.detail).toBe(`“商机”中不存在记录 ${missing}。`);
  });
});

describe("permission problems name labels and the operation in the reader's language", () => {
  it('object and field permissions', async () => {
    expect(
      (
        await t.post('/api/v1/users', {
          username: 'rep1',
          displayName: 'Rep',
          password: 'rep1-password',
          profile: 'rep',
        })
      ).status,
    ).toBe(201);
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username: 'rep1', password: 'rep1-password' });
    const rep = (m: 'post' | 'patch', path: string, body: unknown) => {
      const call = request(te.engine.app)[m](path);
      return call
        .set('Authorization', `Bearer ${login.body.data.access_token}`)
        .set('Accept-Language', 'zh-CN')
        .send(body as object);
    };
    const noCreate = await rep('post', '/api/v1/data/account', { name: 'x' });
    expect(noCreate.status).toBe(403);
    expect(noCreate.body.detail).toBe('你没有新建“客户”记录的权限。');
    const field = await rep('post', '/api/v1/data/deal', {
      title: 't',
      stage: 'open',
      owner_name: 'o',
      amount: 5,
    });
    expect(field.status).toBe(422);
    expect(field.body.errors[0].message).toBe('你无权修改字段“金额”。');
  });
});

describe('validation answers list everything, in the order of the form', () => {
  it('missing required fields do not hide the failing rules; fields follow the layout', async () => {
    const r = await t.post('/api/v1/data/deal', { amount: -500, region: 'east' });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { pointer: string; code: string }) => `${e.pointer} ${e.code}`)).toEqual([
      ' VALIDATION_RULE', // the record as a whole comes first
      '/stage REQUIRED',
      '/owner_name REQUIRED',
      '/title REQUIRED',
      '/amount VALIDATION_RULE',
      '/amount VALIDATION_RULE',
    ]);
    expect(
      r.body.errors
        .filter((e: { code: string }) => e.code === 'VALIDATION_RULE')
        .map((e: { detail: { rule: string } }) => e.detail.rule),
    ).toEqual(['region_needs_code', 'amount_positive', 'amount_small']);
  });

  it('in a batch, item by item', async () => {
    const r = await t.post('/api/v1/data/deal/batch', {
      records: [{ title: 'ok', stage: 'open', owner_name: 'o', amount: -1 }, { amount: 1 }],
    });
    expect(r.body.errors.map((e: { pointer: string; code: string }) => `${e.pointer} ${e.code}`)).toEqual([
      '/records/0/amount VALIDATION_RULE',
      '/records/1/stage REQUIRED',
      '/records/1/owner_name REQUIRED',
      '/records/1/title REQUIRED',
    ]);
  });
});

describe('unique keys of several fields', () => {
  it('name every field of the key, by label', async () => {
    const base = { title: 'a', stage: 'open', owner_name: 'o', region: 'east', code: 'E1' };
    expect((await t.post('/api/v1/data/deal', base)).status).toBe(201);
    const r = await zh(t.post('/api/v1/data/deal', { ...base, title: 'b' }));
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('UNIQUE_VIOLATION');
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/region',
        code: 'UNIQUE_COMBINATION',
        message: '已有其他记录使用了相同的“区域”、“编码”组合。',
      }),
      expect.objectContaining({ pointer: '/code', code: 'UNIQUE_COMBINATION' }),
    ]);
  });
});

describe('metadata edits of one field or object', () => {
  it('point into the body that was sent', async () => {
    const r = await t.post('/api/v1/meta/objects/deal/fields', {
      name: 'extra',
      label: l('Extra'),
      type: 'nope',
    });
    expect(r.status).toBe(422);
    expect(r.body.errors.length).toBeGreaterThan(0);
    for (const e of r.body.errors) expect(e.pointer).not.toMatch(/^\/objects\//);
    expect(r.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/type');
    const o = await t.put('/api/v1/meta/objects/account', { ...pkg().objects[0], nameField: 'nope' });
    expect(o.status).toBe(422);
    expect(o.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/nameField');
  });
});
