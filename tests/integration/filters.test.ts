import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object, opts } from '../helpers/packages.js';

let te: TestEngine;
let t: TestTenant;

const DATA = [
  {
    name: 'alpha',
    n: 1,
    amount: 10.5,
    day: '2026-01-01',
    at: '2026-01-01T08:00:00.000Z',
    ok: true,
    color: 'red',
    tags: ['a', 'b'],
    note: '100% sure',
  },
  {
    name: 'beta',
    n: 2,
    amount: 20,
    day: '2026-02-01',
    at: '2026-02-01T08:00:00.000Z',
    ok: false,
    color: 'green',
    tags: ['b'],
    note: 'under_score',
  },
  {
    name: 'gamma',
    n: 3,
    amount: -5,
    day: '2026-03-01',
    at: '2026-03-01T08:00:00.000Z',
    ok: true,
    color: 'blue',
    tags: ['c'],
    note: 'Mixed Case',
  },
  {
    name: 'delta',
    n: 4,
    amount: 0,
    day: '2026-04-01',
    at: '2026-04-01T08:00:00.000Z',
    ok: false,
    color: 'red',
    tags: [],
    note: "O'Brien; drop table thing",
  },
  {
    name: 'Alphabet',
    n: null,
    amount: null,
    day: null,
    at: null,
    ok: null,
    color: null,
    tags: null,
    note: null,
  },
  {
    name: '中文名称',
    n: 6,
    amount: 99.99,
    day: '2026-06-15',
    at: '2026-06-15T00:00:00.000Z',
    ok: true,
    color: 'green',
    tags: ['a', 'c'],
    note: '备注 back\\slash',
  },
];

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant({
    objects: [
      object('thing', [
        field('name', 'text'),
        field('n', 'integer'),
        field('amount', 'number', { precision: 10, scale: 2 }),
        field('day', 'date'),
        field('at', 'datetime'),
        field('ok', 'boolean'),
        field('color', 'picklist', { options: opts('red', 'green', 'blue') }),
        field('tags', 'multi_picklist', { options: opts('a', 'b', 'c') }),
        field('note', 'text'),
        field('body', 'rich_text'),
        field('parent', 'lookup', { target: 'thing' }),
      ]),
    ],
  });
  const r = await t.post('/api/v1/data/thing/batch', { records: DATA });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
});
afterAll(() => te?.close());

const q = (filter: unknown) =>
  t.get(`/api/v1/data/thing?limit=200&filter=${encodeURIComponent(JSON.stringify(filter))}`);
async function names(filter: unknown): Promise<string[]> {
  const r = await q(filter);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.data as { name: string }[]).map((x) => x.name).sort();
}
async function refused(filter: unknown, pointer?: string) {
  const r = await q(filter);
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(r.body.code).toBe('BAD_FILTER');
  if (pointer) expect(r.body.detail).toContain(pointer);
  return r;
}
const sorted = (...xs: string[]) => xs.sort();

describe('filter language', () => {
  it('eq by shorthand and operator, ne keeps nulls', async () => {
    expect(await names({ color: 'red' })).toEqual(sorted('alpha', 'delta'));
    expect(await names({ color: { eq: 'red' } })).toEqual(sorted('alpha', 'delta'));
    expect(await names({ color: { ne: 'red' } })).toEqual(sorted('beta', 'gamma', 'Alphabet', '中文名称'));
    expect(await names({ color: { eq: null } })).toEqual(['Alphabet']);
    expect(await names({ color: { ne: null } })).toHaveLength(5);
  });

  it('comparisons on integers, decimals, dates and datetimes', async () => {
    expect(await names({ n: { gt: 2 } })).toEqual(sorted('gamma', 'delta', '中文名称'));
    expect(await names({ n: { gte: 2, lt: 4 } })).toEqual(sorted('beta', 'gamma'));
    expect(await names({ amount: { lte: 0 } })).toEqual(sorted('gamma', 'delta'));
    expect(await names({ amount: { gt: 10.4, lt: 10.6 } })).toEqual(['alpha']);
    expect(await names({ day: { gte: '2026-03-01' } })).toEqual(sorted('gamma', 'delta', '中文名称'));
    expect(await names({ day: { lt: '2026-02-01' } })).toEqual(['alpha']);
    expect(await names({ at: { gt: '2026-03-01T07:59:59Z', lte: '2026-04-01T16:00:00+08:00' } })).toEqual(
      sorted('gamma', 'delta'),
    );
  });

  it('in and nin (nin keeps nulls)', async () => {
    expect(await names({ n: { in: [1, 3, 99] } })).toEqual(sorted('alpha', 'gamma'));
    expect(await names({ color: { nin: ['red', 'green'] } })).toEqual(sorted('gamma', 'Alphabet'));
  });

  it('contains and startsWith are case-insensitive and treat % _ \\ literally', async () => {
    expect(await names({ name: { startsWith: 'alpha' } })).toEqual(sorted('alpha', 'Alphabet'));
    expect(await names({ name: { contains: 'ET' } })).toEqual(sorted('beta', 'Alphabet'));
    expect(await names({ note: { contains: '%' } })).toEqual(['alpha']);
    expect(await names({ note: { contains: '_' } })).toEqual(['beta']);
    expect(await names({ note: { contains: '\\' } })).toEqual(['中文名称']);
    expect(await names({ note: { contains: 'mixed case' } })).toEqual(['gamma']);
    expect(await names({ name: { contains: '中文' } })).toEqual(['中文名称']);
    expect(await names({ note: { eq: "O'Brien; drop table thing" } })).toEqual(['delta']);
  });

  it('multi-picklists: contains (all of) and containsAny', async () => {
    expect(await names({ tags: { contains: ['a'] } })).toEqual(sorted('alpha', '中文名称'));
    expect(await names({ tags: { contains: ['a', 'c'] } })).toEqual(['中文名称']);
    expect(await names({ tags: { containsAny: ['b', 'c'] } })).toEqual(
      sorted('alpha', 'beta', 'gamma', '中文名称'),
    );
  });

  it('isNull and booleans', async () => {
    expect(await names({ n: { isNull: true } })).toEqual(['Alphabet']);
    expect(await names({ n: { isNull: false } })).toHaveLength(5);
    expect(await names({ ok: true })).toEqual(sorted('alpha', 'gamma', '中文名称'));
    expect(await names({ ok: { ne: true } })).toEqual(sorted('beta', 'delta', 'Alphabet'));
  });

  it('and, or, not, nested', async () => {
    expect(await names({ or: [{ color: 'blue' }, { n: 1 }] })).toEqual(sorted('alpha', 'gamma'));
    expect(await names({ and: [{ ok: true }, { or: [{ color: 'red' }, { amount: { gt: 50 } }] }] })).toEqual(
      sorted('alpha', '中文名称'),
    );
    expect(await names({ not: { color: 'red' } })).toEqual(sorted('beta', 'gamma', '中文名称'));
    expect(await names({ not: { or: [{ n: 1 }, { n: 2 }] }, n: { lt: 5 } })).toEqual(
      sorted('gamma', 'delta'),
    );
  });

  it('system fields can be filtered', async () => {
    const all = (await t.get('/api/v1/data/thing?limit=200')).body.data as { id: string; name: string }[];
    const alpha = all.find((x) => x.name === 'alpha')!;
    expect(await names({ id: alpha.id })).toEqual(['alpha']);
    expect(
      await names({ version: 1, created_at: { lte: new Date(Date.now() + 60_000).toISOString() } }),
    ).toHaveLength(6);
    expect(await names({ owner: t.adminUserId })).toHaveLength(6);
  });

  it('refuses unknown fields, including SQL in the key', async () => {
    await refused({ nope: 1 }, '/nope');
    await refused({ 'name" or 1=1 --': 'x' });
    await refused({ and: [{ name: 'x' }, { 'n; drop table thing': 1 }] }, '/and/1');
  });

  it('refuses operators the type does not allow', async () => {
    await refused({ name: { gt: 'a' } }, '/name/gt');
    await refused({ ok: { in: [true] } });
    await refused({ tags: { eq: 'a' } });
    await refused({ body: { eq: 'x' } });
    await refused({ n: { like: '%' } });
    await refused({ n: {} });
  });

  it('refuses wrong operand types', async () => {
    await refused({ n: 'one' });
    await refused({ n: 1.5 });
    await refused({ amount: '10' });
    await refused({ day: '01/02/2026' });
    await refused({ day: '2026-02-30x' });
    await refused({ at: 'yesterday' });
    await refused({ ok: 'true' });
    await refused({ parent: 'not-a-uuid' });
    await refused({ n: { in: 1 } });
    await refused({ n: { in: [] } });
    await refused({ n: { isNull: 'yes' } });
    await refused({ name: { contains: 5 } });
  });

  it('refuses malformed structures and oversized filters', async () => {
    await refused([]);
    await refused('name');
    await refused({ and: [] });
    await refused({ or: {} });
    let deep: Record<string, unknown> = { n: 1 };
    for (let i = 0; i < 11; i++) deep = { not: deep };
    await refused(deep);
    await refused({ or: Array.from({ length: 201 }, (_, i) => ({ n: i })) });
    await refused({ n: { in: Array.from({ length: 501 }, (_, i) => i) } });
    await refused({ name: 'x'.repeat(1001) });
    await refused({ name: 'nul\u0000' });
    await refused({ name: { contains: 'nul\u0000' } });
    const bad = await t.get('/api/v1/data/thing?filter=%7Bnot-json');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_FILTER');
  });

  it('sorts by any sortable field, empty values as the largest, and refuses the rest', async () => {
    const get = async (sort: string) =>
      ((await t.get(`/api/v1/data/thing?sort=${sort}`)).body.data as { name: string }[]).map((x) => x.name);
    expect(await get('n')).toEqual(['alpha', 'beta', 'gamma', 'delta', '中文名称', 'Alphabet']);
    expect(await get('-n')).toEqual(['Alphabet', '中文名称', 'delta', 'gamma', 'beta', 'alpha']);
    expect(await get('-ok,amount')).toEqual(['Alphabet', 'gamma', 'alpha', '中文名称', 'delta', 'beta']);
    for (const sort of ['tags', 'body', 'nope', 'n,n', 'a,b,c,d,e,f']) {
      const r = await t.get(`/api/v1/data/thing?sort=${sort}`);
      expect(r.status, sort).toBe(400);
      expect(r.body.code).toBe('BAD_SORT');
    }
  });
});
