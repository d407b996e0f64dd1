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
      object('item', [
        field('name', 'text'),
        field('qty', 'integer'),
        field('tags', 'multi_picklist', {
          options: [{ value: 'a', label: { en: 'A', 'zh-CN': 'A' } }],
        }),
      ]),
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
      { changed: ['name', 'tags', 'qty'], version: 2 },
      { changed: ['qty'], version: 3 },
      { changed: ['qty'], version: 4 },
    ]);
  });
});
