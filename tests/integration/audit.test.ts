import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { l, salesPackage } from '../helpers/packages.js';

let te: TestEngine;
let admin: TestTenant;
let repToken: string;
const rep = (m: 'get' | 'post' | 'patch', path: string, body?: object) => {
  const t = request(te.engine.app)[m](path).set('Authorization', `Bearer ${repToken}`);
  return body ? t.send(body) : t;
};

beforeAll(async () => {
  te = await startEngine();
  const pkg = salesPackage();
  const opp = pkg.objects[1];
  opp.fields.find((f) => f.name === 'stage')!.trackHistory = true;
  opp.fields.find((f) => f.name === 'amount')!.trackHistory = true;
  opp.sharing = { default: 'public_read_write' };
  pkg.profiles = [
    {
      name: 'rep',
      label: l('Rep'),
      objects: { opportunity: { create: true, read: true, edit: true } },
      fields: { opportunity: { amount: 'none' } },
    },
  ];
  admin = await te.tenant(pkg, 'audited');
  await admin.post('/api/v1/users', {
    username: 'rep1',
    displayName: 'Rep 1',
    password: 'rep1-password',
    profile: 'rep',
  });
  repToken = (
    await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: 'audited', username: 'rep1', password: 'rep1-password' })
  ).body.data.access_token;
});
afterAll(() => te?.close());

describe('field history', () => {
  it('keeps old and new values of tracked fields, who and when, newest first', async () => {
    const created = await admin.post('/api/v1/data/opportunity', {
      name: 'Tracked',
      stage: 'prospecting',
      amount: 10,
    });
    const id = created.body.data.id as string;
    await admin.patch(`/api/v1/data/opportunity/${id}`, { stage: 'qualification', amount: 20 });
    await rep('patch', `/api/v1/data/opportunity/${id}`, {
      stage: 'negotiation',
      name: 'renamed (untracked)',
    });
    const h = await admin.get(`/api/v1/data/opportunity/${id}/history`);
    expect(h.status).toBe(200);
    expect(
      h.body.data.map((x: { field: string; old: unknown; new: unknown }) => [x.field, x.old, x.new]),
    ).toEqual([
      ['stage', 'qualification', 'negotiation'],
      ['stage', 'prospecting', 'qualification'],
      ['amount', 10, 20],
    ]);
    expect(h.body.data[0].actor).not.toBe(admin.adminUserId);
    expect(h.body.data[1].actor).toBe(admin.adminUserId);
    // A user who may not read `amount` does not see its history either.
    const repView = await rep('get', `/api/v1/data/opportunity/${id}/history`);
    expect(repView.body.data.map((x: { field: string }) => x.field)).toEqual(['stage', 'stage']);
  });

  it('a failed write leaves no history', async () => {
    const created = await admin.post('/api/v1/data/opportunity', { name: 'Atomic', stage: 'prospecting' });
    const id = created.body.data.id as string;
    const bad = await admin.patch(`/api/v1/data/opportunity/${id}`, {
      stage: 'closed_won',
      probability: 500,
    });
    expect(bad.status).toBe(422);
    expect((await admin.get(`/api/v1/data/opportunity/${id}/history`)).body.data).toEqual([]);
  });
});

describe('audit log and admin-only metadata', () => {
  it('records sign-ins, users and deploys; only admins read it', async () => {
    await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: 'audited', username: 'rep1', password: 'wrong-password' });
    const log = await admin.get('/api/v1/audit');
    expect(log.status).toBe(200);
    const actions = (log.body.data as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['login.failed', 'login.succeeded', 'user.created', 'metadata.deployed']),
    );
    expect((await rep('get', '/api/v1/audit')).status).toBe(403);
  });

  it('metadata endpoints are for tenant admins only, and a refused deploy changes nothing', async () => {
    const before = (await admin.get('/api/v1/meta')).body.data.version;
    expect((await rep('get', '/api/v1/meta')).status).toBe(403);
    const r = await rep('post', '/api/v1/meta/deploy', { package: salesPackage() });
    expect([r.status, r.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await rep('post', '/api/v1/users', { username: 'x', displayName: 'x' })).status).toBe(403);
    expect((await admin.get('/api/v1/meta')).body.data.version).toBe(before);
  });
});
