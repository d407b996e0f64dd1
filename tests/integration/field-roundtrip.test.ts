import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object, opts } from '../helpers/packages.js';
import { count } from '../fixtures/meta.js';

let te: TestEngine;
let t: TestTenant;
let parentId: string;
const ok = (r: request.Response, status = 200) => expect(r.status, JSON.stringify(r.body)).toBe(status);

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant({
    objects: [
      object('parent', [field('name', 'text')]),
      object('every', [
        field('f_text', 'text', { maxLength: 20 }),
        field('f_textarea', 'textarea'),
        field('f_rich', 'rich_text'),
        field('f_int', 'integer'),
        field('f_num', 'number', { precision: 12, scale: 3 }),
        field('f_cur', 'currency'),
        field('f_pct', 'percent'),
        field('f_bool', 'boolean'),
        field('f_date', 'date'),
        field('f_dt', 'datetime'),
        field('f_email', 'email'),
        field('f_phone', 'phone'),
        field('f_url', 'url'),
        field('f_pick', 'picklist', {
          options: [...opts('a', 'b'), { value: 'old', label: { en: 'Old', 'zh-CN': '旧' }, active: false }],
        }),
        field('f_multi', 'multi_picklist', { options: opts('x', 'y', 'z') }),
        field('f_lookup', 'lookup', { target: 'parent' }),
        field('f_md', 'master_detail', { target: 'parent', required: false }),
        field('f_user', 'user'),
        field('f_auto', 'auto_number', { format: 'E-{0000}' }),
        field('f_formula', 'formula', { returnType: 'number', expression: { '+': [1, 2] } }),
        field('f_default', 'text', { default: 'preset' }),
      ]),
    ],
  });
  parentId = (await t.post('/api/v1/data/parent', { name: 'P' })).body.data.id;
});
afterAll(() => te?.close());

const full = () => ({
  f_text: '客户 Ünïcödé 😀',
  f_textarea: 'line 1\nline 2\n\ttabbed',
  f_rich: '<p>Hello <b>世界</b></p>',
  f_int: 2147483647,
  f_num: -12345.678,
  f_cur: 9999999999999.99,
  f_pct: 35.5,
  f_bool: false,
  f_date: '2024-02-29',
  f_dt: '2026-03-01T10:20:30.123Z',
  f_email: 'li.lei@example.cn',
  f_phone: '+86 138 0013 8000',
  f_url: 'https://example.com/a?b=c#d',
  f_pick: 'b',
  f_multi: ['z', 'x'],
  f_lookup: parentId,
  f_md: parentId,
  f_user: t.adminUserId,
  f_default: 'mine',
});

describe('every field type round-trips', () => {
  it('POST then GET returns the same values', async () => {
    const input = full();
    const r = await t.post('/api/v1/data/every', input);
    ok(r, 201);
    expect(r.body.data).toMatchObject(input);
    expect(r.body.data.f_auto).toMatch(/^E-\d{4}$/);
    const got = await t.get(`/api/v1/data/every/${r.body.data.id}`);
    ok(got);
    expect(got.body.data).toMatchObject(input);
    expect(got.body.data).toEqual(r.body.data);
  });

  it('normalizes only what is documented: trimmed texts, UTC datetimes', async () => {
    const r = await t.post('/api/v1/data/every', {
      f_text: '  padded  ',
      f_dt: '2026-03-01T10:20:30+08:00',
      f_textarea: '  kept  ',
      f_email: ' a@b.cn ',
    });
    ok(r, 201);
    expect(r.body.data).toMatchObject({
      f_text: 'padded',
      f_dt: '2026-03-01T02:20:30.000Z',
      f_textarea: '  kept  ',
      f_email: 'a@b.cn',
    });
  });

  it('applies defaults on create only, and nulls everything else left out', async () => {
    const r = await t.post('/api/v1/data/every', {});
    ok(r, 201);
    const d = r.body.data;
    expect(d.f_default).toBe('preset');
    for (const k of Object.keys(full()).filter((k) => k !== 'f_default')) expect(d[k], k).toBeNull();
    expect(d.f_auto).toMatch(/^E-\d{4}$/);
  });

  it('null clears a value, an absent key keeps it, an empty text becomes null', async () => {
    const id = (await t.post('/api/v1/data/every', full())).body.data.id;
    const cleared = await t.patch(`/api/v1/data/every/${id}`, {
      f_int: null,
      f_multi: null,
      f_lookup: null,
      f_bool: null,
      f_text: '',
    });
    ok(cleared);
    expect(cleared.body.data).toMatchObject({
      f_int: null,
      f_multi: null,
      f_lookup: null,
      f_bool: null,
      f_text: null,
      f_num: -12345.678,
      f_pick: 'b',
    });
    const got = (await t.get(`/api/v1/data/every/${id}`)).body.data;
    expect(got).toMatchObject({ f_int: null, f_text: null, f_date: '2024-02-29', f_md: parentId });
  });

  it('boundary values survive', async () => {
    const r = await t.post('/api/v1/data/every', {
      f_int: -2147483648,
      f_num: 999999999.999,
      f_pct: 999.99,
      f_text: 'x'.repeat(20),
      f_multi: [],
      f_bool: true,
    });
    ok(r, 201);
    const got = (await t.get(`/api/v1/data/every/${r.body.data.id}`)).body.data;
    expect(got).toMatchObject({
      f_int: -2147483648,
      f_num: 999999999.999,
      f_pct: 999.99,
      f_text: 'x'.repeat(20),
      f_bool: true,
    });
    expect(got.f_multi === null || (Array.isArray(got.f_multi) && got.f_multi.length === 0)).toBe(true);
  });

  it('auto-numbers are sequential and cannot be written', async () => {
    const a = (await t.post('/api/v1/data/every', {})).body.data.f_auto as string;
    const b = (await t.post('/api/v1/data/every', {})).body.data.f_auto as string;
    expect(Number(b.slice(2))).toBe(Number(a.slice(2)) + 1);
    const r = await t.post('/api/v1/data/every', { f_auto: 'E-9999' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({ pointer: '/f_auto', code: 'READ_ONLY_FIELD' }),
    );
  });

  it('computed fields cannot be written', async () => {
    const r = await t.post('/api/v1/data/every', { f_formula: 3 });
    expect(r.status).toBe(422);
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({ pointer: '/f_formula', code: 'READ_ONLY_FIELD' }),
    );
  });
});

describe('bad values are refused per type, with a pointer, and nothing is saved', () => {
  const cases: [string, unknown, string][] = [
    ['f_text', 'x'.repeat(21), 'TOO_LONG'],
    ['f_text', 12, 'WRONG_TYPE'],
    ['f_text', ['a'], 'WRONG_TYPE'],
    ['f_textarea', { a: 1 }, 'WRONG_TYPE'],
    ['f_rich', true, 'WRONG_TYPE'],
    ['f_int', 2147483648, 'TOO_LARGE'],
    ['f_int', -2147483649, 'TOO_SMALL'],
    ['f_int', 1.5, 'WRONG_TYPE'],
    ['f_int', '1', 'WRONG_TYPE'],
    ['f_num', 1e9, 'TOO_LARGE'],
    ['f_num', 1.2345, 'TOO_MANY_DECIMALS'],
    ['f_num', '12', 'WRONG_TYPE'],
    ['f_cur', 1e16, 'TOO_LARGE'],
    ['f_cur', -1e16, 'TOO_SMALL'],
    ['f_cur', 0.001, 'TOO_MANY_DECIMALS'],
    ['f_pct', 1000, 'TOO_LARGE'],
    ['f_bool', 'true', 'WRONG_TYPE'],
    ['f_bool', 1, 'WRONG_TYPE'],
    ['f_date', '2026-02-30', 'BAD_FORMAT'],
    ['f_date', '2026-02-28T00:00:00Z', 'BAD_FORMAT'],
    ['f_date', 20260228, 'WRONG_TYPE'],
    ['f_dt', '2026-02-28', 'BAD_FORMAT'],
    ['f_dt', 'tomorrow', 'BAD_FORMAT'],
    ['f_email', 'nobody', 'BAD_FORMAT'],
    ['f_phone', 'call me maybe', 'BAD_FORMAT'],
    ['f_url', 'javascript:alert(1)', 'BAD_FORMAT'],
    ['f_url', 'ftp://example.com', 'BAD_FORMAT'],
    ['f_pick', 'c', 'NOT_AN_OPTION'],
    ['f_pick', 'old', 'NOT_AN_OPTION'],
    ['f_pick', ['a'], 'WRONG_TYPE'],
    ['f_multi', ['x', 'x'], 'DUPLICATE_ITEMS'],
    ['f_multi/0', ['w'], 'NOT_AN_OPTION'],
    ['f_multi', 'x', 'WRONG_TYPE'],
    ['f_lookup', 'not-a-uuid', 'BAD_FORMAT'],
    ['f_lookup', '0f8fad5b-d9cb-469f-a165-70867728950e', 'LOOKUP_NOT_FOUND'],
    ['f_md', 42, 'WRONG_TYPE'],
    ['f_date', '2027-02-30', 'BAD_FORMAT'],
    ['f_date', '0000-01-01', 'BAD_FORMAT'],
    ['f_user', 'not-a-uuid', 'BAD_FORMAT'],
    ['f_user', '0f8fad5b-d9cb-469f-a165-70867728950e', 'USER_NOT_FOUND'],
  ];
  it.each(cases)('%s = %j → %s', async (name, value, code) => {
    const before = await count(te, t, 'every');
    const r = await t.post('/api/v1/data/every', { f_text: 'ok', [name.split('/')[0]]: value });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.body.errors).toContainEqual(expect.objectContaining({ pointer: `/${name}`, code }));
    expect(await count(te, t, 'every')).toBe(before);
  });

  it('refuses a NUL character at the edge, naming the field, storing nothing', async () => {
    const before = await count(te, t, 'every');
    const r = await t.post('/api/v1/data/every', { f_text: 'nul\u0000byte' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ pointer: '/f_text', code: 'NUL_CHARACTER' })]);
    expect(await count(te, t, 'every')).toBe(before);
  });

  it('the same checks apply to PATCH, and a refused PATCH changes nothing', async () => {
    const created = (await t.post('/api/v1/data/every', full())).body.data;
    const r = await t.patch(`/api/v1/data/every/${created.id}`, { f_int: 'x', f_text: 'changed' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ pointer: '/f_int', code: 'WRONG_TYPE' })]);
    const got = (await t.get(`/api/v1/data/every/${created.id}`)).body.data;
    expect(got).toEqual(created);
  });
});

describe('user fields', () => {
  let users: { id: string; name: string }[];
  beforeAll(async () => {
    users = [{ id: t.adminUserId, name: 'Administrator / 管理员' }];
    for (const [username, displayName] of [
      ['li', 'Li Lei 李雷'],
      ['han', 'Han Meimei 韩梅梅'],
    ]) {
      const r = await t.post('/api/v1/users', {
        username,
        displayName,
        email: `${username}@example.cn`,
        password: 'long-enough-pw-1',
      });
      ok(r, 201);
      users.push({ id: r.body.data.id, name: displayName });
    }
    const rows = [users[1].id, users[1].id, users[2].id, null].map((u, i) => ({
      f_text: `u${i}`,
      f_user: u,
    }));
    ok(await t.post('/api/v1/data/every/batch', { records: rows }));
  });
  const list = async (q: string) => {
    const r = await t.get(`/api/v1/data/every?${q}`);
    ok(r);
    return r.body.data as Record<string, unknown>[];
  };
  const filter = (f: unknown) =>
    `filter=${encodeURIComponent(JSON.stringify(f))}&fields=f_text,f_user&sort=f_text`;

  it('filters with eq, in and isNull', async () => {
    const texts = (rows: Record<string, unknown>[]) =>
      rows.map((r) => r.f_text).filter((x) => /^u\d$/.test(String(x)));
    expect(texts(await list(filter({ f_user: { eq: users[1].id } })))).toEqual(['u0', 'u1']);
    expect(texts(await list(filter({ f_user: { in: [users[1].id, users[2].id] } })))).toEqual([
      'u0',
      'u1',
      'u2',
    ]);
    expect(texts(await list(filter({ f_user: { isNull: true }, f_text: { startsWith: 'u' } })))).toEqual([
      'u3',
    ]);
    const bad = await t.get(`/api/v1/data/every?${filter({ f_user: { contains: 'Li' } })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_FILTER');
  });

  it('sorts and groups', async () => {
    const sorted = await list(
      `sort=f_user,f_text&fields=f_user&filter=${encodeURIComponent(JSON.stringify({ f_user: { isNull: false } }))}`,
    );
    const ids = sorted.map((r) => r.f_user as string);
    expect(ids).toEqual([...ids].sort());
    const g = await t.post('/api/v1/data/every/aggregate', {
      groupBy: ['f_user'],
      metrics: [{ fn: 'count' }],
      filter: { f_text: { startsWith: 'u' } },
    });
    ok(g);
    const counts = Object.fromEntries(
      (g.body.data as { f_user: string | null; count: number }[]).map((x) => [x.f_user, x.count]),
    );
    expect(counts).toEqual({ [users[1].id]: 2, [users[2].id]: 1, null: 1 });
  });

  it('expands to the id and the name /users/lookup shows, nothing more', async () => {
    const rows = await list(`${filter({ f_text: { startsWith: 'u' } })}&expand=f_user,owner`);
    expect(rows.map((r) => r.f_user)).toEqual([
      { id: users[1].id, name: 'Li Lei 李雷' },
      { id: users[1].id, name: 'Li Lei 李雷' },
      { id: users[2].id, name: 'Han Meimei 韩梅梅' },
      null,
    ]);
    expect(rows[0].owner).toEqual({ id: t.adminUserId, name: 'Administrator / 管理员' });
    const one = await t.get(`/api/v1/data/every/${rows[0].id as string}?fields=f_user.name`);
    ok(one);
    expect(one.body.data.f_user).toEqual({ id: users[1].id, name: 'Li Lei 李雷' });
    const lookup = await t.get(`/api/v1/users/lookup?ids=${users[1].id}`);
    expect(lookup.body.data).toEqual([{ id: users[1].id, name: 'Li Lei 李雷' }]);
    const deeper = await t.get(`/api/v1/data/every/${rows[0].id as string}?fields=f_user.email`);
    expect(deeper.status).toBe(400);
    expect(deeper.body.code).toBe('BAD_EXPAND');
  });

  it('is a foreign key to the users that refuses their deletion', async () => {
    const fk = await te.engine.db.knex.raw(
      "select confdeltype, confrelid::regclass::text as ref from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1] where c.contype = 'f' and a.attname = 'f_user' and c.connamespace = ?::regnamespace",
      [t.schema],
    );
    expect(fk.rows).toEqual([{ confdeltype: 'r', ref: expect.stringMatching(/_users$/) }]);
  });
});
