import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { ALLOW_ALL } from '../../engine/src/records/access.js';
import { dbRoleOf } from '../../engine/src/tenancy/tenants.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, salesPackage } from '../helpers/packages.js';

/** The sales package with a role hierarchy, two profiles and sharing settings. */
function securedPackage(): PackageDef {
  const pkg = salesPackage();
  pkg.objects.push(object('secret_deal', [field('name', 'text')]));
  pkg.objects[0].sharing = {
    default: 'private',
    rules: [
      {
        name: 'east_accounts',
        filter: { region: { eq: 'east' } },
        role: 'manager_east',
        includeSubordinates: true,
        access: 'read',
      },
    ],
  };
  pkg.objects[1].sharing = { default: 'private' };
  pkg.roles = [
    { name: 'director', label: l('Director') },
    { name: 'manager_east', label: l('Manager East'), parent: 'director' },
    { name: 'manager_north', label: l('Manager North'), parent: 'director' },
    { name: 'rep_east', label: l('Rep East'), parent: 'manager_east' },
    { name: 'rep_north', label: l('Rep North'), parent: 'manager_north' },
  ];
  const crud = { create: true, read: true, edit: true };
  pkg.profiles = [
    {
      name: 'rep',
      label: l('Rep'),
      objects: { account: crud, opportunity: crud },
      fields: { opportunity: { description: 'none', probability: 'read' } },
    },
    {
      name: 'manager',
      label: l('Manager'),
      objects: { account: { ...crud, delete: true }, opportunity: { ...crud, delete: true } },
    },
  ];
  return pkg;
}

let te: TestEngine;
let admin: TestTenant;
let other: TestTenant;
const as: Record<
  string,
  (m: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string, body?: object) => request.Test
> = {};
const users: [string, string, string][] = [
  ['director', 'director', 'manager'],
  ['mgr_east', 'manager_east', 'manager'],
  ['mgr_north', 'manager_north', 'manager'],
  ['rep_east1', 'rep_east', 'rep'],
  ['rep_east2', 'rep_east', 'rep'],
  ['rep_north', 'rep_north', 'rep'],
];
const ids: Record<string, string> = {};

beforeAll(async () => {
  te = await startEngine();
  admin = await te.tenant(securedPackage(), 'sec_a');
  other = await te.tenant(securedPackage(), 'sec_b');
  for (const [username, role, profile] of users) {
    const r = await admin.post('/api/v1/users', {
      username,
      displayName: username,
      password: 'password-' + username,
      role,
      profile,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: 'sec_a', username, password: 'password-' + username });
    const token = login.body.data.access_token as string;
    as[username] = (m, path, body) => {
      const t = request(te.engine.app)[m](path).set('Authorization', `Bearer ${token}`);
      return body ? t.send(body) : t;
    };
  }
  const create = async (user: string, name: string, extra: object = {}) => {
    const r = await as[user]('post', '/api/v1/data/opportunity', { name, amount: 1000, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.data.id as string;
  };
  ids.a = await create('rep_east1', 'A');
  ids.b = await create('rep_east2', 'B');
  ids.c = await create('rep_north', 'C');
});
afterAll(() => te?.close());

const names = (r: request.Response) => (r.body.data as { name: string }[]).map((x) => x.name).sort();

describe('role hierarchy and private records', () => {
  it('each user sees their own records and those of the roles below theirs', async () => {
    expect(names(await as.rep_east1('get', '/api/v1/data/opportunity'))).toEqual(['A']);
    expect(names(await as.rep_east2('get', '/api/v1/data/opportunity'))).toEqual(['B']);
    expect(names(await as.mgr_east('get', '/api/v1/data/opportunity'))).toEqual(['A', 'B']);
    expect(names(await as.mgr_north('get', '/api/v1/data/opportunity'))).toEqual(['C']);
    expect(names(await as.director('get', '/api/v1/data/opportunity'))).toEqual(['A', 'B', 'C']);
  });

  it("a peer cannot read, change or delete another rep's record, by any path", async () => {
    expect((await as.rep_east2('get', `/api/v1/data/opportunity/${ids.a}`)).status).toBe(404);
    expect(
      (await as.rep_east2('patch', `/api/v1/data/opportunity/${ids.a}`, { name: 'hijacked' })).status,
    ).toBe(404);
    // Reps may not delete at all: refused before any row is looked at, so it tells nothing about the id.
    const del = await as.rep_east2('delete', `/api/v1/data/opportunity/${ids.a}`);
    expect([del.status, del.body.code]).toEqual([403, 'NO_OBJECT_ACCESS']);
    expect((await as.mgr_north('delete', `/api/v1/data/opportunity/${ids.a}`)).status).toBe(404);
    const byFilter = await as.rep_east2(
      'get',
      '/api/v1/data/opportunity?filter=' + encodeURIComponent(JSON.stringify({ id: { eq: ids.a } })),
    );
    expect(byFilter.body.data).toEqual([]);
    const agg = await as.rep_east2('post', '/api/v1/data/opportunity/aggregate', {
      metrics: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }],
    });
    expect(agg.body.data).toEqual([{ count: 1, sum_amount: 1000 }]);
    const batch = await as.rep_east2('post', '/api/v1/data/opportunity/batch', {
      operations: [{ op: 'update', id: ids.a, data: { name: 'x' } }],
    });
    expect(batch.status).toBe(404);
    const a = await admin.get(`/api/v1/data/opportunity/${ids.a}`);
    expect(a.body.data).toMatchObject({ name: 'A', version: 1 });
  });

  it('a manager edits a subordinate record', async () => {
    const r = await as.mgr_east('patch', `/api/v1/data/opportunity/${ids.a}`, { stage: 'negotiation' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data.stage).toBe('negotiation');
  });

  it('an object the profile does not grant is refused', async () => {
    const r = await as.rep_east1('get', '/api/v1/data/secret_deal');
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('NO_OBJECT_ACCESS');
    expect((await as.rep_east1('post', '/api/v1/data/secret_deal', { name: 'x' })).status).toBe(403);
  });
});

describe('field-level security', () => {
  it('a field the user may not read never appears, and cannot be filtered, sorted or selected', async () => {
    await admin.patch(`/api/v1/data/opportunity/${ids.a}`, { description: 'confidential margin 42%' });
    const got = await as.rep_east1('get', `/api/v1/data/opportunity/${ids.a}`);
    expect(got.status).toBe(200);
    expect(got.body.data).not.toHaveProperty('description');
    const probe = (q: string) => as.rep_east1('get', `/api/v1/data/opportunity?${q}`);
    expect(
      (await probe('filter=' + encodeURIComponent(JSON.stringify({ description: { contains: 'margin' } }))))
        .status,
    ).toBe(400);
    expect((await probe('sort=description')).status).toBe(400);
    expect((await probe('fields=name,description')).status).toBe(400);
    const agg = await as.rep_east1('post', '/api/v1/data/opportunity/aggregate', {
      groupBy: ['description'],
    });
    expect(agg.status).toBe(400);
  });

  it('a read-only field cannot be written, and nothing changes', async () => {
    const r = await as.rep_east1('patch', `/api/v1/data/opportunity/${ids.a}`, {
      probability: 90,
      name: 'A2',
    });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ pointer: '/probability', code: 'FIELD_NOT_EDITABLE' }),
    ]);
    expect((await admin.get(`/api/v1/data/opportunity/${ids.a}`)).body.data.name).toBe('A');
  });
});

describe('sharing rules and expand', () => {
  it('east accounts are shared read-only with the east team, including subordinates', async () => {
    const acc = await as.rep_north('post', '/api/v1/data/account', { name: 'East Co', region: 'east' });
    const north = await as.rep_north('post', '/api/v1/data/account', { name: 'North Co', region: 'north' });
    expect(acc.status).toBe(201);
    expect(names(await as.rep_east1('get', '/api/v1/data/account'))).toEqual(['East Co']);
    const edit = await as.rep_east1('patch', `/api/v1/data/account/${acc.body.data.id}`, {
      name: 'mine now',
    });
    expect(edit.status).toBe(403);
    expect(edit.body.code).toBe('NO_RECORD_ACCESS');
    // rep_east1 may not link an account they cannot see (lookup-access.test.ts has the details)…
    const refused = await as.rep_east1('post', '/api/v1/data/opportunity', {
      name: 'D',
      account: north.body.data.id,
    });
    expect([refused.status, refused.body.errors?.[0]?.code]).toEqual([422, 'LOOKUP_NOT_FOUND']);
    // …but an administrator may, and shares the deal with them: expand keeps the bare id.
    const opp = await admin.post('/api/v1/data/opportunity', { name: 'D', account: north.body.data.id });
    expect(opp.status, JSON.stringify(opp.body)).toBe(201);
    const east1 = (await admin.get('/api/v1/users')).body.data.find(
      (u: { username: string }) => u.username === 'rep_east1',
    ).id;
    await admin
      .put(`/api/v1/data/opportunity/${opp.body.data.id}/team/${east1}`, { access: 'read' })
      .expect(204);
    const expanded = await as.rep_east1('get', `/api/v1/data/opportunity/${opp.body.data.id}?expand=account`);
    expect(expanded.body.data.account).toBe(north.body.data.id);
    // A list reads the related row in its own statement: the same row access applies there.
    const listed = await as.rep_east1(
      'get',
      `/api/v1/data/opportunity?expand=account&filter=${encodeURIComponent(JSON.stringify({ id: opp.body.data.id }))}`,
    );
    expect(listed.body.data.map((o: { account: unknown }) => o.account)).toEqual([north.body.data.id]);
    const ownAccount = await admin.post('/api/v1/data/opportunity', { name: 'E', account: acc.body.data.id });
    await admin
      .put(`/api/v1/data/opportunity/${ownAccount.body.data.id}/team/${east1}`, { access: 'read' })
      .expect(204);
    const both = await as.rep_east1(
      'get',
      `/api/v1/data/opportunity?expand=account&sort=name&filter=${encodeURIComponent(JSON.stringify({ name: { in: ['D', 'E'] } }))}`,
    );
    expect(both.body.data.map((o: { name: string; account: unknown }) => [o.name, o.account])).toEqual([
      ['D', north.body.data.id],
      ['E', expect.objectContaining({ id: acc.body.data.id, name: 'East Co' })],
    ]);
    const visible = await as.rep_north('get', `/api/v1/data/opportunity/${opp.body.data.id}?expand=account`);
    expect(visible.status).toBe(404);
  });
});

describe('record teams', () => {
  it('an owner adds a colleague to a record for reading, and takes them off again', async () => {
    const userId = (name: string) =>
      admin
        .get('/api/v1/users')
        .then(
          (r) => (r.body.data as { id: string; username: string }[]).find((u) => u.username === name)!.id,
        );
    const north = await userId('rep_north');
    expect((await as.rep_north('get', `/api/v1/data/opportunity/${ids.b}`)).status).toBe(404);
    const add = await as.rep_east2('put', `/api/v1/data/opportunity/${ids.b}/team/${north}`, {
      access: 'read',
    });
    expect(add.status, JSON.stringify(add.body)).toBe(204);
    expect((await as.rep_north('get', `/api/v1/data/opportunity/${ids.b}`)).status).toBe(200);
    expect((await as.rep_north('patch', `/api/v1/data/opportunity/${ids.b}`, { name: 'B?' })).status).toBe(
      403,
    );
    // Only someone who may edit the record manages its team.
    expect(
      (await as.rep_north('put', `/api/v1/data/opportunity/${ids.b}/team/${north}`, { access: 'edit' }))
        .status,
    ).toBe(403);
    expect(
      (await as.rep_east2('put', `/api/v1/data/opportunity/${ids.b}/team/${north}`, { access: 'owner' }))
        .status,
    ).toBe(422);
    const team = await as.rep_east2('get', `/api/v1/data/opportunity/${ids.b}/team`);
    expect(team.body.data).toEqual([expect.objectContaining({ name: 'rep_north', access: 'read' })]);
    expect((await as.rep_east2('delete', `/api/v1/data/opportunity/${ids.b}/team/${north}`)).status).toBe(
      204,
    );
    expect((await as.rep_north('get', `/api/v1/data/opportunity/${ids.b}`)).status).toBe(404);
  });
});

describe('mass assignment and tenants', () => {
  it('system fields in a body are refused and nothing is written', async () => {
    const before = (await admin.post('/api/v1/data/opportunity/aggregate', { metrics: [{ fn: 'count' }] }))
      .body.data[0].count;
    for (const body of [
      { owner: te.engine.platform },
      { created_by: ids.a },
      { version: 99 },
      { id: ids.a },
      { updated_at: '2020-01-01T00:00:00Z' },
    ]) {
      const r = await as.rep_east1('post', '/api/v1/data/opportunity', { name: 'mass', ...body });
      expect(r.status).toBe(422);
      expect(r.body.errors[0].code).toBe('READ_ONLY_FIELD');
    }
    expect(
      (await admin.post('/api/v1/data/opportunity/aggregate', { metrics: [{ fn: 'count' }] })).body.data[0]
        .count,
    ).toBe(before);
  });

  it('another tenant reaches nothing by guessed ids', async () => {
    expect((await other.get(`/api/v1/data/opportunity/${ids.a}`)).status).toBe(404);
    expect((await other.patch(`/api/v1/data/opportunity/${ids.a}`, { name: 'x' })).status).toBe(404);
    expect((await other.del(`/api/v1/data/opportunity/${ids.a}`)).status).toBe(404);
    expect((await other.get('/api/v1/data/opportunity')).body.data).toEqual([]);
    expect((await admin.get(`/api/v1/data/opportunity/${ids.a}`)).body.data.name).toBe('A');
  });

  it('the database refuses a cross-tenant read even when the application check is gone', async () => {
    const a = (await te.engine.tenants.findBySlug('sec_a'))!;
    const b = (await te.engine.tenants.findBySlug('sec_b'))!;
    // An application bug: tenant B's request built with tenant A's schema. The B role has no access.
    const scope = {
      tenantId: b.id,
      schema: a.schema,
      actor: other.adminUserId,
      model: await te.engine.models.get(b.id),
      access: ALLOW_ALL,
      dbRole: dbRoleOf(b),
    };
    await expect(te.engine.records.list(scope, 'opportunity', {})).rejects.toMatchObject({ code: '42501' });
    await expect(te.engine.records.create(scope, 'opportunity', { name: 'planted' })).rejects.toMatchObject({
      code: '42501',
    });
    // The same request under A's own role works: the fence is the role, not the query.
    const ok = await te.engine.records.list({ ...scope, dbRole: dbRoleOf(a) }, 'opportunity', {});
    expect(ok.data.length).toBeGreaterThan(0);
  });
});

describe('hostile payloads', () => {
  it('refuses oversized and deeply nested JSON before doing any work', async () => {
    const count = async () =>
      (await admin.post('/api/v1/data/opportunity/aggregate', { metrics: [{ fn: 'count' }] })).body.data[0]
        .count;
    const before = await count();
    const big = await admin.post('/api/v1/data/opportunity', {
      name: 'x',
      description: 'a'.repeat(1_100_000),
    });
    expect([big.status, big.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    let deep: object = { leaf: 1 };
    for (let i = 0; i < 100; i++) deep = { n: deep };
    const nested = await admin.post('/api/v1/data/opportunity', { name: 'x', description: deep });
    expect([nested.status, nested.body.code]).toEqual([400, 'JSON_TOO_DEEP']);
    // The limit is 32 levels, the body itself the first: objects and lists count alike.
    const levels = (n: number, list: boolean) => {
      let v: unknown = list ? [] : {};
      for (let i = 1; i < n; i++) v = list ? [v] : { n: v };
      return v;
    };
    for (const list of [false, true]) {
      const at32 = await admin.post('/api/v1/data/opportunity', { name: 'x', description: levels(31, list) });
      expect([at32.status, at32.body.code]).toEqual([422, 'VALIDATION_FAILED']);
      const at33 = await admin.post('/api/v1/data/opportunity', { name: 'x', description: levels(32, list) });
      expect([at33.status, at33.body.code]).toEqual([400, 'JSON_TOO_DEEP']);
    }
    const bad = await request(te.engine.app)
      .post('/api/v1/data/opportunity')
      .set('Authorization', `Bearer ${admin.token}`)
      .set('Content-Type', 'application/json')
      .send('{"name": ');
    expect([bad.status, bad.body.code]).toEqual([400, 'INVALID_JSON']);
    expect(await count()).toBe(before);
  });

  it('reads a batch or metadata body of up to 8 MB, and any other body only up to 1 MB', async () => {
    // 40 records of 30,000 characters: 1.2 MB, over the 1 MB every other route reads.
    const records = Array.from({ length: 40 }, (_, i) => ({
      name: `bulk ${i}`,
      description: 'd'.repeat(30_000),
    }));
    const batch = await admin.post('/api/v1/data/opportunity/batch', { records });
    expect(batch.status, JSON.stringify(batch.body).slice(0, 300)).toBe(200);
    expect(batch.body.meta.count).toBe(40);
    // The same bytes elsewhere: refused before any route runs (the batch's path in odd case too).
    for (const path of ['/api/v1/data/opportunity', '/api/v1/data/opportunity/BATCH', '/api/v1/users'])
      expect((await admin.post(path, { records })).status, path).toBe(413);
    // Over 8 MB even a batch is refused, and nothing of it is saved.
    const huge = Array.from({ length: 300 }, (_, i) => ({
      name: `huge ${i}`,
      description: 'd'.repeat(30_000),
    }));
    const refused = await admin.post('/api/v1/data/opportunity/batch', { records: huge });
    expect([refused.status, refused.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const saved = await admin.post('/api/v1/data/opportunity/aggregate', {
      metrics: [{ fn: 'count' }],
      filter: { name: { startsWith: 'huge' } },
    });
    expect(saved.body.data[0].count).toBe(0);
    // Metadata (a tenant's whole package) is read up to 8 MB too: a plan (a dry run) of 1.2 MB.
    const bigMeta = await admin.post('/api/v1/meta/plan', {
      package: { objects: [] },
      note: 'n'.repeat(1_200_000),
    });
    expect(bigMeta.status, JSON.stringify(bigMeta.body).slice(0, 300)).toBe(200);
  });

  it('treats injection attempts in object names, fields, sort and filter as plain bad input', async () => {
    const probes = [
      '/api/v1/data/opportunity%22%3Bdrop%20table%20account--',
      '/api/v1/data/opportunity?sort=' + encodeURIComponent('name;drop table account'),
      '/api/v1/data/opportunity?fields=' + encodeURIComponent('name,(select 1)'),
      '/api/v1/data/opportunity?filter=' +
        encodeURIComponent(JSON.stringify({ 'name"; drop table account; --': { eq: 1 } })),
      '/api/v1/data/opportunity?filter=' + encodeURIComponent(JSON.stringify({ name: { 'eq; drop': 'x' } })),
      '/api/v1/data/opportunity?filter=' + encodeURIComponent(JSON.stringify({ 't1.password': { eq: 'x' } })),
    ];
    for (const p of probes) {
      const r = await admin.get(p);
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(r.status, p).toBeLessThan(500);
      expect(JSON.stringify(r.body)).not.toMatch(/syntax error|pg_|relation "/i);
    }
    const value = await admin.get(
      '/api/v1/data/account?filter=' + encodeURIComponent(JSON.stringify({ name: { eq: "x' or '1'='1" } })),
    );
    expect([value.status, value.body.data]).toEqual([200, []]);
    const agg = await admin.post('/api/v1/data/opportunity/aggregate', {
      metrics: [{ fn: 'if(1=2,sleep(1),sleep(3)) and sum', field: 'amount' }],
    });
    expect(agg.status).toBe(400);
    expect((await admin.get('/api/v1/data/account')).status).toBe(200);
  });
});

describe('search', () => {
  it('matches readable text fields only, so it is no oracle for hidden ones', async () => {
    const hit = await as.rep_east1('get', '/api/v1/data/opportunity?search=' + encodeURIComponent('A'));
    expect(hit.status).toBe(200);
    expect(names(hit)).toContain('A');
    // description is hidden from reps: searching its words finds nothing, exactly like a miss.
    const probe = await as.rep_east1(
      'get',
      '/api/v1/data/opportunity?search=' + encodeURIComponent('confidential'),
    );
    expect(probe.body.data).toEqual([]);
    const adminHit = await admin.get('/api/v1/data/opportunity?search=' + encodeURIComponent('%'));
    expect(adminHit.body.data).toEqual([]);
  });
});
