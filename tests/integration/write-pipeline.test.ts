import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts } from '../helpers/packages.js';

/**
 * One pipeline for every write: derived values change the ETag, history and events; a parent's
 * rules hold against child writes (single, batch, concurrent, delete); owner transfer.
 */
function pipelinePackage(): PackageDef {
  const crud = { create: true, read: true, edit: true };
  return {
    name: 'pipeline',
    objects: [
      object(
        'budget',
        [
          field('name', 'text', { required: true }),
          field('limit_amount', 'currency', { precision: 14, scale: 2 }),
          field('spent', 'rollup', {
            trackHistory: true,
            summary: { object: 'expense', via: 'budget', fn: 'sum', field: 'amount' },
          }),
          field('expense_count', 'rollup', {
            trackHistory: true,
            summary: { object: 'expense', via: 'budget', fn: 'count' },
          }),
          field('largest', 'rollup', {
            summary: { object: 'expense', via: 'budget', fn: 'max', field: 'amount' },
          }),
          field('left_amount', 'formula', {
            returnType: 'currency',
            expression: { '-': [{ var: 'limit_amount' }, { var: 'spent' }] },
          }),
          field('status', 'picklist', { options: opts('open', 'closed') }),
          field('min_expenses', 'integer'),
        ],
        {
          sharing: { default: 'private' },
          changeEvents: true,
          validationRules: [
            {
              name: 'within_limit',
              condition: {
                and: [
                  { '!': [{ is_blank: [{ var: 'limit_amount' }] }] },
                  { '>': [{ var: 'spent' }, { var: 'limit_amount' }] },
                ],
              },
              message: l('Expenses may not exceed the limit.', '费用合计不能超过额度。'),
              field: 'spent',
            },
            {
              name: 'closed_keeps_expenses',
              condition: {
                and: [
                  { '==': [{ var: 'status' }, 'closed'] },
                  { '<': [{ var: 'expense_count' }, { var: 'min_expenses' }] },
                ],
              },
              message: l('A closed budget keeps its expenses.', '已关闭的预算不能删除费用。'),
            },
          ],
        },
      ),
      object('expense', [
        field('label', 'text', { required: true }),
        field('amount', 'currency', { precision: 14, scale: 2 }),
        field('budget', 'master_detail', { target: 'budget' }),
      ]),
    ],
    roles: [
      { name: 'manager', label: l('Manager') },
      { name: 'rep', label: l('Rep'), parent: 'manager' },
    ],
    profiles: [
      { name: 'rep', label: l('Rep'), objects: { budget: crud, expense: crud } },
      { name: 'closer', label: l('Closer'), objects: { budget: { ...crud, transfer: true }, expense: crud } },
    ],
  };
}

let te: TestEngine;
let t: TestTenant;
type As = (m: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object) => request.Test;
const as: Record<string, As> = {};
const userId: Record<string, string> = {};

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pipelinePackage(), 'pipe');
  for (const [username, profile] of [
    ['ann', 'closer'],
    ['bob', 'rep'],
    ['cat', 'rep'],
  ]) {
    const r = await t.post('/api/v1/users', {
      username,
      displayName: username,
      password: 'password-' + username,
      role: 'rep',
      profile,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    userId[username] = r.body.data.id;
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: 'pipe', username, password: 'password-' + username });
    const token = login.body.data.access_token as string;
    as[username] = (m, path, body) => {
      const q = request(te.engine.app)[m](path).set('Authorization', `Bearer ${token}`);
      return body ? q.send(body) : q;
    };
  }
});
afterAll(() => te?.close());

const budget = async (extra: object = {}) =>
  (await t.post('/api/v1/data/budget', { name: 'B', ...extra }).expect(201)).body.data as Record<
    string,
    unknown
  >;

describe('derived values go through the internal write path', () => {
  it('a new record starts with count and sum roll-ups at 0 (min/max stay empty)', async () => {
    const b = await budget();
    expect([b.spent, b.expense_count, b.largest]).toEqual([0, 0, null]);
    const got = (await t.get(`/api/v1/data/budget/${b.id}`)).body.data;
    expect([got.spent, got.expense_count]).toEqual([0, 0]);
  });

  it('after a child is added, GET with the old ETag is 200 with the new roll-up; If-Match still takes the old tag', async () => {
    const b = await budget({ limit_amount: 1000 });
    const first = await t.get(`/api/v1/data/budget/${b.id}`).expect(200);
    const tag = first.headers.etag as string;
    expect((await t.get(`/api/v1/data/budget/${b.id}`).set('If-None-Match', tag)).status).toBe(304);
    await t.post('/api/v1/data/expense', { label: 'taxi', amount: 40, budget: b.id }).expect(201);
    const again = await t.get(`/api/v1/data/budget/${b.id}`).set('If-None-Match', tag);
    expect(again.status).toBe(200);
    expect(again.body.data.spent).toBe(40);
    expect(again.body.data.left_amount).toBe(960);
    expect(again.body.data.version).toBe(first.body.data.version);
    expect(again.headers.etag).not.toBe(tag);
    // the edit version did not move: an edit holding the tag from before the recalculation applies
    const edit = await t.patch(`/api/v1/data/budget/${b.id}`, { name: 'B2' }).set('If-Match', tag);
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    const stale = await t.patch(`/api/v1/data/budget/${b.id}`, { name: 'B3' }).set('If-Match', tag);
    expect(stale.status).toBe(412);
  });

  it('field history shows the recalculation with origin system; the parent (publishing) gets an event', async () => {
    const b = await budget();
    const e = (
      await t.post('/api/v1/data/expense', { label: 'hotel', amount: 300, budget: b.id }).expect(201)
    ).body.data;
    await t.patch(`/api/v1/data/expense/${e.id}`, { amount: 250 }).expect(200);
    const h = (await t.get(`/api/v1/data/budget/${b.id}/history`).expect(200)).body.data as {
      field: string;
      old: unknown;
      new: unknown;
      origin: string;
      actor: string;
    }[];
    const spent = h.filter((x) => x.field === 'spent').map((x) => [x.old, x.new, x.origin]);
    expect(spent).toEqual([
      [300, 250, 'system'],
      [0, 300, 'system'],
    ]);
    expect(h.find((x) => x.field === 'expense_count')).toMatchObject({ old: 0, new: 1, origin: 'system' });
    expect(h[0].actor).toBe(t.adminUserId);
    const events = (await te.engine.db.knex
      .withSchema(t.schema)
      .from('_outbox')
      .where({ record_id: b.id, type: 'record.updated' })
      .orderBy('seq')
      .select('payload')) as { payload: Record<string, unknown> }[];
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0].payload).toMatchObject({ origin: 'system', derived: true, version: b.version });
    expect(events[0].payload.changed).toEqual(expect.arrayContaining(['spent', 'expense_count', 'largest']));
    expect(events.every((x) => x.payload.origin === 'system' && x.payload.derived)).toBe(true);
    // The expense itself does not publish change events: its writes left none.
    expect(await te.engine.db.knex.withSchema(t.schema).from('_outbox').where({ record_id: e.id })).toEqual(
      [],
    );
  });
});

describe("a child write that breaks the parent's rule is refused (issue 10 item 2)", () => {
  it('a single child over the limit: 422 naming the parent rule, nothing saved', async () => {
    const b = await budget({ limit_amount: 100 });
    const r = await t.post('/api/v1/data/expense', { label: 'big', amount: 150, budget: b.id });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/budget',
        code: 'PARENT_RULE',
        detail: expect.objectContaining({ rule: 'within_limit', object: 'budget', id: b.id }),
      }),
    ]);
    expect(r.body.errors[0].message).toContain('Expenses may not exceed the limit.');
    const zh = await t
      .post('/api/v1/data/expense', { label: 'big', amount: 150, budget: b.id })
      .set('Accept-Language', 'zh-CN');
    expect(zh.body.errors[0].message).toContain('费用合计不能超过额度。');
    const list = await t.get(
      `/api/v1/data/expense?filter=${encodeURIComponent(JSON.stringify({ budget: { eq: b.id } }))}`,
    );
    expect(list.body.data).toEqual([]);
    expect((await t.get(`/api/v1/data/budget/${b.id}`)).body.data.spent).toBe(0);
  });

  it('a batch of two children that pass the limit together is refused as a whole', async () => {
    const b = await budget({ limit_amount: 100 });
    const r = await t.post('/api/v1/data/expense/batch', {
      records: [
        { label: 'one', amount: 60, budget: b.id },
        { label: 'two', amount: 60, budget: b.id },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ code: 'PARENT_RULE', pointer: '/records/0/budget' });
    expect((await t.get(`/api/v1/data/budget/${b.id}`)).body.data.spent).toBe(0);
    // and the parent stays editable
    await t.patch(`/api/v1/data/budget/${b.id}`, { name: 'still fine' }).expect(200);
  });

  it('concurrent children: the parent row lock makes the second writer see the first', async () => {
    const b = await budget({ limit_amount: 100 });
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => t.post('/api/v1/data/expense', { label: `c${n}`, amount: 60, budget: b.id })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 422, 422, 422]);
    for (const r of results.filter((x) => x.status === 422))
      expect(r.body.errors[0].code).toBe('PARENT_RULE');
    expect((await t.get(`/api/v1/data/budget/${b.id}`)).body.data.spent).toBe(60);
  });

  it('an update of a child and a re-parenting are checked against the parent too', async () => {
    const b = await budget({ limit_amount: 100 });
    const other = await budget({ limit_amount: 50 });
    const e = (await t.post('/api/v1/data/expense', { label: 'x', amount: 80, budget: b.id }).expect(201))
      .body.data;
    expect((await t.patch(`/api/v1/data/expense/${e.id}`, { amount: 120 })).status).toBe(422);
    const moved = await t.patch(`/api/v1/data/expense/${e.id}`, { budget: other.id });
    expect(moved.status).toBe(422);
    expect(moved.body.errors[0].detail.id).toBe(other.id);
  });

  it("deleting a child re-checks the parent's rules that depend on the roll-up", async () => {
    const b = await budget({ status: 'open', min_expenses: 2 });
    const r = await t.post('/api/v1/data/expense/batch', {
      records: [
        { label: 'a', amount: 1, budget: b.id },
        { label: 'b', amount: 1, budget: b.id },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await t.patch(`/api/v1/data/budget/${b.id}`, { status: 'closed' }).expect(200);
    const del = await t.del(`/api/v1/data/expense/${r.body.data[0].id}`);
    expect(del.status, JSON.stringify(del.body)).toBe(422);
    expect(del.body.errors[0]).toMatchObject({
      code: 'PARENT_RULE',
      detail: { rule: 'closed_keeps_expenses' },
    });
    expect((await t.get(`/api/v1/data/budget/${b.id}`)).body.data.expense_count).toBe(2);
  });
});

describe('owner transfer', () => {
  it('a rep with transfer gives a record to a colleague, who can then edit it; history and audit say so', async () => {
    const mine = (await as.ann('post', '/api/v1/data/budget', { name: 'Ann budget' }).expect(201)).body.data;
    expect((await as.bob('patch', `/api/v1/data/budget/${mine.id}`, { name: 'x' })).status).toBe(404);
    const moved = await as.ann('patch', `/api/v1/data/budget/${mine.id}`, { owner: userId.bob });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.data.owner).toBe(userId.bob);
    expect(moved.body.data.version).toBe(2);
    const edit = await as.bob('patch', `/api/v1/data/budget/${mine.id}`, { name: 'Now Bob' });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    // the former owner no longer reaches it
    expect((await as.ann('get', `/api/v1/data/budget/${mine.id}`)).status).toBe(404);
    const h = (await t.get(`/api/v1/data/budget/${mine.id}/history`)).body.data;
    expect(h).toContainEqual(
      expect.objectContaining({
        field: 'owner',
        old: userId.ann,
        new: userId.bob,
        origin: 'user',
        actor: userId.ann,
      }),
    );
    const audit = (await t.get('/api/v1/audit')).body.data as {
      action: string;
      origin: string;
      detail: unknown;
    }[];
    expect(audit.find((a) => a.action === 'record.owner_transferred')).toMatchObject({
      origin: 'user',
      detail: { object: 'budget', records: [{ id: mine.id, from: userId.ann, to: userId.bob }] },
    });
  });

  it('a rep without transfer gets 403 and the owner stays', async () => {
    const own = (await as.bob('post', '/api/v1/data/budget', { name: 'Bob budget' }).expect(201)).body.data;
    const r = await as.bob('patch', `/api/v1/data/budget/${own.id}`, { owner: userId.cat });
    expect([r.status, r.body.code]).toEqual([403, 'NO_TRANSFER_ACCESS']);
    expect((await as.bob('get', `/api/v1/data/budget/${own.id}`)).body.data.owner).toBe(userId.bob);
  });

  it('an owner that is not an active user is a 422 at /owner; owner stays read-only on create', async () => {
    const own = (await as.ann('post', '/api/v1/data/budget', { name: 'Ann 2' }).expect(201)).body.data;
    const r = await as.ann('patch', `/api/v1/data/budget/${own.id}`, {
      owner: '00000000-0000-4000-8000-000000000000',
    });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ pointer: '/owner', code: 'OWNER_NOT_A_USER' });
    const c = await as.ann('post', '/api/v1/data/budget', { name: 'x', owner: userId.bob });
    expect(c.status).toBe(422);
    expect(c.body.errors[0]).toMatchObject({ pointer: '/owner', code: 'READ_ONLY_FIELD' });
  });

  it('batch transfer moves every record or none', async () => {
    const a = (await as.ann('post', '/api/v1/data/budget', { name: 'T1' }).expect(201)).body.data;
    const b = (await as.ann('post', '/api/v1/data/budget', { name: 'T2' }).expect(201)).body.data;
    const foreign = (await as.cat('post', '/api/v1/data/budget', { name: 'Cat' }).expect(201)).body.data;
    const bad = await as.ann('post', '/api/v1/data/budget/transfer', {
      ids: [a.id, foreign.id],
      owner: userId.cat,
    });
    expect(bad.status).toBe(404);
    expect((await as.ann('get', `/api/v1/data/budget/${a.id}`)).body.data.owner).toBe(userId.ann);
    const ok = await as.ann('post', '/api/v1/data/budget/transfer', { ids: [a.id, b.id], owner: userId.cat });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.meta.count).toBe(2);
    for (const id of [a.id, b.id])
      expect((await as.cat('get', `/api/v1/data/budget/${id}`)).body.data.owner).toBe(userId.cat);
    const denied = await as.bob('post', '/api/v1/data/budget/transfer', {
      ids: [foreign.id],
      owner: userId.bob,
    });
    expect(denied.status).toBe(403);
  });

  it('profiles report the transfer permission to the screens', async () => {
    const objects = (await as.ann('get', '/api/v1/meta/objects')).body.data.objects as {
      name: string;
      permissions: { transfer: boolean };
    }[];
    expect(objects.find((o) => o.name === 'budget')!.permissions.transfer).toBe(true);
    const bobs = (await as.bob('get', '/api/v1/meta/objects')).body.data.objects as typeof objects;
    expect(bobs.find((o) => o.name === 'budget')!.permissions.transfer).toBe(false);
  });
});

describe('record teams go through the internal path', () => {
  it('adding and removing a team member emits events with their origin and is audited', async () => {
    const b = await budget();
    await t.put(`/api/v1/data/budget/${b.id}/team/${userId.cat}`, { access: 'read' }).expect(204);
    await t.del(`/api/v1/data/budget/${b.id}/team/${userId.cat}`).expect(204);
    const events = (await te.engine.db.knex
      .withSchema(t.schema)
      .from('_outbox')
      .where({ record_id: b.id, type: 'record.team_changed' })
      .orderBy('seq')
      .select('payload')) as { payload: Record<string, unknown> }[];
    expect(events.map((e) => e.payload)).toEqual([
      { userId: userId.cat, access: 'read', change: 'set', origin: 'user' },
      { userId: userId.cat, change: 'removed', origin: 'user' },
    ]);
    const audit = (await t.get('/api/v1/audit')).body.data as { action: string }[];
    expect(audit.filter((a) => a.action === 'record.team_changed').length).toBeGreaterThanOrEqual(2);
  });
});

describe('POST /meta/recompute', () => {
  it('is for administrators; an unknown object or task is 404', async () => {
    expect((await as.ann('post', '/api/v1/meta/recompute', {})).status).toBe(403);
    expect((await t.post('/api/v1/meta/recompute', { object: 'nope' })).status).toBe(404);
    expect((await t.get('/api/v1/meta/recompute/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('shows progress (done of total) and ends done', async () => {
    const r = await t.post('/api/v1/meta/recompute', { object: 'budget' }).expect(202);
    expect(r.body.data).toMatchObject({ status: 'running', object: 'budget' });
    let s = r.body.data;
    for (let i = 0; i < 200 && s.status === 'running'; i++) {
      await new Promise((res) => setTimeout(res, 20));
      s = (await t.get(r.headers.location as string).expect(200)).body.data;
    }
    expect(s.status).toBe('done');
    expect(s.total).toBeGreaterThan(0);
    expect(s.done).toBe(s.total);
    expect(s.report).toEqual([{ object: 'budget', rollups: 0, formulas: 0 }]);
  });
});
