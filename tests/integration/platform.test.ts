import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { salesPackage } from '../helpers/packages.js';

let te: TestEngine;
let tenantAdmin: TestTenant;
const PLATFORM = 'platform-token-for-tests';
const platform = (m: 'get' | 'post', path: string, token = PLATFORM) =>
  request(te.engine.app)[m](path).set('Authorization', `Bearer ${token}`);

beforeAll(async () => {
  te = await startEngine({ platformToken: PLATFORM });
  tenantAdmin = await te.tenant(salesPackage(), 'existing');
});
afterAll(() => te?.close());

describe('platform administration', () => {
  it('creates a tenant with the standard objects, whose admin can sign in', async () => {
    const r = await platform('post', '/api/v1/platform/tenants').send({
      slug: 'newco',
      name: 'New Co 新公司',
      adminPassword: 'newco-admin-pw',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const objects = await request(te.engine.app)
      .get('/api/v1/meta')
      .set('Authorization', `Bearer ${r.body.data.adminToken}`);
    expect(objects.body.data.package.objects.map((o: { name: string }) => o.name)).toEqual(
      expect.arrayContaining(['lead', 'account', 'contact', 'opportunity', 'activity']),
    );
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: 'newco', username: 'admin', password: 'newco-admin-pw' });
    expect(login.status).toBe(200);
    const list = await platform('get', '/api/v1/platform/tenants');
    expect(list.body.data.map((t: { slug: string }) => t.slug).sort()).toEqual(['existing', 'newco']);
  });

  it('refuses tenant tokens, bad slugs and duplicates', async () => {
    expect((await platform('get', '/api/v1/platform/tenants', tenantAdmin.token)).status).toBe(401);
    expect(
      (await platform('post', '/api/v1/platform/tenants').send({ slug: 'Bad Slug;--', name: 'x' })).status,
    ).toBe(422);
    expect(
      (await platform('post', '/api/v1/platform/tenants').send({ slug: 'existing', name: 'again' })).status,
    ).toBe(409);
    expect((await platform('get', '/api/v1/platform/tenants')).body.data).toHaveLength(2);
  });

  it("takes the tenant's time zone, in which its schedules run", async () => {
    const bad = await platform('post', '/api/v1/platform/tenants')
      .set('Accept-Language', 'zh-CN')
      .send({ slug: 'mars', name: 'Mars', timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ pointer: '/timeZone', code: 'TIME_ZONE' });
    expect(bad.body.errors[0].message).toMatch(/不是有效的时区/);
    expect(await te.engine.tenants.findBySlug('mars')).toBeNull();

    const r = await platform('post', '/api/v1/platform/tenants').send({
      slug: 'berlin',
      name: 'Berlin GmbH',
      timeZone: 'Europe/Berlin',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.data.timeZone).toBe('Europe/Berlin');
    const [prune] = (await te.engine.jobs.schedules.list(r.body.data.id)).filter(
      (s) => s.name === 'outbox.prune',
    );
    const at = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(prune.next_run_at));
    expect(at).toBe('03:00');
  });
});
