import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine } from '../helpers/engine.js';
import { salesPackage } from '../helpers/packages.js';

let te: TestEngine;
const slug = 'authco';
const login = (body: object, ip?: string) => {
  const r = request(te.engine.app).post('/api/v1/auth/login');
  if (ip) r.set('X-Forwarded-For', ip);
  return r.send(body);
};
const me = (token: string) =>
  request(te.engine.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);

beforeAll(async () => {
  te = await startEngine();
  await te.engine.tenants.create({
    slug,
    name: 'Auth Co',
    package: salesPackage(),
    adminPassword: 'correct horse battery',
  });
});
afterAll(() => te?.close());

describe('password sign-in', () => {
  it('signs in and the session token works as a bearer token', async () => {
    const r = await login({ tenant: slug, username: 'admin', password: 'correct horse battery' });
    expect(r.status).toBe(200);
    expect(r.body.data.token_type).toBe('Bearer');
    expect(Date.parse(r.body.data.expires_at)).toBeGreaterThan(Date.now());
    const who = await me(r.body.data.access_token);
    expect(who.status).toBe(200);
    expect(who.body.data).toMatchObject({ isAdmin: true, tenant: { slug } });
  });

  it('answers a wrong password, an unknown user and an unknown tenant the same way', async () => {
    const bodies = await Promise.all([
      login({ tenant: slug, username: 'admin', password: 'wrong password 1' }),
      login({ tenant: slug, username: 'nobody', password: 'wrong password 1' }),
      login({ tenant: 'no_such_tenant', username: 'admin', password: 'wrong password 1' }),
    ]);
    for (const r of bodies) {
      expect(r.status).toBe(401);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.body.code).toBe('LOGIN_FAILED');
    }
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(bodies[1].body)).toEqual(strip(bodies[0].body));
    expect(strip(bodies[2].body)).toEqual(strip(bodies[0].body));
  });

  it('refuses missing fields with pointers', async () => {
    const r = await login({ tenant: slug });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/password',
      '/username',
    ]);
  });

  it('limits brute force per account, and a right password does not get through while limited', async () => {
    const target = { tenant: slug, username: 'admin' };
    await te.engine.tenants.create({
      slug: 'bruteco',
      name: 'Brute',
      package: salesPackage(),
      adminPassword: 'the real password',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await login({ ...target, tenant: 'bruteco', password: `guess-${i}-xx` })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const locked = await login({ ...target, tenant: 'bruteco', password: 'the real password' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refresh swaps the token, logout ends it', async () => {
    const first = (await login({ tenant: slug, username: 'admin', password: 'correct horse battery' })).body
      .data.access_token as string;
    const refreshed = await request(te.engine.app)
      .post('/api/v1/auth/refresh')
      .set('Authorization', `Bearer ${first}`);
    expect(refreshed.status).toBe(200);
    const second = refreshed.body.data.access_token as string;
    expect(second).not.toBe(first);
    expect((await me(first)).status).toBe(401);
    expect((await me(second)).status).toBe(200);
    expect(
      (await request(te.engine.app).post('/api/v1/auth/logout').set('Authorization', `Bearer ${second}`))
        .status,
    ).toBe(204);
    expect((await me(second)).status).toBe(401);
  });

  it('changes the password, refuses weak ones, and ends the other sessions', async () => {
    const a = (await login({ tenant: slug, username: 'admin', password: 'correct horse battery' })).body.data
      .access_token as string;
    const b = (await login({ tenant: slug, username: 'admin', password: 'correct horse battery' })).body.data
      .access_token as string;
    const change = (token: string, body: object) =>
      request(te.engine.app).post('/api/v1/auth/password').set('Authorization', `Bearer ${token}`).send(body);
    const weak = await change(a, { currentPassword: 'correct horse battery', newPassword: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.errors[0].pointer).toBe('/newPassword');
    expect(
      (await change(a, { currentPassword: 'not it at all', newPassword: 'another long one' })).status,
    ).toBe(401);
    expect(
      (await change(a, { currentPassword: 'correct horse battery', newPassword: 'another long one' })).status,
    ).toBe(204);
    expect((await me(a)).status).toBe(200);
    expect(await te.engine.tenants.principalForToken(b)).toBeNull();
    expect((await me(b)).status).toBe(401);
    expect((await login({ tenant: slug, username: 'admin', password: 'another long one' })).status).toBe(200);
    expect((await login({ tenant: slug, username: 'admin', password: 'correct horse battery' })).status).toBe(
      401,
    );
  });
});

describe('integration tokens and suspension', () => {
  const session = async () =>
    (await login({ tenant: slug, username: 'admin', password: 'another long one' })).body.data
      .access_token as string;
  const call = (token: string, m: 'get' | 'post' | 'delete', path: string, body?: object) => {
    const t = request(te.engine.app)[m](path).set('Authorization', `Bearer ${token}`);
    return body ? t.send(body) : t;
  };

  it('a scoped token reaches only what its scopes name, and expires or is revoked', async () => {
    const s = await session();
    const made = await call(s, 'post', '/api/v1/tokens', {
      label: 'BI export',
      scopes: ['read'],
      expiresInDays: 30,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const ro = made.body.data.token as string;
    expect((await call(ro, 'get', '/api/v1/data/account')).status).toBe(200);
    expect(
      (await call(ro, 'post', '/api/v1/data/account/aggregate', { metrics: [{ fn: 'count' }] })).status,
    ).toBe(200);
    const write = await call(ro, 'post', '/api/v1/data/account', { name: 'nope' });
    expect([write.status, write.body.code]).toEqual([403, 'TOKEN_SCOPE']);
    expect((await call(ro, 'get', '/api/v1/meta')).status).toBe(403);
    expect((await call(ro, 'post', '/api/v1/tokens', { label: 'wider', scopes: ['write'] })).status).toBe(
      403,
    );
    expect((await call(s, 'post', '/api/v1/tokens', { label: 'bad', scopes: ['root'] })).status).toBe(422);
    const list = await call(s, 'get', '/api/v1/tokens');
    expect(list.body.data.map((t: { label: string }) => t.label)).toContain('BI export');
    expect(JSON.stringify(list.body)).not.toContain(ro);
    expect((await call(s, 'delete', `/api/v1/tokens/${made.body.data.id}`)).status).toBe(204);
    expect(await te.engine.tenants.principalForToken(ro)).toBeNull();
  });

  it('a suspended user is refused at once, with every session', async () => {
    const s = await session();
    const u = await call(s, 'post', '/api/v1/users', {
      username: 'temp',
      displayName: 'Temp',
      password: 'temp-password',
    });
    expect(u.status).toBe(201);
    const t = (await login({ tenant: slug, username: 'temp', password: 'temp-password' })).body.data
      .access_token as string;
    expect((await me(t)).status).toBe(200);
    const off = await request(te.engine.app)
      .patch(`/api/v1/users/${u.body.data.id}`)
      .set('Authorization', `Bearer ${s}`)
      .send({ active: false });
    expect(off.status).toBe(200);
    expect((await me(t)).status).toBe(401);
    expect((await login({ tenant: slug, username: 'temp', password: 'temp-password' })).status).toBe(401);
  });
});
