import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';

// The list order is Postgres's own: NULL is the largest value and the id breaks ties in the
// direction of the last key. This checks it against a reference sort and checks that keyset
// pages, whatever their size, walk exactly that order.
let te: TestEngine;
let t: TestTenant;
type Row = { id: string; name: string; bucket: number | null; day: string | null };
let rows: Row[];

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(
    { objects: [object('row', [field('name', 'text'), field('bucket', 'integer'), field('day', 'date')])] },
    'so',
  );
  const records = Array.from({ length: 60 }, (_, i) => ({
    name: `r${String(i % 40).padStart(2, '0')}`,
    bucket: i % 4 === 0 ? null : i % 3,
    day: i % 5 === 0 ? null : `2026-03-${String((i % 9) + 1).padStart(2, '0')}`,
  }));
  expect((await t.post('/api/v1/data/row/batch', { records })).status).toBe(200);
  rows = (await t.get('/api/v1/data/row?limit=200&fields=name,bucket,day')).body.data as Row[];
  expect(rows).toHaveLength(60);
});
afterAll(() => te?.close());

type Key = { name: 'name' | 'bucket' | 'day'; desc: boolean };

function reference(keys: Key[]): string[] {
  const cmp = (a: unknown, b: unknown) => {
    if (a === b) return 0;
    if (a === null) return 1; // NULL is the largest value
    if (b === null) return -1;
    return (a as string | number) < (b as string | number) ? -1 : 1;
  };
  const idDesc = keys.length > 0 && keys[keys.length - 1].desc;
  return [...rows]
    .sort((x, y) => {
      for (const k of keys) {
        const c = cmp(x[k.name], y[k.name]);
        if (c) return k.desc ? -c : c;
      }
      return idDesc ? cmp(y.id, x.id) : cmp(x.id, y.id);
    })
    .map((r) => r.id);
}

async function walk(sort: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const url: string = `/api/v1/data/row?limit=${limit}&fields=id&sort=${sort}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await t.get(url);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    ids.push(...(r.body.data as { id: string }[]).map((d) => d.id));
    cursor = r.body.meta.next_cursor;
    if (!cursor) break;
  }
  return ids;
}

describe('list order and keyset cursors (property)', () => {
  it('every page walk equals the reference order, with NULLs in either direction', async () => {
    const key = fc.record({
      name: fc.constantFrom('name' as const, 'bucket' as const, 'day' as const),
      desc: fc.boolean(),
    });
    const keys = fc.uniqueArray(key, { maxLength: 3, selector: (k) => k.name });
    await fc.assert(
      fc.asyncProperty(keys, fc.integer({ min: 1, max: 25 }), async (ks, limit) => {
        const sort = ks.map((k) => (k.desc ? '-' : '') + k.name).join(',');
        expect(await walk(sort, limit)).toEqual(reference(ks));
      }),
      { numRuns: 40 },
    );
  });
});
