import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { l, salesPackage } from '../helpers/packages.js';

/**
 * Ownership transfer: `owner` in an update hands a record to another active user, for profiles
 * with the `transfer` permission on the object (and administrators); everyone else gets a 422
 * naming the field, and nothing changes.
 */
let te: TestEngine;
let t: TestTenant;
const as: Record<string, (m: 'get' | 'patch', path: string, body?: object) => request.Test> = {};
const ids: Record<string, string> = {};

function pkg(): PackageDef {
  const p = salesPackage();
  p.objects[1].sharing = { default: 'private' };
  const crud = { create: true, read: true, edit: true };
  p.roles = [{ name: 'rep', label: l('Rep') }];
  p.profiles = [
    { name: 'plain', label: l('Plain'), objects: { opportunity: crud } },
    { name: 'mover', label: l('Mover'), objects: { opportunity: { ...crud, transfer: true } } },
  ];
  return p;
}

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg(), 'transferco');
  for (const [username, profile] of [
    ['plain1', 'plain'],
    ['plain2', 'plain'],
    ['mover', 'mover'],
    ['gone', 'plain'],
  ]) {
    const r = await t.post('/api/v1/users', {
      username,
      displayName: username,
      password: `password-${username}`,
      role: 'rep',
      profile,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    ids[username] = r.body.data.id as string;
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username, password: `password-${username}` });
    const token = login.body.data.access_token as string;
    as[username] = (m, path, body) => {
      const q = request(te.engine.app)[m](path).set('Authorization', `Bearer ${token}`);
      return body ? q.send(body) : q;
    };
  }
  await t.patch(`/api/v1/users/${ids.gone}`, { active: false }).expect(200);
});
afterAll(() => te?.close());

const create = async (user: string, name: string) => {
  const r = await request(te.engine.app)
    .post('/api/v1/data/opportunity')
    .set('Authorization', `Bearer ${await tokenOf(user)}`)
    .send({ name, amount: 10 });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data.id as string;
};
const tokens: Record<string, string> = {};
async function tokenOf(user: string) {
  tokens[user] ??= (
    await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username: user, password: `password-${user}` })
  ).body.data.access_token as string;
  return tokens[user];
}

describe('ownership transfer', () => {
  it('a profile with transfer hands its record to another user, who then sees it', async () => {
    const id = await create('mover', 'Moving deal');
    expect((await as.plain1('get', `/api/v1/data/opportunity/${id}`)).status).toBe(404);
    const r = await as.mover('patch', `/api/v1/data/opportunity/${id}`, { owner: ids.plain1 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data.owner).toBe(ids.plain1);
    expect((await as.plain1('get', `/api/v1/data/opportunity/${id}`)).body.data.owner).toBe(ids.plain1);
    // The old owner no longer sees a private record they gave away.
    expect((await as.mover('get', `/api/v1/data/opportunity/${id}`)).status).toBe(404);
  });

  it('without transfer: 422 naming the owner, in both languages, nothing changed', async () => {
    const id = await create('plain1', 'Kept deal');
    const r = await as
      .plain1('patch', `/api/v1/data/opportunity/${id}`, { owner: ids.plain2, amount: 20 })
      .set('Accept-Language', 'zh-CN');
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ pointer: '/owner', code: 'TRANSFER_NOT_ALLOWED' }),
    ]);
    expect(r.body.errors[0].message).toBe('您的简档不能把“opportunity”记录转给其他所有人。');
    const after = await as.plain1('get', `/api/v1/data/opportunity/${id}`).expect(200);
    expect(after.body.data).toMatchObject({ owner: ids.plain1, amount: 10, version: 1 });
  });

  it('the new owner must be an active user; the owner stays out of creates', async () => {
    const id = await create('mover', 'Stays');
    for (const owner of [ids.gone, '0190a0a0-0000-7000-8000-00000000dead', 'nobody', 42]) {
      const r = await as.mover('patch', `/api/v1/data/opportunity/${id}`, { owner });
      expect(r.status, String(owner)).toBe(422);
      expect(r.body.errors[0]).toMatchObject({ pointer: '/owner', code: 'OWNER_NOT_A_USER' });
    }
    expect((await as.mover('get', `/api/v1/data/opportunity/${id}`)).body.data.owner).toBe(ids.mover);
    const c = await request(te.engine.app)
      .post('/api/v1/data/opportunity')
      .set('Authorization', `Bearer ${await tokenOf('mover')}`)
      .send({ name: 'x', owner: ids.plain1 });
    expect(c.status).toBe(422);
    expect(c.body.errors[0]).toMatchObject({ pointer: '/owner', code: 'READ_ONLY_FIELD' });
  });

  it('administrators transfer any record, in a batch too', async () => {
    const a = await create('plain1', 'Batch A');
    const b = await create('plain2', 'Batch B');
    const r = await t.post('/api/v1/data/opportunity/batch', {
      operations: [
        { op: 'update', id: a, data: { owner: ids.mover } },
        { op: 'update', id: b, data: { owner: ids.mover } },
      ],
    });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    for (const id of [a, b])
      expect((await as.mover('get', `/api/v1/data/opportunity/${id}`)).body.data.owner).toBe(ids.mover);
  });
});
