import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, salesPackage } from '../helpers/packages.js';

/**
 * GET /api/v1/search: the header search over every object the caller may read, with the caller's
 * access: objects, fields and records they may not read are never searched nor shown.
 */
let te: TestEngine;
let t: TestTenant;
let rep: (path: string) => request.Test;

function pkg(): PackageDef {
  const p = salesPackage();
  p.objects[0].sharing = { default: 'public_read' };
  p.objects[1].sharing = { default: 'private' };
  p.objects.push(object('secret_deal', [field('name', 'text')]));
  p.objects[1].fields.push(field('code_name', 'text'));
  p.roles = [{ name: 'rep', label: l('Rep') }];
  p.profiles = [
    {
      name: 'rep',
      label: l('Rep'),
      objects: { account: { read: true }, opportunity: { read: true, create: true, edit: true } },
      fields: { opportunity: { code_name: 'none' } },
    },
  ];
  return p;
}

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg(), 'searchco');
  await t
    .post('/api/v1/users', {
      username: 'rep',
      displayName: 'Rep',
      password: 'rep-password',
      role: 'rep',
      profile: 'rep',
    })
    .expect(201);
  const token = (
    await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username: 'rep', password: 'rep-password' })
  ).body.data.access_token as string;
  rep = (path) => request(te.engine.app).get(path).set('Authorization', `Bearer ${token}`);
  await t.post('/api/v1/data/account', { name: 'Harbour Logistics' }).expect(201);
  await t.post('/api/v1/data/account', { name: 'Harbour Foods' }).expect(201);
  await t.post('/api/v1/data/secret_deal', { name: 'Harbour takeover' }).expect(201);
  // The admin's own deal: private, so the rep may not read it.
  await t.post('/api/v1/data/opportunity', { name: 'Harbour expansion' }).expect(201);
});
afterAll(() => te?.close());

type Group = { object: string; records: { id: string; name: string | null }[]; more: boolean };
const byObject = (r: request.Response) =>
  Object.fromEntries((r.body.data as Group[]).map((g) => [g.object, g.records.map((x) => x.name).sort()]));

describe('global search', () => {
  it('finds across every object for an administrator, grouped by object, each record by name', async () => {
    const r = await t.get('/api/v1/search?q=harbour').expect(200);
    expect(byObject(r)).toEqual({
      account: ['Harbour Foods', 'Harbour Logistics'],
      opportunity: ['Harbour expansion'],
      secret_deal: ['Harbour takeover'],
    });
    expect(r.headers['cache-control']).toContain('no-store');
  });

  it('a rep finds only what they may read: no object, field or record beyond their access', async () => {
    const r = await rep('/api/v1/search?q=harbour').expect(200);
    // secret_deal: no read permission; the admin's opportunity: private to the admin.
    expect(byObject(r)).toEqual({ account: ['Harbour Foods', 'Harbour Logistics'] });
    // A field the rep may not read is not searched either.
    await t.post('/api/v1/data/opportunity', { name: 'Plain deal', code_name: 'Zeppelin' }).expect(201);
    expect((await t.get('/api/v1/search?q=zeppelin').expect(200)).body.data).toHaveLength(1);
    expect((await rep('/api/v1/search?q=zeppelin').expect(200)).body.data).toEqual([]);
  });

  it('limits each object and says when there is more', async () => {
    const r = await t.get('/api/v1/search?q=harbour&limit=1').expect(200);
    const account = (r.body.data as Group[]).find((g) => g.object === 'account')!;
    expect(account.records).toHaveLength(1);
    expect(account.more).toBe(true);
  });

  it('refuses an empty or long text, a bad limit and unknown parameters, in both languages', async () => {
    const empty = await t.get('/api/v1/search?q=%20').set('Accept-Language', 'zh-CN');
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('SEARCH_TEXT');
    expect(empty.body.detail).toBe('请输入要搜索的内容（最多 100 个字符）。');
    expect((await t.get('/api/v1/search')).status).toBe(400);
    expect((await t.get(`/api/v1/search?q=${'a'.repeat(101)}`)).status).toBe(400);
    expect((await t.get('/api/v1/search?q=a%00b')).status).toBe(400);
    expect((await t.get('/api/v1/search?q=a&limit=0')).status).toBe(400);
    expect((await t.get('/api/v1/search?q=a&limit=21')).status).toBe(400);
    expect((await t.get('/api/v1/search?q=a&object=account')).status).toBe(400);
  });
});
