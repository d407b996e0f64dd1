import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object, salesPackage } from '../helpers/packages.js';
import { count, rows } from '../fixtures/meta.js';

function pkg(): PackageDef {
  const p = salesPackage();
  p.objects[0]!.changeEvents = true; // account publishes its changes; contact does not
  p.objects.push(
    object('contact', [
      field('name', 'text', { required: true }),
      field('account', 'lookup', { target: 'account' }),
      field('email', 'email'),
    ]),
    object('meeting', [
      field('subject', 'text'),
      field('contact', 'lookup', { target: 'contact', onDelete: 'set_null' }),
      field('starts_at', 'datetime'),
    ]),
    object('line', [
      field('label', 'text'),
      field('opportunity', 'master_detail', { target: 'opportunity' }),
      field('qty', 'integer', { min: 1, max: 100 }),
    ]),
  );
  return p;
}

let te: TestEngine;
let t: TestTenant;
const ok = (r: request.Response, status = 200) => expect(r.status, JSON.stringify(r.body)).toBe(status);
const isProblem = (r: request.Response, status: number, code: string) => {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ status, code });
  expect(typeof r.body.detail).toBe('string');
};

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg());
});
afterAll(() => te?.close());

describe('create, read, update, delete', () => {
  it('creates a record with system fields, Location and ETag; reads it back', async () => {
    const r = await t.post('/api/v1/data/account', { name: '  Acme  ', industry: 'it' });
    ok(r, 201);
    const a = r.body.data;
    expect(a).toMatchObject({
      name: 'Acme',
      industry: 'it',
      region: null,
      version: 1,
      owner: t.adminUserId,
      created_by: t.adminUserId,
    });
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(a.created_at)).not.toBeNaN();
    expect(r.headers.etag).toBe('"1"');
    expect(r.headers.location).toBe(`/api/v1/data/account/${a.id}`);
    const got = await t.get(`/api/v1/data/account/${a.id}`);
    ok(got);
    expect(got.body.data).toEqual(a);
    expect(got.headers.etag).toBe('"1"');
    const cached = await t.get(`/api/v1/data/account/${a.id}`).set('If-None-Match', '"1"');
    expect(cached.status).toBe(304);
  });

  it('updates with If-Match; a stale version gets 412 and changes nothing', async () => {
    const a = (await t.post('/api/v1/data/account', { name: 'Beta' })).body.data;
    const up = await t.patch(`/api/v1/data/account/${a.id}`, { region: 'north' }).set('If-Match', '"1"');
    ok(up);
    expect(up.body.data).toMatchObject({ name: 'Beta', region: 'north', version: 2 });
    expect(up.headers.etag).toBe('"2"');
    const stale = await t.patch(`/api/v1/data/account/${a.id}`, { region: 'south' }).set('If-Match', '"1"');
    isProblem(stale, 412, 'VERSION_CONFLICT');
    expect(stale.body.currentVersion).toBe(2);
    expect((await t.get(`/api/v1/data/account/${a.id}`)).body.data.region).toBe('north');
    isProblem(
      await t.patch(`/api/v1/data/account/${a.id}`, { region: 'south' }).set('If-Match', 'garbage'),
      400,
      'PRECONDITION_INVALID',
    );
    // Without If-Match the write goes through (last writer wins).
    ok(await t.patch(`/api/v1/data/account/${a.id}`, { region: 'south' }));
  });

  it('deletes with If-Match; stale → 412, then 204 and 404', async () => {
    const a = (await t.post('/api/v1/data/account', { name: 'Gone' })).body.data;
    await t.patch(`/api/v1/data/account/${a.id}`, { region: 'east' });
    isProblem(await t.del(`/api/v1/data/account/${a.id}`).set('If-Match', '"1"'), 412, 'VERSION_CONFLICT');
    expect((await t.get(`/api/v1/data/account/${a.id}`)).status).toBe(200);
    expect((await t.del(`/api/v1/data/account/${a.id}`).set('If-Match', '"2"')).status).toBe(204);
    isProblem(await t.get(`/api/v1/data/account/${a.id}`), 404, 'RECORD_NOT_FOUND');
    isProblem(await t.del(`/api/v1/data/account/${a.id}`), 404, 'RECORD_NOT_FOUND');
    isProblem(await t.patch(`/api/v1/data/account/${a.id}`, { name: 'x' }), 404, 'RECORD_NOT_FOUND');
  });

  it('404 for unknown objects and unknown routes', async () => {
    isProblem(await t.get('/api/v1/data/nothing'), 404, 'OBJECT_NOT_FOUND');
    isProblem(await t.post('/api/v1/data/nothing', { a: 1 }), 404, 'OBJECT_NOT_FOUND');
    isProblem(await t.get('/api/v1/nowhere'), 404, 'ROUTE_NOT_FOUND');
  });

  it('a malformed id is a 400 naming the parameter, on every route that takes one', async () => {
    const a = (await t.post('/api/v1/data/account', { name: 'Id check' })).body.data;
    const badId = (r: request.Response, parameter: string) => {
      isProblem(r, 400, 'BAD_ID');
      expect(r.body.parameter).toBe(parameter);
      expect(r.body.detail).toContain(`"${parameter}"`);
    };
    badId(await t.get('/api/v1/data/account/not-a-uuid'), 'id');
    badId(await t.get("/api/v1/data/account/1'%20or%20'1'='1"), 'id');
    badId(await t.patch('/api/v1/data/account/not-a-uuid', { name: 'x' }), 'id');
    badId(await t.del('/api/v1/data/account/not-a-uuid'), 'id');
    badId(await t.get('/api/v1/data/account/not-a-uuid/history'), 'id');
    badId(await t.get('/api/v1/data/account/not-a-uuid/team'), 'id');
    badId(await t.put(`/api/v1/data/account/not-a-uuid/team/${t.adminUserId}`, { access: 'read' }), 'id');
    badId(await t.put(`/api/v1/data/account/${a.id}/team/nobody`, { access: 'read' }), 'userId');
    badId(await t.del(`/api/v1/data/account/${a.id}/team/nobody`), 'userId');
    const zh = await t.get('/api/v1/data/account/not-a-uuid').set('Accept-Language', 'zh-CN');
    expect(zh.body.detail).toMatch(/[\u4e00-\u9fff]/);
    // ids inside batch bodies: a pointer to the id, nothing saved
    const batch = await t.post('/api/v1/data/account/batch', {
      operations: [
        { op: 'create', data: { name: 'Not saved' } },
        { op: 'update', id: 'nope', data: { name: 'x' } },
      ],
    });
    isProblem(batch, 400, 'BAD_ID');
    expect(batch.body.errors).toEqual([
      expect.objectContaining({ pointer: '/operations/1/id', code: 'BAD_ID' }),
    ]);
    const saved = await t.get(
      '/api/v1/data/account?filter=' + encodeURIComponent('{"name":{"eq":"Not saved"}}'),
    );
    expect(saved.body.data).toEqual([]);
    // a well-formed id that names nothing is still a 404
    isProblem(
      await t.get('/api/v1/data/account/00000000-0000-4000-8000-000000000000'),
      404,
      'RECORD_NOT_FOUND',
    );
  });

  it('refuses without a valid token', async () => {
    const r = await t.get('/api/v1/data/account').set('Authorization', 'Bearer nope-nope-nope');
    isProblem(r, 401, 'UNAUTHENTICATED');
  });
});

describe('bad input is refused, never dropped', () => {
  const accounts = () => count(te, t, 'account');

  it.each([
    ['unknown field', { name: 'x', colour: 'red' }, '/colour', 'UNKNOWN_FIELD'],
    ['wrong type', { name: 42 }, '/name', 'WRONG_TYPE'],
    ['not an option', { name: 'x', industry: 'banking' }, '/industry', 'NOT_AN_OPTION'],
    ['system field', { name: 'x', id: '0f8fad5b-d9cb-469f-a165-70867728950e' }, '/id', 'READ_ONLY_FIELD'],
    ['version', { name: 'x', version: 9 }, '/version', 'READ_ONLY_FIELD'],
    ['owner', { name: 'x', owner: null }, '/owner', 'READ_ONLY_FIELD'],
    ['missing required', { industry: 'it' }, '/name', 'REQUIRED'],
    ['blank required', { name: '   ' }, '/name', 'REQUIRED'],
    ['prototype key', JSON.parse('{"name":"x","__proto__":{"a":1}}'), '/__proto__', 'UNKNOWN_FIELD'],
    [
      'prototype smuggling a required value',
      JSON.parse('{"__proto__":{"name":"x"}}'),
      '/__proto__',
      'UNKNOWN_FIELD',
    ],
  ])('%s → 422 with a pointer', async (_why, body, pointer, code) => {
    const before = await accounts();
    const r = await t.post('/api/v1/data/account', body);
    isProblem(r, 422, 'VALIDATION_FAILED');
    expect(r.body.errors).toContainEqual(expect.objectContaining({ pointer, code }));
    expect(await accounts()).toBe(before);
  });

  it.each([
    ['integer out of range', { label: 'x', qty: 101 }, '/qty', 'TOO_LARGE'],
    ['integer below range', { label: 'x', qty: 0 }, '/qty', 'TOO_SMALL'],
    ['fraction for integer', { label: 'x', qty: 1.5 }, '/qty', 'WRONG_TYPE'],
    ['string for integer', { label: 'x', qty: '5' }, '/qty', 'WRONG_TYPE'],
  ])('%s → 422', async (_why, body, pointer, code) => {
    const opp = (await t.post('/api/v1/data/opportunity', { name: 'o' })).body.data;
    const r = await t.post('/api/v1/data/line', { ...body, opportunity: opp.id });
    isProblem(r, 422, 'VALIDATION_FAILED');
    expect(r.body.errors).toContainEqual(expect.objectContaining({ pointer, code }));
    expect(await count(te, t, 'line')).toBe(0);
  });

  it('reports every problem at once', async () => {
    const r = await t.post('/api/v1/data/opportunity', {
      amount: 'lots',
      probability: 250,
      close_date: '2026-13-01',
      stage: 'won',
      nope: 1,
    });
    isProblem(r, 422, 'VALIDATION_FAILED');
    const got = r.body.errors.map((e: { pointer: string; code: string }) => `${e.pointer} ${e.code}`).sort();
    expect(got).toEqual(
      [
        '/amount WRONG_TYPE',
        '/close_date BAD_FORMAT',
        '/name REQUIRED',
        '/nope UNKNOWN_FIELD',
        '/probability TOO_LARGE',
        '/stage NOT_AN_OPTION',
      ].sort(),
    );
  });

  it('refuses a body that is not an object, and invalid JSON', async () => {
    isProblem(await t.post('/api/v1/data/account', [{ name: 'x' }]), 422, 'VALIDATION_FAILED');
    const bad = await t
      .post('/api/v1/data/account')
      .set('Content-Type', 'application/json')
      .send('{"name": ');
    isProblem(bad, 400, 'INVALID_JSON');
  });

  it('a lookup to a missing record is 422 at its pointer; a referenced record cannot be deleted', async () => {
    const r = await t.post('/api/v1/data/contact', {
      name: 'c',
      account: '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
    isProblem(r, 422, 'VALIDATION_FAILED');
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({ pointer: '/account', code: 'LOOKUP_NOT_FOUND' }),
    );
    const a = (await t.post('/api/v1/data/account', { name: 'Parent' })).body.data;
    ok(await t.post('/api/v1/data/contact', { name: 'kid', account: a.id }), 201);
    isProblem(await t.del(`/api/v1/data/account/${a.id}`), 409, 'STILL_REFERENCED');
    expect((await t.get(`/api/v1/data/account/${a.id}`)).status).toBe(200);
  });

  it('master-detail children go with their parent; set_null lookups are cleared', async () => {
    const opp = (await t.post('/api/v1/data/opportunity', { name: 'parent' })).body.data;
    ok(await t.post('/api/v1/data/line', { label: 'l1', opportunity: opp.id, qty: 2 }), 201);
    const before = await count(te, t, 'line');
    expect((await t.del(`/api/v1/data/opportunity/${opp.id}`)).status).toBe(204);
    expect(await count(te, t, 'line')).toBe(before - 1);
    const c = (await t.post('/api/v1/data/contact', { name: 'temp' })).body.data;
    const m = (await t.post('/api/v1/data/meeting', { subject: 's', contact: c.id })).body.data;
    expect((await t.del(`/api/v1/data/contact/${c.id}`)).status).toBe(204);
    expect((await t.get(`/api/v1/data/meeting/${m.id}`)).body.data.contact).toBeNull();
  });

  it('problem details are localized with Accept-Language: zh-CN', async () => {
    const r = await t
      .post('/api/v1/data/account', { name: 'x', industry: 'banking' })
      .set('Accept-Language', 'zh-CN');
    isProblem(r, 422, 'VALIDATION_FAILED');
    expect(r.headers['content-language']).toBe('zh-CN');
    expect(r.body.detail).toBe('记录未通过校验，请查看各字段列出的错误。');
    expect(r.body.title).toBe(r.body.detail);
    expect(r.body.errors[0]).toMatchObject({
      pointer: '/industry',
      code: 'NOT_AN_OPTION',
      message: '“banking”不是此字段的可选值。',
    });
    const en = await t.post('/api/v1/data/account', { name: 'x', industry: 'banking' });
    expect(en.body.errors[0].message).toBe('"banking" is not an option of this field.');
    const q = await t.get('/api/v1/data/account?locale=zh-CN&limit=0');
    expect(q.body.detail).toBe('limit 必须是 1 到 200 之间的整数。');
  });
});

describe('query parameters', () => {
  it('unknown query params → 400 on every route', async () => {
    const a = (await t.post('/api/v1/data/account', { name: 'Q' })).body.data;
    for (const r of [
      await t.get('/api/v1/data/account?filtr={}'),
      await t.get(`/api/v1/data/account/${a.id}?limit=1`),
      await t.post('/api/v1/data/account?dryRun=true', { name: 'x' }),
      await t.patch(`/api/v1/data/account/${a.id}?force=1`, { name: 'x' }),
      await t.del(`/api/v1/data/account/${a.id}?cascade=true`),
    ]) {
      isProblem(r, 400, 'UNKNOWN_PARAMETER');
    }
    expect((await t.get(`/api/v1/data/account/${a.id}`)).body.data.name).toBe('Q');
    isProblem(await t.get('/api/v1/data/account?limit=1&limit=2'), 400, 'BAD_REQUEST');
  });

  it('fields selects a subset; unknown fields are refused', async () => {
    const r = await t.get('/api/v1/data/account?fields=name&limit=1');
    ok(r);
    expect(Object.keys(r.body.data[0]).sort()).toEqual(['id', 'name']);
    isProblem(await t.get('/api/v1/data/account?fields=name,secret'), 400, 'BAD_FIELDS');
  });
});

describe('expand', () => {
  it('expands one level and two levels, in lists and single reads', async () => {
    const a = (await t.post('/api/v1/data/account', { name: 'Deep Co', region: 'east' })).body.data;
    const c = (await t.post('/api/v1/data/contact', { name: 'Li Lei', account: a.id })).body.data;
    const m = (await t.post('/api/v1/data/meeting', { subject: 'Kick-off', contact: c.id })).body.data;
    const one = await t.get(`/api/v1/data/meeting/${m.id}?expand=contact`);
    ok(one);
    expect(one.body.data.contact).toMatchObject({ id: c.id, name: 'Li Lei', account: a.id });
    const two = await t.get(`/api/v1/data/meeting/${m.id}?expand=contact.account`);
    ok(two);
    expect(two.body.data.contact.account).toMatchObject({ id: a.id, name: 'Deep Co', region: 'east' });
    const sparse = await t.get(
      `/api/v1/data/meeting?fields=subject,contact.name,contact.account.name&filter=${encodeURIComponent(JSON.stringify({ id: m.id }))}`,
    );
    ok(sparse);
    expect(sparse.body.data).toEqual([
      {
        id: m.id,
        subject: 'Kick-off',
        contact: { id: c.id, name: 'Li Lei', account: { id: a.id, name: 'Deep Co' } },
      },
    ]);
    const none = (await t.post('/api/v1/data/meeting', { subject: 'alone' })).body.data;
    expect((await t.get(`/api/v1/data/meeting/${none.id}?expand=contact`)).body.data.contact).toBeNull();
  });

  it('a list expands in its own order and pages, related records shared or missing alike', async () => {
    const a = (await t.post('/api/v1/data/account', { name: 'Pager Co' })).body.data;
    const c1 = (await t.post('/api/v1/data/contact', { name: 'Han Mei', account: a.id })).body.data;
    const c2 = (await t.post('/api/v1/data/contact', { name: 'Wei Hua' })).body.data;
    const subjects = ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e'];
    const contactOf = [c1.id, c2.id, null, c1.id, c2.id];
    for (const [i, subject] of subjects.entries())
      expect((await t.post('/api/v1/data/meeting', { subject, contact: contactOf[i] })).status).toBe(201);
    const filter = encodeURIComponent(JSON.stringify({ subject: { startsWith: 'pg-' } }));
    const seen: { subject: string; contact: unknown }[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.get(
        `/api/v1/data/meeting?filter=${filter}&sort=-subject&limit=2&expand=contact.account${cursor ? `&cursor=${cursor}` : ''}`,
      );
      ok(page);
      seen.push(...page.body.data);
      cursor = page.body.meta.next_cursor;
    } while (cursor);
    expect(seen.map((m) => m.subject)).toEqual([...subjects].reverse());
    const byContact = new Map([
      [
        c1.id,
        { id: c1.id, name: 'Han Mei', account: expect.objectContaining({ id: a.id, name: 'Pager Co' }) },
      ],
      [c2.id, { id: c2.id, name: 'Wei Hua', account: null }],
    ]);
    expect(seen.map((m) => m.contact)).toEqual(
      [...contactOf].reverse().map((id) => (id ? expect.objectContaining(byContact.get(id)!) : null)),
    );
  });

  it('expands a lookup to its own object (a parent) in lists', async () => {
    const tree = await te.tenant(
      { objects: [object('node', [field('name', 'text'), field('parent', 'lookup', { target: 'node' })])] },
      'tree',
    );
    const root = (await tree.post('/api/v1/data/node', { name: 'root' })).body.data;
    const mid = (await tree.post('/api/v1/data/node', { name: 'mid', parent: root.id })).body.data;
    expect((await tree.post('/api/v1/data/node', { name: 'leaf', parent: mid.id })).status).toBe(201);
    const list = await tree.get('/api/v1/data/node?sort=name&expand=parent.parent&fields=name,parent');
    ok(list);
    expect(list.body.data.map((n: { name: string; parent: unknown }) => [n.name, n.parent])).toEqual([
      [
        'leaf',
        expect.objectContaining({
          id: mid.id,
          name: 'mid',
          parent: expect.objectContaining({ id: root.id }),
        }),
      ],
      ['mid', expect.objectContaining({ id: root.id, name: 'root', parent: null })],
      ['root', null],
    ]);
  });

  it('refuses expanding a non-lookup, an unknown name, or deeper than two levels', async () => {
    isProblem(await t.get('/api/v1/data/meeting?expand=subject'), 400, 'BAD_EXPAND');
    isProblem(await t.get('/api/v1/data/meeting?expand=nothing'), 400, 'BAD_EXPAND');
    // meeting → contact → account → (no lookup) : account has no lookups, so use opportunity chains
    isProblem(await t.get('/api/v1/data/meeting?expand=contact.account.name'), 400, 'BAD_EXPAND');
  });
});

describe('aggregate', () => {
  let ag: TestTenant;
  beforeAll(async () => {
    ag = await te.tenant(salesPackage(), 'agg');
    const data = [
      { name: 'a', stage: 'closed_won', amount: 100, probability: 100, close_date: '2026-01-10' },
      { name: 'b', stage: 'closed_won', amount: 300.5, probability: 100, close_date: '2026-03-01' },
      { name: 'c', stage: 'negotiation', amount: 50, probability: 60, close_date: '2026-02-01' },
      { name: 'd', stage: 'negotiation', probability: 40 },
      { name: 'e', amount: 10 },
    ];
    ok(await ag.post('/api/v1/data/opportunity/batch', { records: data }));
  });

  it('counts, sums, averages, minima and maxima by group', async () => {
    const r = await ag.post('/api/v1/data/opportunity/aggregate', {
      groupBy: ['stage'],
      metrics: [
        { fn: 'count' },
        { fn: 'sum', field: 'amount' },
        { fn: 'avg', field: 'probability' },
        { fn: 'min', field: 'close_date' },
        { fn: 'max', field: 'amount' },
        { fn: 'count', field: 'amount' },
      ],
    });
    ok(r);
    expect(r.body.data).toEqual([
      {
        stage: 'closed_won',
        count: 2,
        sum_amount: 400.5,
        avg_probability: 100,
        min_close_date: '2026-01-10',
        max_amount: 300.5,
        count_amount: 2,
      },
      {
        stage: 'negotiation',
        count: 2,
        sum_amount: 50,
        avg_probability: 50,
        min_close_date: '2026-02-01',
        max_amount: 50,
        count_amount: 1,
      },
      {
        stage: null,
        count: 1,
        sum_amount: 10,
        avg_probability: null,
        min_close_date: null,
        max_amount: 10,
        count_amount: 1,
      },
    ]);
  });

  it('applies a filter; without groupBy returns one row', async () => {
    const r = await ag.post('/api/v1/data/opportunity/aggregate', {
      metrics: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }],
      filter: { amount: { gte: 50 } },
    });
    ok(r);
    expect(r.body.data).toEqual([{ count: 3, sum_amount: 450.5 }]);
  });

  it.each<[object, string]>([
    [{ groupBy: ['amount'] }, 'currency is not groupable'],
    [{ groupBy: ['nope'] }, 'unknown group'],
    [{ metrics: [{ fn: 'sum', field: 'name' }] }, 'sum of text'],
    [{ metrics: [{ fn: 'median', field: 'amount' }] }, 'unknown fn'],
    [{ metrics: [] }, 'no metrics'],
    [{ having: {} }, 'unknown property'],
    [{ filter: { nope: 1 } }, 'bad filter'],
  ])('refuses %j (%s)', async (body) => {
    const r = await ag.post('/api/v1/data/opportunity/aggregate', body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(['BAD_AGGREGATE', 'BAD_FILTER']).toContain(r.body.code);
  });
});

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document listing the tenant objects', async () => {
    const r = await t.get('/api/v1/openapi.json');
    ok(r);
    expect(r.body.openapi).toBe('3.1.0');
    for (const o of ['account', 'opportunity', 'contact', 'meeting', 'line']) {
      expect(r.body.paths).toHaveProperty([`/api/v1/data/${o}`]);
      expect(r.body.paths).toHaveProperty([`/api/v1/data/${o}/{id}`]);
      expect(r.body.components.schemas).toHaveProperty([o]);
    }
    expect(r.body.components.schemas.account_write.properties.industry.enum).toEqual([
      'it',
      'energy',
      'retail',
      null,
    ]);
    expect(r.body.components.schemas.account_write.additionalProperties).toBe(false);
    expect(JSON.stringify(r.body)).not.toContain('x-scale');
  });
});

describe('writes are traced', () => {
  it('every write of an object that publishes change events leaves one in the same transaction', async () => {
    const before = (await rows(te, t, '_outbox', 'seq')).length;
    const a = (await t.post('/api/v1/data/account', { name: 'Evt' })).body.data;
    await t.patch(`/api/v1/data/account/${a.id}`, { region: 'east' });
    await t.del(`/api/v1/data/account/${a.id}`);
    await t.post('/api/v1/data/account', { name: 42 }); // refused: no event
    const events = (await rows(te, t, '_outbox', 'seq')).slice(before);
    expect(events.map((e) => [e.type, e.record_id])).toEqual([
      ['record.created', a.id],
      ['record.updated', a.id],
      ['record.deleted', a.id],
    ]);
  });

  it('an object without change events writes no outbox row, by single write or batch', async () => {
    const before = (await rows(te, t, '_outbox', 'seq')).length;
    const c = await t.post('/api/v1/data/contact', { name: 'Quiet' });
    ok(c, 201);
    ok(await t.patch(`/api/v1/data/contact/${c.body.data.id}`, { email: 'q@example.com' }));
    const batch = await t.post('/api/v1/data/contact/batch', {
      records: [{ name: 'Q1' }, { name: 'Q2' }],
    });
    ok(batch);
    ok(await t.del(`/api/v1/data/contact/${c.body.data.id}`), 204);
    expect((await rows(te, t, '_outbox', 'seq')).length).toBe(before);
  });
});
