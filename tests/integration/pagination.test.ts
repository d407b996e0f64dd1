import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';

let te: TestEngine;
let t: TestTenant;
let other: TestTenant;
const TOTAL = 130;
const pkg = () => ({
  objects: [object('row', [field('name', 'text'), field('bucket', 'integer'), field('day', 'date')])],
});

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg(), 'pa');
  other = await te.tenant(pkg(), 'pb');
  // Buckets repeat and some are null, so sort keys tie and the id must break ties.
  const records = Array.from({ length: TOTAL }, (_, i) => ({
    name: `r${String(i).padStart(3, '0')}`,
    bucket: i % 7 === 0 ? null : i % 5,
    day: i % 3 === 0 ? null : `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
  }));
  expect((await t.post('/api/v1/data/row/batch', { records })).status).toBe(200);
  expect((await other.post('/api/v1/data/row/batch', { records: records.slice(0, 10) })).status).toBe(200);
});
afterAll(() => te?.close());

type Row = { id: string; name: string; bucket: number | null };

/** Follows next_cursor to the end; checks meta and Link on every page. */
async function walk(params: string, limit: number) {
  const all: Row[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/api/v1/data/row?limit=${limit}${params}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await t.get(url);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    all.push(...r.body.data);
    cursor = r.body.meta.next_cursor;
    expect(r.body.meta.has_more).toBe(cursor !== null);
    if (cursor) {
      expect(r.body.data).toHaveLength(limit);
      expect(r.headers.link).toContain('rel="next"');
      expect(r.headers.link).toContain(`cursor=${encodeURIComponent(cursor)}`);
    } else expect(r.headers.link).toBeUndefined();
    pages += 1;
  } while (cursor && pages < 100);
  return { all, pages };
}

describe('keyset pagination', () => {
  it('walks every record exactly once in id order by default', async () => {
    const { all, pages } = await walk('', 17);
    expect(pages).toBe(Math.ceil(TOTAL / 17));
    expect(all).toHaveLength(TOTAL);
    expect(new Set(all.map((r) => r.id)).size).toBe(TOTAL);
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort());
  });

  it.each(['bucket', '-bucket', 'bucket,-name', '-day,bucket', 'day', '-created_at'])(
    'pages match a single query when sorted by %s (ties, NULL as the largest value)',
    async (sort) => {
      const one = await t.get(`/api/v1/data/row?limit=200&sort=${sort}`);
      expect(one.status).toBe(200);
      expect(one.body.meta).toEqual({ next_cursor: null, has_more: false });
      const { all } = await walk(`&sort=${sort}`, 9);
      expect(all.map((r) => r.id)).toEqual(one.body.data.map((r: Row) => r.id));
      // NULL sorts as the largest value: last ascending, first descending (as a btree index reads).
      const first = sort.split(',')[0];
      const key = first.replace(/^-/, '') as keyof Row;
      const nulls = all.filter((r) => r[key] === null).length;
      const at = first.startsWith('-') ? all.slice(0, nulls) : all.slice(all.length - nulls);
      expect(at.every((r) => r[key] === null)).toBe(true);
    },
  );

  it('pages respect a filter', async () => {
    const filter = encodeURIComponent(JSON.stringify({ bucket: { in: [1, 2] } }));
    const { all } = await walk(`&filter=${filter}&sort=-name`, 8);
    const expected = Array.from({ length: TOTAL }, (_, i) => i).filter(
      (i) => i % 7 !== 0 && [1, 2].includes(i % 5),
    );
    expect(all.map((r) => r.name)).toEqual(expected.map((i) => `r${String(i).padStart(3, '0')}`).reverse());
  });

  it('a record inserted behind the cursor does not shift the next page', async () => {
    const first = await t.get('/api/v1/data/row?limit=10&sort=name');
    const second = await t.get(
      `/api/v1/data/row?limit=10&sort=name&cursor=${encodeURIComponent(first.body.meta.next_cursor)}`,
    );
    const inserted = await t.post('/api/v1/data/row', { name: 'a_first' });
    const again = await t.get(
      `/api/v1/data/row?limit=10&sort=name&cursor=${encodeURIComponent(first.body.meta.next_cursor)}`,
    );
    expect(again.body.data.map((r: Row) => r.id)).toEqual(second.body.data.map((r: Row) => r.id));
    await t.del(`/api/v1/data/row/${inserted.body.data.id}`);
  });

  it('uses 50 as the default page size and 200 as the maximum', async () => {
    expect((await t.get('/api/v1/data/row')).body.data).toHaveLength(50);
    expect((await t.get('/api/v1/data/row?limit=200')).body.data).toHaveLength(TOTAL);
  });

  it.each(['201', '1000', '0', '-1', 'abc', '1.5', '', '9999999'])(
    'refuses limit=%s with 400',
    async (limit) => {
      const r = await t.get(`/api/v1/data/row?limit=${limit}`);
      expect(r.status).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body.code).toBe('BAD_LIMIT');
    },
  );
});

describe('cursor tampering', () => {
  let cursor: string;
  beforeAll(async () => {
    cursor = (await t.get('/api/v1/data/row?limit=5&sort=bucket')).body.meta.next_cursor;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });
  const bad = async (url: string, who: TestTenant = t) => {
    const r = await who.get(url);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.code).toBe('BAD_CURSOR');
  };

  it('accepts the cursor for its own query', async () => {
    expect(
      (await t.get(`/api/v1/data/row?limit=5&sort=bucket&cursor=${encodeURIComponent(cursor)}`)).status,
    ).toBe(200);
  });

  it('refuses an edited body, an edited signature and garbage', async () => {
    const [body, sig] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(body, 'base64url').toString()) as [unknown[], string];
    expect(decoded[0]).not.toEqual([3]);
    const forged = Buffer.from(JSON.stringify([[3], decoded[1]])).toString('base64url');
    await bad(`/api/v1/data/row?limit=5&sort=bucket&cursor=${forged}.${sig}`);
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    await bad(`/api/v1/data/row?limit=5&sort=bucket&cursor=${body}.${flipped}`);
    await bad(`/api/v1/data/row?limit=5&sort=bucket&cursor=${body}`);
    await bad('/api/v1/data/row?limit=5&sort=bucket&cursor=garbage');
    await bad(`/api/v1/data/row?limit=5&sort=bucket&cursor=${'x'.repeat(5000)}.y`);
  });

  it('refuses a cursor replayed against another sort, filter or tenant', async () => {
    await bad(`/api/v1/data/row?limit=5&sort=-bucket&cursor=${encodeURIComponent(cursor)}`);
    await bad(
      `/api/v1/data/row?limit=5&sort=bucket&filter=${encodeURIComponent('{"bucket":1}')}&cursor=${encodeURIComponent(cursor)}`,
    );
    await bad(`/api/v1/data/row?limit=5&sort=bucket&cursor=${encodeURIComponent(cursor)}`, other);
  });
});
