import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts } from '../helpers/packages.js';
import { deploy } from '../fixtures/meta.js';

// Business types (业务类型): a type per record chosen at create (default per profile), options
// and required fields per type, a pipeline per type; changing the type re-checks the record.

function pkg(): PackageDef {
  const crud = { create: true, read: true, edit: true, delete: true, viewAll: true, modifyAll: true };
  return {
    objects: [
      object('opp', [
        field('name', 'text', { required: true }),
        field('stage', 'picklist', { options: opts('p1', 'p2', 'p3', 'won', 'lost', 'd_done') }),
        field('source', 'picklist', { options: opts('web', 'partner', 'fair') }),
        field('channel', 'text'),
        field('decision_maker', 'text', { label: l('Decision maker', '决策人') }),
        field('amount', 'number'),
      ]),
    ],
    profiles: [
      { name: 'rep', label: l('Rep'), objects: { opp: crud } },
      { name: 'dist_rep', label: l('Distribution rep'), objects: { opp: crud } },
    ],
    businessTypes: [
      {
        name: 'direct',
        object: 'opp',
        label: l('Direct sale', '直销'),
        default: true,
        picklists: { source: ['web', 'fair'] },
        pipeline: 'direct',
        layout: { sections: [{ fields: ['name', 'decision_maker'] }] },
      },
      {
        name: 'distribution',
        object: 'opp',
        label: l('Distribution', '分销'),
        profiles: ['rep', 'dist_rep'],
        defaultFor: ['dist_rep'],
        picklists: { source: ['partner'] },
        required: ['channel'],
        pipeline: 'dist',
      },
      { name: 'internal', object: 'opp', label: l('Internal', '内部'), profiles: ['rep'] },
    ],
    pipelines: [
      {
        name: 'direct',
        object: 'opp',
        label: l('Direct', '直销流程'),
        field: 'stage',
        stages: [
          { value: 'p1' },
          { value: 'p2', gate: [{ kind: 'field_required', field: 'decision_maker' }] },
          {
            value: 'p3',
            gate: [
              {
                kind: 'condition',
                condition: { '>': [{ var: 'amount' }, 0] },
                message: l('An amount is set', '已填写金额'),
              },
            ],
          },
          { value: 'won', category: 'won' },
          { value: 'lost', category: 'lost' },
        ],
      },
      {
        name: 'dist',
        object: 'opp',
        label: l('Distribution', '分销流程'),
        field: 'stage',
        stages: [{ value: 'p1' }, { value: 'd_done', category: 'won' }, { value: 'lost', category: 'lost' }],
      },
    ],
  };
}

let te: TestEngine;
let t: TestTenant;
type Call = (m: 'get' | 'post' | 'patch', path: string, body?: object) => request.Test;
const as: Record<string, Call> = {};

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg());
  for (const [username, profile] of [
    ['ann', 'rep'],
    ['dan', 'dist_rep'],
  ]) {
    const r = await t.post('/api/v1/users', {
      username,
      displayName: username,
      password: 'password-' + username,
      profile,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username, password: 'password-' + username });
    const token = login.body.data.access_token as string;
    as[username] = (m, path, body) => {
      const q = request(te.engine.app)[m](path).set('Authorization', `Bearer ${token}`);
      return body ? q.send(body) : q;
    };
  }
});
afterAll(() => te?.close());

const codes = (body: { errors?: { pointer: string; code: string }[] }) =>
  (body.errors ?? []).map((e) => [e.pointer, e.code]);

describe('business types', () => {
  it('a record gets the default type of its creator’s profile, and the first stage of that type’s pipeline', async () => {
    const a = await as.ann('post', '/api/v1/data/opp', { name: 'By Ann' });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body.data).toMatchObject({ business_type: 'direct', stage: 'p1' });
    const d = await as.dan('post', '/api/v1/data/opp', { name: 'By Dan', channel: 'ACME Distribution' });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    expect(d.body.data).toMatchObject({ business_type: 'distribution', stage: 'p1' });
  });

  it('a type’s required fields and options are enforced, each at its field', async () => {
    const r = await as.dan('post', '/api/v1/data/opp', { name: 'No channel', source: 'web' });
    expect(r.status).toBe(422);
    expect(codes(r.body).sort()).toEqual([
      ['/channel', 'REQUIRED'],
      ['/source', 'OPTION_NOT_IN_TYPE'],
    ]);
    const zh = await as
      .dan('post', '/api/v1/data/opp', { name: 'x', channel: 'c', source: 'web' })
      .set('Accept-Language', 'zh-CN');
    expect(zh.body.errors[0].message).toBe('“web”不是业务类型“分销”的可选值。');
  });

  it('a type the profile may not use is refused; so is one that does not exist', async () => {
    const r = await as.dan('post', '/api/v1/data/opp', { name: 'Internal', business_type: 'internal' });
    expect(codes(r.body)).toEqual([['/business_type', 'BUSINESS_TYPE_NOT_ALLOWED']]);
    const u = await as.ann('post', '/api/v1/data/opp', { name: 'Odd', business_type: 'retail' });
    expect(codes(u.body)).toEqual([['/business_type', 'BUSINESS_TYPE_UNKNOWN']]);
    const ok = await as.ann('post', '/api/v1/data/opp', { name: 'Internal', business_type: 'internal' });
    expect(ok.status).toBe(201);
    expect(ok.body.data).toMatchObject({ business_type: 'internal' });
  });

  it('an update of a field a type rules is checked against the record’s type', async () => {
    const id = (await as.dan('post', '/api/v1/data/opp', { name: 'D2', channel: 'c' })).body.data.id;
    const r = await as.dan('patch', `/api/v1/data/opp/${id}`, { source: 'fair' });
    expect(codes(r.body)).toEqual([['/source', 'OPTION_NOT_IN_TYPE']]);
    const e = await as.dan('patch', `/api/v1/data/opp/${id}`, { channel: '' });
    expect(codes(e.body)).toEqual([['/channel', 'REQUIRED']]);
    expect((await as.dan('patch', `/api/v1/data/opp/${id}`, { source: 'partner' })).status).toBe(200);
  });

  it('field and condition gates name the field’s label and the condition’s message', async () => {
    const id = (await t.post('/api/v1/data/opp', { name: 'Gated', amount: 0 })).body.data.id;
    const r = await t.patch(`/api/v1/data/opp/${id}`, { stage: 'p2' }).set('Accept-Language', 'zh-CN');
    expect(r.body.code).toBe('STAGE_GATE');
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/stage',
        code: 'GATE_FIELD_REQUIRED',
        message: '进入“p2”前必须填写“决策人”。',
        detail: expect.objectContaining({ kind: 'field_required', field: 'decision_maker', stage: 'p2' }),
      }),
    ]);
    expect((await t.patch(`/api/v1/data/opp/${id}`, { stage: 'p2', decision_maker: 'Mr. Li' })).status).toBe(
      200,
    );
    const c = await t.patch(`/api/v1/data/opp/${id}`, { stage: 'p3' });
    expect(c.body.errors.map((e: { code: string; message: string }) => [e.code, e.message])).toEqual([
      ['GATE_CONDITION', 'Before “p3”: An amount is set'],
    ]);
    expect((await t.patch(`/api/v1/data/opp/${id}`, { stage: 'p3', amount: 5 })).status).toBe(200);
  });

  it('changing the type re-checks: the stage must be in the new pipeline, or the write names one', async () => {
    const id = (await t.post('/api/v1/data/opp', { name: 'Switch', decision_maker: 'x' })).body.data.id;
    expect((await t.patch(`/api/v1/data/opp/${id}`, { stage: 'p2' })).status).toBe(200);
    const r = await t.patch(`/api/v1/data/opp/${id}`, { business_type: 'distribution', channel: 'c' });
    expect(codes(r.body)).toEqual([['/stage', 'STAGE_NOT_IN_PIPELINE']]);
    const missing = await t.patch(`/api/v1/data/opp/${id}`, { business_type: 'distribution', stage: 'p1' });
    expect(codes(missing.body)).toEqual([['/channel', 'REQUIRED']]);
    const ok = await t.patch(`/api/v1/data/opp/${id}`, {
      business_type: 'distribution',
      stage: 'p1',
      channel: 'c',
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.data).toMatchObject({ business_type: 'distribution', stage: 'p1' });
    const h = (await t.get(`/api/v1/data/opp/${id}/stage-history`)).body.data;
    expect(h.map((x: { pipeline: string; to: string }) => [x.pipeline, x.to])).toEqual([
      ['direct', 'p1'],
      ['direct', 'p2'],
      ['dist', 'p1'],
    ]);
  });

  it('the type is a system field: filterable, groupable, described per caller', async () => {
    const f = await t.get(
      `/api/v1/data/opp?filter=${encodeURIComponent('{"business_type":"internal"}')}&fields=name`,
    );
    expect(f.body.data.map((x: { name: string }) => x.name)).toEqual(['Internal']);
    const g = await t.post('/api/v1/data/opp/aggregate', {
      groupBy: ['business_type'],
      metrics: [{ fn: 'count' }],
    });
    expect(g.status, JSON.stringify(g.body)).toBe(200);
    const dan = await as.dan('get', '/api/v1/stages/opp');
    expect(
      dan.body.data.businessTypes.map((x: { name: string; default: boolean }) => [x.name, x.default]),
    ).toEqual([
      ['direct', false],
      ['distribution', true],
    ]);
    expect(dan.body.data.businessTypes[0].layout).toEqual({
      sections: [{ fields: ['name', 'decision_maker'] }],
    });
  });

  it('deploy refuses types that name missing fields, options, profiles or pipelines, with pointers', async () => {
    const p = pkg();
    p.businessTypes![0].picklists = { source: ['nope'], stage: ['p1'] };
    p.businessTypes![0].required = ['ghost'];
    p.businessTypes![1].profiles = ['nobody'];
    p.businessTypes![1].pipeline = 'missing';
    p.businessTypes![2].default = true;
    const r = await deploy(t, p);
    expect(r.status).toBe(422);
    expect(codes(r.body).sort()).toEqual(
      [
        ['/businessTypes/0/picklists/source/0', 'NOT_AN_OPTION'],
        ['/businessTypes/0/picklists/stage', 'BUSINESS_TYPE_STAGE_OPTIONS'],
        ['/businessTypes/0/required/0', 'META_UNKNOWN_FIELD'],
        ['/businessTypes/1/defaultFor/0', 'BUSINESS_TYPE_DEFAULT_NOT_USABLE'],
        ['/businessTypes/1/pipeline', 'BUSINESS_TYPE_UNKNOWN_PIPELINE'],
        ['/businessTypes/1/profiles/0', 'META_UNKNOWN_PROFILE'],
        ['/businessTypes/2/default', 'BUSINESS_TYPE_TWO_DEFAULTS'],
      ].sort(),
    );
  });
});
