import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef, PipelineDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts } from '../helpers/packages.js';

// The pipeline editor's "try on a record" (POST /stages/{object}/try): the gate checklist of an
// undeployed draft on a real record, checked like a deploy, storing nothing. And the aggregate's
// `search`, which the kanban's column totals use so they match the cards a search shows.

function pipeline(gate: PipelineDef['stages'][number]['gate'] = []): PipelineDef {
  return {
    name: 'main',
    object: 'deal',
    label: l('Main', '主流程'),
    field: 'stage',
    stages: [{ value: 'open' }, { value: 'qualified', gate }, { value: 'won', category: 'won' }],
  };
}

const pkg = (): PackageDef => ({
  objects: [
    object('deal', [
      field('name', 'text', { required: true }),
      field('stage', 'picklist', { options: opts('open', 'qualified', 'won') }),
      field('amount', 'currency'),
      field('note', 'text'),
    ]),
    object('memo', [field('title', 'text')]),
  ],
  pipelines: [pipeline()],
});

let te: TestEngine;
let t: TestTenant;
let id: string;

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg());
  id = (await t.post('/api/v1/data/deal', { name: 'Harbour chiller', amount: 100 }).expect(201)).body.data.id;
  await t.post('/api/v1/data/deal', { name: 'Airport fans', amount: 50 }).expect(201);
});
afterAll(() => te?.close());

const noteRequired = () =>
  pipeline([
    { kind: 'field_required', name: 'has_note', field: 'note' },
    {
      kind: 'condition',
      name: 'big',
      condition: { '>': [{ var: 'amount' }, 500] },
      message: l('Over 500', '超过 500'),
    },
  ]);

describe('try a draft pipeline on a record', () => {
  it("answers the draft's checklist in the caller's language, and stores nothing", async () => {
    const before = (await t.get('/api/v1/meta').expect(200)).body.data.version;
    const r = await t
      .post('/api/v1/stages/deal/try', { pipelines: [noteRequired()], recordId: id, to: 'qualified' })
      .set('Accept-Language', 'zh-CN')
      .expect(200);
    expect(r.body.data).toMatchObject({ pipeline: 'main', from: 'open', to: 'qualified', allowed: false });
    const items = r.body.data.stages[0].items as { name: string; met: boolean; code: string; why: string }[];
    expect(items.map((i) => [i.name, i.met, i.code])).toEqual([
      ['has_note', false, 'GATE_FIELD_REQUIRED'],
      ['big', false, 'GATE_CONDITION'],
    ]);
    expect(items[0].why).toMatch(/Note|note/);
    expect(items[1].why).toContain('超过 500');
    // The deployed pipeline has no gate: the record still moves, and the version did not change.
    expect((await t.get('/api/v1/meta').expect(200)).body.data.version).toBe(before);
    const deployed = await t.get(`/api/v1/data/deal/${id}/gates?to=qualified`).expect(200);
    expect(deployed.body.data).toMatchObject({ allowed: true });
  });

  it('sees the record as it is: filled items are met', async () => {
    await t.patch(`/api/v1/data/deal/${id}`, { note: 'site visited', amount: 900 }).expect(200);
    const r = await t
      .post('/api/v1/stages/deal/try', { pipelines: [noteRequired()], recordId: id })
      .expect(200);
    expect(r.body.data.to).toBe('qualified');
    expect(r.body.data.allowed).toBe(true);
    expect(r.body.data.stages[0].items.every((i: { met: boolean }) => i.met)).toBe(true);
  });

  it('checks the draft as a deploy would, with pointers into the body', async () => {
    const bad = pipeline([{ kind: 'field_required', field: 'no_such_field' }]);
    const r = await t.post('/api/v1/stages/deal/try', { pipelines: [bad], recordId: id }).expect(422);
    expect(r.body.code).toBe('METADATA_INVALID');
    expect(r.body.errors[0].pointer).toMatch(/^\/pipelines\/0\/stages\/1\/gate\/0/);
  });

  it('refuses other objects, unknown properties, unknown stages and non-admins', async () => {
    const other = { ...noteRequired(), object: 'account' };
    await t.post('/api/v1/stages/deal/try', { pipelines: [other], recordId: id }).expect(400);
    await t.post('/api/v1/stages/deal/try', { pipelines: [], recordId: id, extra: 1 }).expect(400);
    await t
      .post('/api/v1/stages/deal/try', { pipelines: [noteRequired()], recordId: id, to: 'nowhere' })
      .expect(400);
    await t
      .post('/api/v1/users', { username: 'rep', displayName: 'Rep', password: 'rep-password-1' })
      .expect(201);
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username: 'rep', password: 'rep-password-1' })
      .expect(200);
    await request(te.engine.app)
      .post('/api/v1/stages/deal/try')
      .set('Authorization', `Bearer ${login.body.data.access_token as string}`)
      .send({ pipelines: [noteRequired()], recordId: id })
      .expect(403);
  });
});

describe('the visible model says which objects have stages', () => {
  it('so screens ask GET /stages only for those', async () => {
    const r = await t.get('/api/v1/meta/objects').expect(200);
    const byName = new Map(
      (r.body.data.objects as { name: string; stages?: boolean }[]).map((o) => [o.name, o]),
    );
    expect(byName.get('deal')!.stages).toBe(true);
    expect(byName.get('memo')!.stages).toBeUndefined();
    await t.get('/api/v1/stages/memo').expect(404);
  });
});

describe('aggregate with search', () => {
  it('counts and sums only the records the search finds', async () => {
    const all = await t
      .post('/api/v1/data/deal/aggregate', { metrics: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }] })
      .expect(200);
    expect(all.body.data[0]).toEqual({ count: 2, sum_amount: 950 });
    const some = await t
      .post('/api/v1/data/deal/aggregate', {
        metrics: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }],
        search: 'airport',
      })
      .expect(200);
    expect(some.body.data[0]).toEqual({ count: 1, sum_amount: 50 });
    await t.post('/api/v1/data/deal/aggregate', { search: 5 }).expect(400);
  });
});
