import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { onServer, startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';
import { count, rows } from '../fixtures/meta.js';

let te: TestEngine;
let t: TestTenant;
const ok = (r: request.Response, status = 200) => expect(r.status, JSON.stringify(r.body)).toBe(status);

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant({
    objects: [
      object(
        'box',
        [
          field('name', 'text', { required: true }),
          field('code', 'text', { unique: true }),
          field('n', 'integer'),
          field('ref', 'lookup', { target: 'box', onDelete: 'set_null' }),
        ],
        { changeEvents: true },
      ),
      object('ticket', [field('title', 'text'), field('no', 'auto_number', { format: 'T-{000000}' })]),
    ],
  });
});
afterAll(() => te?.close());

const boxes = () => count(te, t, 'box');
const many = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ name: `b${from + i}`, n: from + i }));

describe('batch: all or nothing', () => {
  it('saves 1,000 records in one request', async () => {
    const before = await boxes();
    const r = await t.post('/api/v1/data/box/batch', { records: many(1000) });
    ok(r);
    expect(r.body.meta.count).toBe(1000);
    expect(r.body.data).toHaveLength(1000);
    expect(r.body.data[999]).toMatchObject({ name: 'b999', n: 999, version: 1 });
    expect(await boxes()).toBe(before + 1000);
  });

  it('one bad record among 1,000 saves nothing and points at it', async () => {
    const before = await boxes();
    const records = many(1000, 5000);
    records[637] = { name: 'bad', n: 'seven' as unknown as number };
    const r = await t.post('/api/v1/data/box/batch', { records });
    expect(r.status).toBe(422);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.body.atomic).toBe(true);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ pointer: '/records/637/n', code: 'WRONG_TYPE' }),
    ]);
    expect(await boxes()).toBe(before);
  });

  it('1,001 operations → 413 and nothing saved', async () => {
    const before = await boxes();
    const r = await t.post('/api/v1/data/box/batch', { records: many(1001, 9000) });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('BATCH_TOO_LARGE');
    expect(await boxes()).toBe(before);
  });

  it('a database refusal late in the batch rolls back the earlier writes', async () => {
    ok(await t.post('/api/v1/data/box', { name: 'taken', code: 'DUP' }), 201);
    const before = await boxes();
    const records = many(300, 20000).map((r, i) => ({ ...r, code: i === 299 ? 'DUP' : `c${i}` }));
    const r = await t.post('/api/v1/data/box/batch', { records });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.code).toBe('UNIQUE_VIOLATION');
    expect(await boxes()).toBe(before);
  });

  it('mixes creates, updates and deletes; a stale version anywhere refuses all of them', async () => {
    const [a, b, c] = (await t.post('/api/v1/data/box/batch', { records: many(3, 30000) })).body.data as {
      id: string;
    }[];
    const before = await rows(te, t, 'box');
    const ops = [
      { op: 'create', data: { name: 'new one' } },
      { op: 'update', id: a.id, version: 1, data: { n: -1 } },
      { op: 'delete', id: b.id },
      { op: 'update', id: c.id, version: 5, data: { n: -2 } },
    ];
    const stale = await t.post('/api/v1/data/box/batch', { operations: ops });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', index: 3, currentVersion: 1 });
    expect(await rows(te, t, 'box')).toEqual(before);
    ops[3].version = 1;
    const good = await t.post('/api/v1/data/box/batch', { operations: ops });
    ok(good);
    expect(good.body.data[0]).toMatchObject({ name: 'new one' });
    expect(good.body.data[1]).toMatchObject({ id: a.id, n: -1, version: 2 });
    expect(good.body.data[2]).toBeNull();
    expect(good.body.data[3]).toMatchObject({ id: c.id, n: -2, version: 2 });
    expect((await t.get(`/api/v1/data/box/${b.id}`)).status).toBe(404);
  });

  it('a missing record or a bad operation refuses the whole batch', async () => {
    const before = await boxes();
    const missing = await t.post('/api/v1/data/box/batch', {
      operations: [
        { op: 'create', data: { name: 'x' } },
        { op: 'delete', id: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      ],
    });
    expect(missing.status).toBe(404);
    expect(missing.body.index).toBe(1);
    for (const body of [
      { operations: [] },
      { operations: [{ op: 'upsert', data: {} }] },
      { operations: [{ op: 'update', id: 'nope', data: {} }] },
      { rows: [] },
      [1, 2],
    ]) {
      const r = await t.post('/api/v1/data/box/batch', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    const bad = await t.post('/api/v1/data/box/batch', {
      operations: [
        { op: 'create', data: { name: 'x' } },
        { op: 'create', data: { name: 'y', ref: '0f8fad5b-d9cb-469f-a165-70867728950e' } },
      ],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ pointer: '/operations/1/data/ref', code: 'LOOKUP_NOT_FOUND' }),
    ]);
    expect(await boxes()).toBe(before);
  });
});

describe('concurrency', () => {
  it('two writers with the same If-Match: one wins, the other gets 412', async () => {
    const id = (await t.post('/api/v1/data/box', { name: 'race' })).body.data.id;
    const [x, y] = await Promise.all([
      t.patch(`/api/v1/data/box/${id}`, { n: 1 }).set('If-Match', '"1"'),
      t.patch(`/api/v1/data/box/${id}`, { n: 2 }).set('If-Match', '"1"'),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 412]);
    const winner = x.status === 200 ? x : y;
    const got = await t.get(`/api/v1/data/box/${id}`);
    expect(got.body.data).toMatchObject({ n: winner.body.data.n, version: 2 });
    expect(got.headers.etag).toBe('"2"');
  });

  it('concurrent updates without If-Match are serialized: no version is lost', async () => {
    const id = (await t.post('/api/v1/data/box', { name: 'counter' })).body.data.id;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.patch(`/api/v1/data/box/${id}`, { n: i })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(results.map((r) => r.body.data.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 2),
    );
    expect((await t.get(`/api/v1/data/box/${id}`)).body.data.version).toBe(13);
    // Each update wrote its own event, in the statement that wrote its version.
    const events = (await te.engine.db.knex
      .withSchema(t.schema)
      .from('_outbox')
      .where({ record_id: id, type: 'record.updated' })
      .select('payload')) as { payload: { version: number; changed: string[] } }[];
    expect(events.map((e) => e.payload.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 2),
    );
    expect(events[0].payload.changed).toEqual(['n']);
  });

  it('a refused write leaves no outbox event', async () => {
    const before = await te.engine.db.knex.withSchema(t.schema).from('_outbox').count({ n: '*' }).first();
    const r = await t.post('/api/v1/data/box', {
      name: 'orphan',
      ref: '00000000-0000-4000-8000-000000000000',
    });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ pointer: '/ref', code: 'LOOKUP_NOT_FOUND' });
    const after = await te.engine.db.knex.withSchema(t.schema).from('_outbox').count({ n: '*' }).first();
    expect(after).toEqual(before);
  });

  it('a delete racing an update: the loser sees 404 or 412, never a 500', async () => {
    const id = (await t.post('/api/v1/data/box', { name: 'doomed' })).body.data.id;
    const [u, d] = await Promise.all([
      t.patch(`/api/v1/data/box/${id}`, { n: 1 }).set('If-Match', '"1"'),
      t.del(`/api/v1/data/box/${id}`).set('If-Match', '"1"'),
    ]);
    // Update first: the delete's If-Match is stale. Delete first: the update finds nothing.
    expect([
      [200, 412],
      [404, 204],
    ]).toContainEqual([u.status, d.status]);
  });

  it.skipIf(!onServer)('auto-numbers stay unique under concurrent inserts (server only)', async () => {
    const singles = Array.from({ length: 40 }, (_, i) => t.post('/api/v1/data/ticket', { title: `s${i}` }));
    const batches = Array.from({ length: 4 }, (_, b) =>
      t.post('/api/v1/data/ticket/batch', {
        records: Array.from({ length: 50 }, (_, i) => ({ title: `b${b}-${i}` })),
      }),
    );
    const results = await Promise.all([...singles, ...batches]);
    expect(results.map((r) => r.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
    const numbers = (await rows(te, t, 'ticket')).map((r) => r.no as string);
    expect(numbers).toHaveLength(240);
    expect(new Set(numbers).size).toBe(240);
    expect(numbers.every((n) => /^T-\d{6}$/.test(n))).toBe(true);
    // No failed write in between: the numbers are exactly 1..240.
    expect(numbers.map((n) => Number(n.slice(2))).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 240 }, (_, i) => i + 1),
    );
  });
});
