import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts } from '../helpers/packages.js';

/**
 * A lookup is a way to read the record it points at (formulas, defaults and rules copy its data):
 * writing one needs read access to the target, and formulas show through a lookup only what
 * their reader may read there.
 */
function pkg(): PackageDef {
  return {
    name: 'lookup-access',
    objects: [
      object(
        'account',
        [
          field('name', 'text', { required: true }),
          field('region', 'picklist', { options: opts('east', 'north') }),
          field('credit_limit', 'currency', { precision: 14, scale: 2 }),
        ],
        { sharing: { default: 'private' } },
      ),
      object(
        'opportunity',
        [
          field('name', 'text', { required: true }),
          field('account', 'lookup', { target: 'account' }),
          field('account_region', 'formula', { returnType: 'text', expression: { var: 'account.region' } }),
          field('account_credit', 'formula', {
            returnType: 'currency',
            expression: { var: 'account.credit_limit' },
          }),
          // reads the credit limit only through another formula
          field('credit_band', 'formula', {
            returnType: 'text',
            expression: { if: [{ '>': [{ var: 'account_credit' }, 1000] }, 'high', 'low'] },
          }),
          field('credit_copy', 'currency', {
            precision: 14,
            scale: 2,
            defaultExpression: { var: 'account.credit_limit' },
          }),
        ],
        {
          sharing: { default: 'private' },
          validationRules: [
            {
              name: 'east_closed',
              condition: { '==': [{ var: 'account.region' }, 'east'] },
              message: l('East accounts are closed.'),
              field: 'account',
            },
          ],
        },
      ),
      // no rules, roll-ups or history: its updates take the blind fast path
      object(
        'note',
        [field('text', 'text'), field('account', 'lookup', { target: 'account', onDelete: 'set_null' })],
        { sharing: { default: 'public_read_write' } },
      ),
    ],
    roles: [{ name: 'rep', label: l('Rep') }],
    profiles: [
      {
        name: 'rep',
        label: l('Rep'),
        objects: {
          account: { create: true, read: true, edit: true },
          opportunity: { create: true, read: true, edit: true },
          note: { create: true, read: true, edit: true },
        },
        fields: { account: { credit_limit: 'none' } },
      },
    ],
  };
}

let te: TestEngine;
let admin: TestTenant;
let rep: (m: 'get' | 'post' | 'patch', path: string, body?: object) => request.Test;
let hidden: string; // an account of the admin's: private, the rep cannot read it
let mine: string; // the rep's own account
const missing = '7d1f6c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f';

beforeAll(async () => {
  te = await startEngine();
  admin = await te.tenant(pkg());
  const u = await admin.post('/api/v1/users', {
    username: 'rep1',
    displayName: 'Rep One',
    password: 'password-rep1',
    role: 'rep',
    profile: 'rep',
  });
  expect(u.status, JSON.stringify(u.body)).toBe(201);
  const login = await request(te.engine.app)
    .post('/api/v1/auth/login')
    .send({ tenant: admin.slug, username: 'rep1', password: 'password-rep1' });
  const token = login.body.data.access_token as string;
  rep = (m, path, body) => {
    const t = request(te.engine.app)[m](path).set('Authorization', `Bearer ${token}`);
    return body ? t.send(body) : t;
  };
  hidden = (
    await admin
      .post('/api/v1/data/account', { name: 'Hidden', region: 'north', credit_limit: 5000 })
      .expect(201)
  ).body.data.id;
  const own = await rep('post', '/api/v1/data/account', { name: 'Mine', region: 'north' });
  expect(own.status, JSON.stringify(own.body)).toBe(201);
  mine = own.body.data.id;
  await admin.patch(`/api/v1/data/account/${mine}`, { credit_limit: 3000 }).expect(200);
});
afterAll(() => te?.close());

/** The problem with every id replaced, to compare a hidden target with a missing one. */
const shape = (r: request.Response) => {
  const body = JSON.parse(JSON.stringify(r.body).replaceAll(hidden, '<id>').replaceAll(missing, '<id>'));
  delete body.instance;
  return { status: r.status, body };
};
const count = async (object: string) =>
  (await admin.post(`/api/v1/data/${object}/aggregate`, { metrics: [{ fn: 'count' }] })).body.data[0].count;

describe('writing a lookup needs read access to the record it points at', () => {
  it('a record the writer cannot read is refused exactly like a missing one', async () => {
    expect((await rep('get', `/api/v1/data/account/${hidden}`)).status).toBe(404);
    const before = await count('opportunity');
    const toHidden = await rep('post', '/api/v1/data/opportunity', { name: 'Leak', account: hidden });
    expect(toHidden.status, JSON.stringify(toHidden.body)).toBe(422);
    expect(toHidden.body.errors).toEqual([
      expect.objectContaining({ pointer: '/account', code: 'LOOKUP_NOT_FOUND' }),
    ]);
    const toMissing = await rep('post', '/api/v1/data/opportunity', { name: 'Leak', account: missing });
    expect(shape(toHidden)).toEqual(shape(toMissing));
    // in Chinese too
    const zhHidden = await rep('post', '/api/v1/data/opportunity', { name: 'Leak', account: hidden }).set(
      'Accept-Language',
      'zh-CN',
    );
    const zhMissing = await rep('post', '/api/v1/data/opportunity', { name: 'Leak', account: missing }).set(
      'Accept-Language',
      'zh-CN',
    );
    expect(shape(zhHidden)).toEqual(shape(zhMissing));
    // with another mistake in the same record, both answers still agree
    const badToo = (account: string) => rep('post', '/api/v1/data/opportunity', { name: '', account });
    expect(shape(await badToo(hidden))).toEqual(shape(await badToo(missing)));
    expect(await count('opportunity')).toBe(before);
    // the administrator reads everything and may link it
    await admin.post('/api/v1/data/opportunity', { name: 'Admin link', account: hidden }).expect(201);
  });

  it('a validation rule reading the hidden record is no oracle either', async () => {
    // "east_closed" refuses east accounts: were it evaluated, the answer would tell the region
    await admin.patch(`/api/v1/data/account/${hidden}`, { region: 'east' }).expect(200);
    const r = await rep('post', '/api/v1/data/opportunity', { name: 'Probe', account: hidden });
    expect(r.body.errors.map((e: { code: string }) => e.code)).toEqual(['LOOKUP_NOT_FOUND']);
    await admin.patch(`/api/v1/data/account/${hidden}`, { region: 'north' }).expect(200);
  });

  it('updates, single and in a batch, are checked; batches save nothing', async () => {
    const own = await rep('post', '/api/v1/data/opportunity', { name: 'Own', account: mine });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    const id = own.body.data.id;
    const patch = await rep('patch', `/api/v1/data/opportunity/${id}`, { account: hidden });
    expect(shape(patch)).toEqual(
      shape(await rep('patch', `/api/v1/data/opportunity/${id}`, { account: missing })),
    );
    expect(patch.body.errors).toEqual([
      expect.objectContaining({ pointer: '/account', code: 'LOOKUP_NOT_FOUND' }),
    ]);

    const before = await count('opportunity');
    const batch = await rep('post', '/api/v1/data/opportunity/batch', {
      records: [
        { name: 'ok', account: mine },
        { name: 'leak', account: hidden },
      ],
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(422);
    expect(batch.body.errors).toEqual([
      expect.objectContaining({ pointer: '/records/1/account', code: 'LOOKUP_NOT_FOUND' }),
    ]);
    expect(await count('opportunity')).toBe(before);
    const ops = await rep('post', '/api/v1/data/opportunity/batch', {
      operations: [
        { op: 'create', data: { name: 'fine' } },
        { op: 'update', id, data: { account: hidden } },
      ],
    });
    expect(ops.body.errors).toEqual([
      expect.objectContaining({ pointer: '/operations/1/data/account', code: 'LOOKUP_NOT_FOUND' }),
    ]);
    expect(await count('opportunity')).toBe(before);
    const stored = await admin.get(`/api/v1/data/opportunity/${id}`);
    expect(stored.body.data.account).toBe(mine);
  });

  it('the blind update path checks too, and keeps a link the writer did not make', async () => {
    const n = (
      await admin.post('/api/v1/data/note', { text: 'linked by admin', account: hidden }).expect(201)
    ).body.data;
    const other = (await admin.post('/api/v1/data/note', { text: 'free' }).expect(201)).body.data;
    const leak = await rep('patch', `/api/v1/data/note/${other.id}`, { account: hidden });
    expect(shape(leak)).toEqual(
      shape(await rep('patch', `/api/v1/data/note/${other.id}`, { account: missing })),
    );
    expect((await admin.get(`/api/v1/data/note/${other.id}`)).body.data.account).toBeNull();
    // the stored link is not the writer's doing: sending it back unchanged is fine
    const keep = await rep('patch', `/api/v1/data/note/${n.id}`, { text: 'edited', account: hidden });
    expect(keep.status, JSON.stringify(keep.body)).toBe(200);
    expect(keep.body.data).toMatchObject({ text: 'edited', account: hidden });
    const relink = await rep('patch', `/api/v1/data/note/${other.id}`, { account: mine });
    expect(relink.status, JSON.stringify(relink.body)).toBe(200);
  });
});

describe('formulas never show through a lookup what the reader may not read', () => {
  it('a formula over a field hidden from the reader is hidden with it, at every path', async () => {
    const r = await rep('post', '/api/v1/data/opportunity', { name: 'Formulas', account: mine });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.data.account_region).toBe('north');
    for (const hiddenField of ['account_credit', 'credit_band'])
      expect(r.body.data).not.toHaveProperty(hiddenField);
    const id = r.body.data.id;
    const got = (await rep('get', `/api/v1/data/opportunity/${id}`)).body.data;
    expect(got).not.toHaveProperty('account_credit');
    expect(got).not.toHaveProperty('credit_band');
    const byFilter = await rep(
      'get',
      '/api/v1/data/opportunity?filter=' +
        encodeURIComponent(JSON.stringify({ account_credit: { gt: 100 } })),
    );
    expect([byFilter.status, byFilter.body.code]).toEqual([400, 'BAD_FILTER']);
    expect((await rep('get', '/api/v1/data/opportunity?sort=credit_band')).status).toBe(400);
    const agg = await rep('post', '/api/v1/data/opportunity/aggregate', {
      metrics: [{ fn: 'sum', field: 'account_credit' }],
    });
    expect(agg.status).toBe(400);
    const model = await rep('get', '/api/v1/meta/objects');
    const opp = model.body.data.objects.find((o: { name: string }) => o.name === 'opportunity');
    const names = opp.fields.map((f: { name: string }) => f.name);
    expect(names).toContain('account_region');
    expect(names).not.toContain('account_credit');
    expect(names).not.toContain('credit_band');
    // the value is computed with system access, for those who may read it
    const seen = (await admin.get(`/api/v1/data/opportunity/${id}`)).body.data;
    expect(seen).toMatchObject({ account_credit: 3000, credit_band: 'high' });
  });

  it('a computed default copies only what its writer may read', async () => {
    const byRep = await rep('post', '/api/v1/data/opportunity', { name: 'Default', account: mine });
    expect(byRep.status, JSON.stringify(byRep.body)).toBe(201);
    expect(byRep.body.data.credit_copy).toBeNull();
    const byAdmin = await admin.post('/api/v1/data/opportunity', { name: 'Default', account: mine });
    expect(byAdmin.body.data.credit_copy).toBe(3000);
    // a malformed id reaches the computed defaults before validation: still a 422, not a 500
    const bad = await rep('post', '/api/v1/data/opportunity', { name: 'Default', account: 'nope' });
    expect(bad.status, JSON.stringify(bad.body)).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: '/account', code: 'BAD_FORMAT' })]);
  });
});
