import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef, VisibleModel, VisibleObject } from '../../engine/src/core/model.js';
import { standardPackage } from '../../engine/src/tenancy/standard-package.js';
import demoData from '../../seeds/demo-data.json' with { type: 'json' };
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { l } from '../helpers/packages.js';

/**
 * GET /meta/objects (the model as a user may see it) and GET /users/lookup (names only), for
 * the demo sales organisation on the standard objects.
 */
const SLUG = 'visible';
const PASSWORD = 'demo-password-1';

/** The standard package, with one account field hidden from reps and a profile that reads leads only. */
function pkg(): PackageDef {
  const p = standardPackage();
  const rep = p.profiles!.find((x) => x.name === 'sales_rep')!;
  rep.fields = { ...rep.fields, account: { ...rep.fields?.account, annual_revenue: 'none' } };
  p.profiles!.push({ name: 'lead_desk', label: l('Lead desk'), objects: { lead: { read: true } } });
  return p;
}

let te: TestEngine;
let admin: TestTenant;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
const as = (user: string) => ({
  get: (path: string) => request(te.engine.app).get(path).set('Authorization', `Bearer ${tokens[user]}`),
  post: (path: string, body: object) =>
    request(te.engine.app).post(path).set('Authorization', `Bearer ${tokens[user]}`).send(body),
});

beforeAll(async () => {
  te = await startEngine();
  admin = await te.tenant(pkg(), SLUG);
  const people = [
    ...demoData.users,
    { username: 'intern', displayName: 'Intern 100%', role: null, profile: 'lead_desk' },
    { username: 'gone', displayName: 'Former Rep', role: 'sales_rep_east', profile: 'sales_rep' },
  ];
  for (const u of people) {
    const r = await admin.post('/api/v1/users', { ...u, password: PASSWORD });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    ids[u.username] = r.body.data.id as string;
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: SLUG, username: u.username, password: PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    tokens[u.username] = login.body.data.access_token as string;
  }
  expect((await admin.patch(`/api/v1/users/${ids.gone}`, { active: false })).status).toBe(200);
});
afterAll(() => te?.close());

const objectOf = (m: VisibleModel, name: string) => m.objects.find((o) => o.name === name)!;
const fieldOf = (o: VisibleObject, name: string) => o.fields.find((f) => f.name === name);

describe('GET /meta/objects', () => {
  it('gives a sales rep the readable objects and fields, with field access and object permissions', async () => {
    const r = await as('rep_east1').get('/api/v1/meta/objects');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.headers.etag).toBe('"m1-p-sales_rep"');
    const m = r.body.data as VisibleModel;
    expect(m.version).toBe(1);
    expect(m.objects.map((o) => o.name)).toEqual(standardPackage().objects.map((o) => o.name));

    const account = objectOf(m, 'account');
    // Hidden by field-level security: absent from the fields and from the layout.
    expect(fieldOf(account, 'annual_revenue')).toBeUndefined();
    const placed = (account.layout!.sections as { fields: string[] }[]).flatMap((s) => s.fields);
    expect(placed).not.toContain('annual_revenue');
    expect(placed).toContain('employees');
    // Read-only by field-level security, editable, and computed.
    expect(fieldOf(account, 'tax_id')!.access).toEqual({ read: true, edit: false });
    expect(fieldOf(account, 'name')!.access).toEqual({ read: true, edit: true });
    expect(fieldOf(account, 'account_number')!.access).toEqual({ read: true, edit: false });
    expect(account.permissions).toEqual({
      create: true,
      read: true,
      edit: true,
      delete: false,
      transfer: false,
    });
    // Labels in both languages, picklist options with theirs.
    expect(account.label).toEqual({ en: 'Account', 'zh-CN': '客户' });
    const industry = fieldOf(account, 'industry')!;
    expect(industry.options!.length).toBeGreaterThan(3);
    expect(Object.keys(industry.options![0].label).sort()).toEqual(['en', 'zh-CN']);

    // Objects the profile reads but does not change: every field read-only.
    const contract = objectOf(m, 'contract');
    expect(contract.permissions).toEqual({
      create: false,
      read: true,
      edit: false,
      delete: false,
      transfer: false,
    });
    expect(contract.fields.every((f) => !f.access.edit)).toBe(true);
    // Nothing the engine alone evaluates reaches the screen.
    for (const o of m.objects)
      for (const f of o.fields) {
        expect(f).not.toHaveProperty('expression');
        expect(f).not.toHaveProperty('defaultExpression');
      }
    expect(account).not.toHaveProperty('sharing');
  });

  it('matches the profile: a manager may delete, a lead desk sees leads only, no profile sees nothing', async () => {
    const mgr = (await as('mgr_east').get('/api/v1/meta/objects')).body.data as VisibleModel;
    expect(objectOf(mgr, 'account').permissions).toEqual({
      create: true,
      read: true,
      edit: true,
      delete: true,
      transfer: true,
    });
    expect(fieldOf(objectOf(mgr, 'account'), 'annual_revenue')!.access).toEqual({ read: true, edit: true });

    const desk = await as('intern').get('/api/v1/meta/objects');
    expect(desk.headers.etag).toBe('"m1-p-lead_desk"');
    const m = desk.body.data as VisibleModel;
    expect(m.objects.map((o) => o.name)).toEqual(['lead']);
    expect(m.objects[0].permissions).toEqual({
      create: false,
      read: true,
      edit: false,
      delete: false,
      transfer: false,
    });

    const r = await admin.post('/api/v1/users', {
      username: 'nobody',
      displayName: 'No Profile',
      password: PASSWORD,
    });
    expect(r.status).toBe(201);
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: SLUG, username: 'nobody', password: PASSWORD });
    const none = await request(te.engine.app)
      .get('/api/v1/meta/objects')
      .set('Authorization', `Bearer ${login.body.data.access_token as string}`);
    expect(none.status).toBe(200);
    expect(none.body.data.objects).toEqual([]);
  });

  it('gives an administrator every object and field', async () => {
    const r = await admin.get('/api/v1/meta/objects');
    expect(r.status).toBe(200);
    expect(r.headers.etag).toBe('"m1-admin"');
    const m = r.body.data as VisibleModel;
    const full = standardPackage();
    expect(m.objects.map((o) => o.name)).toEqual(full.objects.map((o) => o.name));
    for (const o of full.objects)
      expect(objectOf(m, o.name).fields.map((f) => f.name)).toEqual(o.fields.map((f) => f.name));
    const account = objectOf(m, 'account');
    expect(account.permissions).toEqual({
      create: true,
      read: true,
      edit: true,
      delete: true,
      transfer: true,
    });
    expect(fieldOf(account, 'annual_revenue')!.access).toEqual({ read: true, edit: true });
    expect(fieldOf(account, 'account_number')!.access).toEqual({ read: true, edit: false });
  });

  it('answers 304 to If-None-Match, and a new ETag after a deploy', async () => {
    const first = await as('rep_east2').get('/api/v1/meta/objects');
    const tag = first.headers.etag as string;
    const again = await as('rep_east2').get('/api/v1/meta/objects').set('If-None-Match', tag);
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(tag);
    expect(again.text).toBe('');
    const listed = await as('rep_east2')
      .get('/api/v1/meta/objects')
      .set('If-None-Match', `"m0-admin", W/${tag}`);
    expect(listed.status).toBe(304);
    // Another profile's tag is another body.
    const other = await as('mgr_east').get('/api/v1/meta/objects').set('If-None-Match', tag);
    expect(other.status).toBe(200);

    const account = standardPackage().objects.find((o) => o.name === 'account')!;
    account.fields.push({ name: 'wechat', label: l('WeChat', '微信'), type: 'text' });
    const d = await admin.put('/api/v1/meta/objects/account', account);
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    const after = await as('rep_east2').get('/api/v1/meta/objects').set('If-None-Match', tag);
    expect(after.status).toBe(200);
    expect(after.headers.etag).toBe(`"m${d.body.data.version as number}-p-sales_rep"`);
    expect(fieldOf(objectOf(after.body.data, 'account'), 'wechat')!.access).toEqual({
      read: true,
      edit: true,
    });
  });

  it('refuses the unauthenticated with a 401 problem, and keeps /meta itself for admins', async () => {
    const r = await request(te.engine.app).get('/api/v1/meta/objects').set('Accept-Language', 'zh-CN');
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', type: expect.any(String) });
    expect(r.body.detail).toMatch(/请登录/);
    const meta = await as('rep_east1').get('/api/v1/meta');
    expect([meta.status, meta.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await as('rep_east1').get('/api/v1/meta/objects?locale=en&extra=1')).body.code).toBe(
      'UNKNOWN_PARAMETER',
    );
  });

  it('is reachable with a read-scoped token, which still cannot read /meta', async () => {
    const made = await as('rep_east1').post('/api/v1/tokens', { label: 'ro', scopes: ['read'] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const ro = made.body.data.token as string;
    const get = (p: string) => request(te.engine.app).get(p).set('Authorization', `Bearer ${ro}`);
    expect((await get('/api/v1/meta/objects')).status).toBe(200);
    expect((await get(`/api/v1/users/lookup?ids=${ids.director}`)).status).toBe(200);
    const meta = await get('/api/v1/meta');
    expect([meta.status, meta.body.code]).toEqual([403, 'TOKEN_SCOPE']);
  });
});

describe('GET /users/lookup', () => {
  it('names users by id, and nothing else about them', async () => {
    const want = [ids.director, ids.rep_east1, ids.gone, '00000000-0000-4000-8000-000000000000'];
    const r = await as('rep_north1').get(`/api/v1/users/lookup?ids=${want.join(',')}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const data = r.body.data as { id: string; name: string }[];
    for (const u of data) expect(Object.keys(u).sort()).toEqual(['id', 'name']);
    expect(Object.fromEntries(data.map((u) => [u.id, u.name]))).toEqual({
      [ids.director]: '王建国 (National Sales Director)',
      [ids.rep_east1]: '陈静 (Sales Rep, East)',
      // Suspended users still own records: they keep their name.
      [ids.gone]: 'Former Rep',
    });
    expect(JSON.stringify(r.body)).not.toMatch(/rep_east1|sales_rep|is_admin|email/);
  });

  it('searches active users by the start of a name, a word of it, or the user name', async () => {
    const names = async (q: string) => {
      const r = await as('rep_north1').get(`/api/v1/users/lookup?q=${encodeURIComponent(q)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      for (const u of r.body.data) expect(Object.keys(u).sort()).toEqual(['id', 'name']);
      return (r.body.data as { name: string }[]).map((u) => u.name).sort();
    };
    expect(await names('陈')).toEqual(['陈静 (Sales Rep, East)']);
    expect(await names('rep_east')).toEqual(['刘洋 (Sales Rep, East)', '陈静 (Sales Rep, East)'].sort());
    // A word of the display name ("… (Sales Rep, East)"), or the user name (rep_…).
    expect(await names('Rep')).toEqual(
      [
        '刘洋 (Sales Rep, East)',
        '孙磊 (Sales Rep, North)',
        '赵敏 (Sales Rep, North)',
        '陈静 (Sales Rep, East)',
      ].sort(),
    );
    expect(await names('Former')).toEqual([]); // suspended
    // % and _ are characters, not wildcards.
    expect(await names('10%')).toEqual([]);
    expect(await names('100%')).toEqual(['Intern 100%']);
    expect(await names('_')).toEqual([]);
    expect((await names('')).length).toBeGreaterThanOrEqual(9);
  });

  it("never names another tenant's users, by id or by search", async () => {
    const other = await te.tenant(pkg(), 'other_co');
    const made = await other.post('/api/v1/users', {
      username: 'outsider',
      displayName: 'Outsider Zed',
      profile: 'sales_rep',
      password: PASSWORD,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const byId = await as('rep_north1').get(
      `/api/v1/users/lookup?ids=${made.body.data.id},${other.adminUserId}`,
    );
    expect(byId.status).toBe(200);
    expect(byId.body.data).toEqual([]);
    const bySearch = await as('rep_north1').get('/api/v1/users/lookup?q=Outsider');
    expect(bySearch.status).toBe(200);
    expect(bySearch.body.data).toEqual([]);
  });

  it('refuses bad ids, too many ids, and unclear questions with a 400 problem', async () => {
    const bad = await as('rep_east1')
      .get(`/api/v1/users/lookup?ids=${ids.director},not-a-uuid`)
      .set('Accept-Language', 'zh-CN');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body).toMatchObject({ code: 'BAD_USER_ID', status: 400 });
    expect(bad.body.detail).toContain('not-a-uuid');

    const many = Array.from(
      { length: 201 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const tooMany = await as('rep_east1').get(`/api/v1/users/lookup?ids=${many.join(',')}`);
    expect([tooMany.status, tooMany.body.code]).toEqual([400, 'TOO_MANY_IDS']);
    expect(tooMany.body.detail).toContain('200');
    const enough = await as('rep_east1').get(`/api/v1/users/lookup?ids=${many.slice(1).join(',')}`);
    expect([enough.status, enough.body.data]).toEqual([200, []]);

    for (const qs of ['', '?ids=', `?ids=${ids.director}&q=x`, `?q=${'x'.repeat(101)}`]) {
      const r = await as('rep_east1').get(`/api/v1/users/lookup${qs}`);
      expect([r.status, r.body.code], qs).toEqual([400, 'USER_LOOKUP_ARGS']);
    }
    expect((await as('rep_east1').get('/api/v1/users/lookup?name=x')).body.code).toBe('UNKNOWN_PARAMETER');
    expect((await request(te.engine.app).get('/api/v1/users/lookup?q=a')).status).toBe(401);
  });

  it('keeps the user list and user changes for administrators', async () => {
    const list = await as('rep_east1').get('/api/v1/users');
    expect([list.status, list.body.code]).toEqual([403, 'FORBIDDEN']);
    const make = await as('mgr_east').post('/api/v1/users', { username: 'x', displayName: 'X' });
    expect([make.status, make.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await admin.get('/api/v1/users')).status).toBe(200);
  });
});
