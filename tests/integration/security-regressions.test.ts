import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { ApiTokens } from '../../engine/src/tenancy/api-tokens.js';
import type { TokenScope } from '../../engine/src/tenancy/tenants.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts, salesPackage } from '../helpers/packages.js';

/** Issue 10 A, B, D, F: each attack as the security tester ran it. */
function pkg(): PackageDef {
  const p = salesPackage();
  p.objects.push(
    object('secret_deal', [field('name', 'text'), field('tier', 'picklist', { options: opts('gold_x9') })]),
  );
  p.objects[0].fields.push(field('credit_rating', 'picklist', { options: opts('aaa_hidden', 'bbb_hidden') }));
  p.profiles = [
    {
      name: 'rep',
      label: l('Rep'),
      objects: { account: { create: true, read: true, edit: true }, opportunity: { read: true } },
      fields: { account: { credit_rating: 'none', region: 'read' } },
    },
  ];
  return p;
}

let te: TestEngine;
let t: TestTenant;
let admin: string; // an admin's session
const app = () => request(te.engine.app);
const as = (token: string) => ({
  get: (p: string) => app().get(p).set('Authorization', `Bearer ${token}`),
  post: (p: string, b?: object) =>
    app()
      .post(p)
      .set('Authorization', `Bearer ${token}`)
      .send(b ?? {}),
  patch: (p: string, b?: object) =>
    app()
      .patch(p)
      .set('Authorization', `Bearer ${token}`)
      .send(b ?? {}),
  del: (p: string) => app().delete(p).set('Authorization', `Bearer ${token}`),
});
const login = (username: string, password: string, tenant = t.slug) =>
  app().post('/api/v1/auth/login').send({ tenant, username, password });
const scoped = async (scopes: TokenScope[]) => {
  const p = (await te.engine.tenants.principalForToken(admin))!;
  return (await new ApiTokens(te.engine.db.knex, te.engine.platform).create(p, { label: 'it', scopes }))
    .token;
};

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg(), 'secreg');
  await te.engine.tenants.setPassword(
    (await te.engine.tenants.findBySlug('secreg'))!,
    'admin',
    'admin-password-1',
  );
  admin = (await login('admin', 'admin-password-1')).body.data.access_token as string;
  const rep = await t.post('/api/v1/users', {
    username: 'rep1',
    displayName: 'Rep One',
    password: 'rep-password-1',
    profile: 'rep',
  });
  expect(rep.status, JSON.stringify(rep.body)).toBe(201);
});
afterAll(() => te?.close());

describe('A: a scoped token cannot reach admin endpoints by changing the case of the path', () => {
  it('POST /api/v1/Users with a read+write token creates no user', async () => {
    const rw = await scoped(['read', 'write']);
    const r = await as(rw).post('/api/v1/Users', {
      username: 'evil',
      displayName: 'Evil',
      password: 'evil-password',
      isAdmin: true,
    });
    expect(r.status).toBe(404);
    expect((await login('evil', 'evil-password')).status).toBe(401);
  });

  it.each([
    ['post', '/api/v1/Meta/purge'],
    ['post', '/api/v1/Meta/deploy'],
    ['get', '/api/v1/Tokens'],
    ['get', '/api/v1/AUDIT'],
    ['get', '/api/v1/META'],
  ] as const)('%s %s is not found', async (m, path) => {
    const rw = await scoped(['read', 'write']);
    const r = m === 'get' ? await as(rw).get(path) : await as(rw).post(path, {});
    expect(r.status).toBe(404);
  });
});

describe('B: /auth/refresh turns only sessions into sessions', () => {
  it('a scoped API token is refused with a clear code and keeps only its own scopes', async () => {
    const ro = await scoped(['read']);
    const r = await as(ro).post('/api/v1/auth/refresh');
    expect([r.status, r.body.code]).toEqual([403, 'SESSION_ONLY']);
    expect((await as(ro).get('/api/v1/data/account')).status).toBe(200);
    expect((await as(ro).post('/api/v1/tokens', { label: 'x', scopes: ['admin'] })).status).toBe(403);
  });

  it('an unscoped integration token is not refreshable either', async () => {
    const r = await as(t.token).post('/api/v1/auth/refresh');
    expect([r.status, r.body.code]).toEqual([403, 'SESSION_ONLY']);
    expect((await as(t.token).get('/api/v1/me')).status).toBe(200);
  });

  it('a refreshed session is retired, and refreshing it twice gives one session', async () => {
    const s = (await login('admin', 'admin-password-1')).body.data.access_token as string;
    const [a, b] = await Promise.all([
      as(s).post('/api/v1/auth/refresh'),
      as(s).post('/api/v1/auth/refresh'),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    expect((await as(s).get('/api/v1/me')).status).toBe(401);
  });
});

describe('F: logout, password attempts, suspension', () => {
  it('/auth/logout with an API token is refused and says why; the token is untouched', async () => {
    const ro = await scoped(['read']);
    const r = await as(ro).post('/api/v1/auth/logout');
    expect([r.status, r.body.code]).toEqual([403, 'SESSION_ONLY']);
    expect(r.body.detail).toMatch(/DELETE \/api\/v1\/tokens/);
    const full = await as(t.token).post('/api/v1/auth/logout');
    expect([full.status, full.body.code]).toEqual([403, 'SESSION_ONLY']);
  });

  it('/auth/password stops guessing after 5 wrong current passwords', async () => {
    const s = (await login('rep1', 'rep-password-1')).body.data.access_token as string;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await as(s).post('/api/v1/auth/password', {
            currentPassword: `guess-${i}-guess`,
            newPassword: 'a new password',
          })
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await as(s).post('/api/v1/auth/password', {
      currentPassword: 'rep-password-1',
      newPassword: 'a new password',
    });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('reactivating a suspended user does not revive the sessions they had', async () => {
    const u = await as(admin).post('/api/v1/users', {
      username: 'sleeper',
      displayName: 'Sleeper',
      password: 'sleeper-password',
    });
    const old = (await login('sleeper', 'sleeper-password')).body.data.access_token as string;
    expect((await as(old).get('/api/v1/me')).status).toBe(200);
    expect((await as(admin).patch(`/api/v1/users/${u.body.data.id}`, { active: false })).status).toBe(200);
    expect((await as(admin).patch(`/api/v1/users/${u.body.data.id}`, { active: true })).status).toBe(200);
    expect((await as(old).get('/api/v1/me')).status).toBe(401);
    expect((await login('sleeper', 'sleeper-password')).status).toBe(200);
  });

  it('the record team names members like /users/lookup: id and display name, never user names', async () => {
    const acc = await as(admin).post('/api/v1/data/account', { name: 'Team Co' });
    const rep = (await as(admin).get('/api/v1/users')).body.data.find(
      (u: { username: string }) => u.username === 'rep1',
    );
    expect(
      (
        await app()
          .put(`/api/v1/data/account/${acc.body.data.id}/team/${rep.id}`)
          .set('Authorization', `Bearer ${admin}`)
          .send({ access: 'read' })
      ).status,
    ).toBe(204);
    const team = await as(admin).get(`/api/v1/data/account/${acc.body.data.id}/team`);
    expect(team.status).toBe(200);
    expect(team.body.data).toEqual([
      { user_id: rep.id, name: 'Rep One', access: 'read', created_at: expect.any(String) },
    ]);
    expect(JSON.stringify(team.body)).not.toContain('rep1');
  });
});

describe('F: counting list entries', () => {
  it('more than 100 validation rules is "At most 100 items", not characters, in both languages', async () => {
    const p = pkg();
    p.objects[0].validationRules = Array.from({ length: 101 }, (_, i) => ({
      name: `rule_${i}`,
      condition: { '==': [{ var: 'name' }, `no-${i}`] },
      message: l('No.', '不行。'),
    }));
    const before = (await as(admin).get('/api/v1/meta')).body.data.version;
    for (const [lang, text] of [
      ['en', 'At most 100 items.'],
      ['zh-CN', '最多 100 项。'],
    ]) {
      const r = await as(admin).post(`/api/v1/meta/deploy?locale=${lang}`, { package: p });
      expect(r.status).toBe(422);
      const e = r.body.errors.find((x: { pointer: string }) => x.pointer === '/objects/0/validationRules');
      expect(e, JSON.stringify(r.body.errors)).toMatchObject({ code: 'TOO_MANY_ITEMS', message: text });
    }
    expect((await as(admin).get('/api/v1/meta')).body.data.version).toBe(before);
  });
});

describe('F: security headers', () => {
  it.each(['/health', '/api/v1/me', '/api/v1/nowhere', '/', '/API/v1/me'])(
    '%s carries nosniff, no framing, no referrer, a CSP',
    async (path) => {
      const r = await as(admin).get(path);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['strict-transport-security']).toContain('max-age=');
      const csp = r.headers['content-security-policy'] as string;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      if (path.startsWith('/api/')) {
        // JSON answers load nothing: the strictest policy (OWASP REST Security Cheat Sheet).
        expect(csp).toBe("default-src 'none'; frame-ancestors 'none'");
        expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
      } else {
        // The studio's documents: its own scripts only.
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("object-src 'none'");
      }
    },
  );
});

describe('D: /openapi.json is trimmed to the caller', () => {
  it('a rep sees neither hidden fields, their picklist values, nor objects they cannot open', async () => {
    await as(admin).post('/api/v1/users', {
      username: 'rep2',
      displayName: 'Rep Two',
      password: 'rep-password-2',
      profile: 'rep',
    });
    const rep = (await login('rep2', 'rep-password-2')).body.data.access_token as string;
    const doc = await as(rep).get('/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    const text = JSON.stringify(doc.body);
    for (const hidden of ['credit_rating', 'aaa_hidden', 'secret_deal', 'gold_x9'])
      expect(text).not.toContain(hidden);
    const schemas = doc.body.components.schemas;
    expect(Object.keys(schemas.account.properties)).toContain('region');
    // What the rep may read but not write is not in the write schema; objects they may only read have no writes.
    expect(Object.keys(schemas.account_write.properties)).not.toContain('region');
    expect(schemas.account_write.properties.industry).toBeDefined();
    expect(doc.body.paths['/api/v1/data/opportunity'].post).toBeUndefined();
    expect(doc.body.paths['/api/v1/data/opportunity/{id}'].patch).toBeUndefined();
    expect(doc.body.paths['/api/v1/data/account/{id}'].delete).toBeUndefined();
    expect(doc.body.paths['/api/v1/data/account'].post).toBeDefined();
    // The admin's document has everything.
    const full = JSON.stringify((await as(admin).get('/api/v1/openapi.json')).body);
    for (const shown of ['credit_rating', 'aaa_hidden', 'secret_deal', 'gold_x9'])
      expect(full).toContain(shown);
  });
});
