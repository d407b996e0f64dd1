import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';
import { deployEdit } from '../fixtures/meta.js';

// A single update that no step needs the stored row for runs as one UPDATE carrying every check
// (row access, If-Match, stored required fields); when it matches nothing, the write runs again
// with the row read, to say why. These are the answers a caller must still get.
let te: TestEngine;
let t: TestTenant;

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant({
    objects: [
      object(
        'item',
        [
          field('name', 'text'),
          field('qty', 'integer'),
          field('tags', 'multi_picklist', {
            options: [{ value: 'a', label: { en: 'A', 'zh-CN': 'A' } }],
          }),
        ],
        { changeEvents: true },
      ),
    ],
  });
});
afterAll(() => te?.close());

const patch = (id: string, body: object, version?: number) => {
  const r = t.patch(`/api/v1/data/item/${id}`, body);
  return version === undefined ? r : r.set('If-Match', `"${version}"`);
};

describe('single updates without reading the row first', () => {
  let id: string;

  it('a required field made required after the record was saved blank is asked for', async () => {
    id = (await t.post('/api/v1/data/item', { qty: 1 })).body.data.id;
    const d = await deployEdit(t, (p) => {
      const o = p.objects[0];
      o.fields.find((f) => f.name === 'name')!.required = true;
      o.fields.find((f) => f.name === 'tags')!.required = true;
    });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    const r = await patch(id, { qty: 2 });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code]).sort()).toEqual([
      ['/name', 'REQUIRED'],
      ['/tags', 'REQUIRED'],
    ]);
    expect((await t.get(`/api/v1/data/item/${id}`)).body.data).toMatchObject({ qty: 1, version: 1 });
  });

  it('filled in, the record updates; later updates leave the required fields alone', async () => {
    const r = await patch(id, { name: 'Widget', tags: ['a'], qty: 2 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toMatchObject({ name: 'Widget', qty: 2, version: 2 });
    const again = await patch(id, { qty: 3 });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ name: 'Widget', tags: ['a'], qty: 3, version: 3 });
    expect(again.headers.etag).toBe('"3"');
  });

  it('a stale If-Match is 412 with the current version, and nothing changes', async () => {
    const r = await patch(id, { qty: 99 }, 1);
    expect(r.status).toBe(412);
    expect(r.body.currentVersion).toBe(3);
    expect((await patch(id, { qty: 4 }, 3)).status).toBe(200);
    expect((await t.get(`/api/v1/data/item/${id}`)).body.data).toMatchObject({ qty: 4, version: 4 });
  });

  it('an unknown id is 404', async () => {
    const r = await patch('00000000-0000-4000-8000-000000000000', { qty: 1 });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('RECORD_NOT_FOUND');
  });

  it('the update event carries the fields sent and the new version', async () => {
    const events = (await te.engine.db.knex
      .withSchema(t.schema)
      .from('_outbox')
      .where({ record_id: id, type: 'record.updated' })
      .orderBy('seq')
      .select('payload')) as { payload: { changed: string[]; version: number } }[];
    expect(events.map((e) => e.payload)).toEqual([
      { changed: ['name', 'tags', 'qty'], version: 2, origin: 'user' },
      { changed: ['qty'], version: 3, origin: 'user' },
      { changed: ['qty'], version: 4, origin: 'user' },
    ]);
  });
});

describe('batch creates bind one array per column', () => {
  let tt: TestTenant;
  beforeAll(async () => {
    tt = await te.tenant({
      objects: [
        object('memo', [
          field('title', 'text'),
          field('body', 'textarea'),
          field('amount', 'currency', { precision: 14, scale: 2 }),
          field('due', 'date'),
          field('at', 'datetime'),
          field('done', 'boolean'),
          field('n', 'integer'),
        ]),
      ],
    });
  });

  it('stores awkward text, numbers, dates and nulls exactly as single creates do', async () => {
    const records = [
      {
        title: 'a,b',
        body: 'he said "hi" {x} \\ back',
        amount: 12345.67,
        due: '2026-02-28',
        done: true,
        n: 1,
      },
      {
        title: 'NULL',
        body: '中文 — emoji 🎉\nsecond line',
        amount: 0,
        at: '2026-11-26T10:00:00.123Z',
        n: -5,
      },
      { title: '{}', body: null, done: false },
      { body: 'quote \' and " both' },
    ];
    const batch = await tt.post('/api/v1/data/memo/batch', { records });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const singles = [];
    for (const r of records) singles.push((await tt.post('/api/v1/data/memo', r)).body.data);
    const strip = (d: Record<string, unknown>) => {
      const { id: _i, created_at: _c, updated_at: _u, ...rest } = d;
      return rest;
    };
    expect(batch.body.data.map(strip)).toEqual(singles.map(strip));
    expect(batch.body.data[0]).toMatchObject({ title: 'a,b', body: 'he said "hi" {x} \\ back', n: 1 });
    expect(batch.body.data[1]).toMatchObject({ title: 'NULL', at: '2026-11-26T10:00:00.123Z' });
    expect(batch.body.data[2]).toMatchObject({ title: '{}', body: null, amount: null, done: false });
  });

  it('an object with a multi-select field still saves batches (row by row values)', async () => {
    const r = await t.post('/api/v1/data/item/batch', {
      records: [
        { name: 'x', tags: ['a'] },
        { name: 'y', tags: ['a'], qty: 2 },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data.map((d: { name: string; tags: string[] }) => [d.name, d.tags])).toEqual([
      ['x', ['a']],
      ['y', ['a']],
    ]);
  });
});
