import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { salesPackage } from '../helpers/packages.js';
import { migrateEngine } from '../../engine/src/db/migrator.js';

/**
 * What the studio's Users screen needs from /api/v1/users: a manager and an e-mail address on
 * create and change, suspending and reactivating, and an administrator's password reset that
 * ends the user's sessions.
 */
let te: TestEngine;
let t: TestTenant;
const login = (username: string, password: string) =>
  request(te.engine.app).post('/api/v1/auth/login').send({ tenant: t.slug, username, password });
const me = (token: string) =>
  request(te.engine.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(salesPackage(), 'usersco');
});
afterAll(() => te?.close());

async function makeUser(username: string, extra: Record<string, unknown> = {}) {
  const r = await t.post('/api/v1/users', {
    username,
    displayName: username.toUpperCase(),
    password: 'first-password',
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data as { id: string; manager: string | null; email: string | null };
}

describe('managers', () => {
  it('sets a manager on create and on change, and lists it', async () => {
    const boss = await makeUser('boss');
    const rep = await makeUser('rep1', { manager: boss.id, email: 'rep1@example.com' });
    expect(rep.manager).toBe(boss.id);
    expect(rep.email).toBe('rep1@example.com');
    const other = await makeUser('other');
    const moved = await t.patch(`/api/v1/users/${rep.id}`, { manager: other.id }).expect(200);
    expect(moved.body.data.manager).toBe(other.id);
    const list = await t.get('/api/v1/users').expect(200);
    const row = list.body.data.find((u: { id: string }) => u.id === rep.id);
    expect(row.manager).toBe(other.id);
    const cleared = await t.patch(`/api/v1/users/${rep.id}`, { manager: null }).expect(200);
    expect(cleared.body.data.manager).toBeNull();
  });

  it('refuses an unknown manager and a loop, in both languages, changing nothing', async () => {
    const a = await makeUser('loop_a');
    const b = await makeUser('loop_b', { manager: a.id });
    const unknown = await t.patch(`/api/v1/users/${a.id}`, {
      manager: '0190a0a0-0000-7000-8000-00000000dead',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0]).toMatchObject({ pointer: '/manager', code: 'USER_UNKNOWN_MANAGER' });
    // a → b while b → a: a loop. And a user managing themselves.
    const loop = await t.patch(`/api/v1/users/${a.id}`, { manager: b.id }).set('Accept-Language', 'zh-CN');
    expect(loop.status).toBe(422);
    expect(loop.body.errors[0]).toMatchObject({ pointer: '/manager', code: 'USER_MANAGER_CYCLE' });
    expect(loop.body.errors[0].message).toBe('用户不能直接或间接成为自己的上级。');
    const self = await t.patch(`/api/v1/users/${a.id}`, { manager: a.id });
    expect(self.body.errors[0].code).toBe('USER_MANAGER_CYCLE');
    const list = await t.get('/api/v1/users').expect(200);
    expect(list.body.data.find((u: { id: string }) => u.id === a.id).manager).toBeNull();
    const bad = await t.post('/api/v1/users', { username: 'x1', displayName: 'X', manager: 'nope' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].code).toBe('USER_UNKNOWN_MANAGER');
  });

  it('refuses a malformed e-mail address and a blank display name', async () => {
    const u = await makeUser('mailer');
    const r = await t.patch(`/api/v1/users/${u.id}`, { email: 'not an address', displayName: ' ' });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/displayName',
      '/email',
    ]);
  });
});

describe('password reset by an administrator', () => {
  it('sets a new password and ends the sessions made with the old one', async () => {
    const u = await makeUser('forgetful');
    const old = (await login('forgetful', 'first-password')).body.data.access_token as string;
    expect((await me(old)).status).toBe(200);
    await t.post(`/api/v1/users/${u.id}/password`, { password: 'second-password' }).expect(204);
    expect((await me(old)).status).toBe(401);
    expect((await login('forgetful', 'first-password')).status).toBe(401);
    expect((await login('forgetful', 'second-password')).status).toBe(200);
  });

  it('refuses a weak password, an unknown user, and non-admins', async () => {
    const u = await makeUser('weakling');
    const weak = await t.post(`/api/v1/users/${u.id}/password`, { password: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.errors[0]).toMatchObject({ pointer: '/password', code: 'WEAK_PASSWORD' });
    expect((await login('weakling', 'first-password')).status).toBe(200);
    await t
      .post('/api/v1/users/0190a0a0-0000-7000-8000-00000000beef/password', { password: 'long-enough-1' })
      .expect(404);
    await t.post('/api/v1/users/garbage/password', { password: 'long-enough-1' }).expect(404);
    const rep = (await login('weakling', 'first-password')).body.data.access_token as string;
    const r = await request(te.engine.app)
      .post(`/api/v1/users/${u.id}/password`)
      .set('Authorization', `Bearer ${rep}`)
      .send({ password: 'taken-over-1' });
    expect(r.status).toBe(403);
    expect((await login('weakling', 'first-password')).status).toBe(200);
  });
});

describe('tenants made before the manager column', () => {
  it('gets the column from the engine migrations at the next boot', async () => {
    const knex = te.engine.db.knex;
    await knex.raw('alter table ??.?? drop column manager', [t.schema, '_users']);
    await knex.withSchema(t.schema).table('_engine_migrations').where({ name: '0003_user_manager' }).del();
    await knex
      .withSchema(te.engine.platform)
      .table('tenants')
      .where({ schema_name: t.schema })
      .update({ engine_version: '0002_origins_stage_history' });
    await migrateEngine(knex, te.engine.platform);
    const list = await t.get('/api/v1/users').expect(200);
    expect(list.body.data[0]).toHaveProperty('manager');
  });
});
