import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoFromPostgres, TIMESTAMPTZ_OID } from '../../engine/src/db/timestamps.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';

/**
 * Record reads turn Postgres's timestamptz text into ISO text without a Date (db/timestamps.ts).
 * Held here to pg's own parser, value by value, on the text this database really writes.
 */
const pgParse = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (t: string) => Date;
const reference = (text: string) => pgParse(text).toISOString();

let te: TestEngine;
let t: TestTenant;

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(
    { objects: [object('visit', [field('name', 'text'), field('at', 'datetime', { trackHistory: true })])] },
    'ts',
  );
});
afterAll(() => te?.close());

/** The database's own text of each instant (ISO in, `timestamptz::text` out). */
async function postgresText(isos: string[]): Promise<string[]> {
  const r = (await te.engine.db.knex.raw('select x::timestamptz::text as t from unnest(?::text[]) as x', [
    isos,
  ])) as { rows: { t: string }[] };
  return r.rows.map((row) => row.t);
}

describe('timestamptz as ISO text', () => {
  it('agrees with the Date path on every instant from year 1 to 9999, to the millisecond', async () => {
    const instant = fc
      .tuple(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 999 }),
      )
      // microseconds too, as now() stores them
      .map(([d, us]) => d.toISOString().replace('Z', `${String(us).padStart(3, '0')}Z`));
    const samples = fc.sample(instant, { numRuns: 2000, seed: 14 });
    const edges = [
      '2026-11-29T01:17:34Z',
      '2026-11-29T01:17:34.9Z',
      '2026-11-29T01:17:34.92Z',
      '2026-11-29T01:17:34.029Z',
      '2026-11-29T01:17:34.999999Z',
      '2026-11-29T01:17:34.000001Z',
      '0099-06-01T00:00:00Z',
      '1000-01-01T00:00:00.5Z',
    ];
    const texts = await postgresText([...edges, ...samples]);
    const fast = texts.filter((x) => x.endsWith('+00') && !x.endsWith(' BC'));
    expect(fast.length).toBe(texts.length); // the session is UTC on both databases
    const wrong = texts.filter((x) => isoFromPostgres(x, pgParse) !== reference(x));
    expect(wrong).toEqual([]);
  });

  it('leaves other offsets, BC, far years and infinity to the Date path', () => {
    for (const text of [
      '2026-11-29 09:17:34.92+08',
      '2026-11-29 01:17:34-03:30',
      '0044-03-15 12:00:00+00 BC',
      '10000-01-01 00:00:00+00',
      'infinity',
      '-infinity',
    ]) {
      const out = isoFromPostgres(text, pgParse);
      expect(out, text).toEqual(pgParse(text));
    }
  });

  it('reads back what was written, by id, in lists and expanded, with created_at in ISO form', async () => {
    // Postgres writes these fractions as .029, .9 and none at all
    for (const at of ['2026-03-01T10:20:30.029Z', '2026-03-01T10:20:30.900Z', '2026-03-01T10:20:30.000Z']) {
      const made = await t.post('/api/v1/data/visit', { name: at, at });
      expect(made.status).toBe(201);
      const id = made.body.data.id as string;
      const got = await t.get(`/api/v1/data/visit/${id}`);
      const listed = await t.get(
        `/api/v1/data/visit?filter=${encodeURIComponent(JSON.stringify({ name: at }))}`,
      );
      for (const record of [made.body.data, got.body.data, listed.body.data[0]]) {
        expect(record.at).toBe(at);
        expect(record.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(record.created_at).toBe(made.body.data.created_at);
      }
    }
  });

  it('writes answer the same ISO text: an update, a batch, and the history of a datetime field', async () => {
    const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    const made = (await t.post('/api/v1/data/visit', { name: 'moved', at: '2026-05-01T08:00:00.120Z' })).body
      .data;
    const patched = await t.patch(`/api/v1/data/visit/${made.id}`, { at: '0099-12-31T23:59:59.999Z' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const read = (await t.get(`/api/v1/data/visit/${made.id}`)).body.data;
    expect(patched.body.data.at).toBe('0099-12-31T23:59:59.999Z');
    expect(patched.body.data.updated_at).toMatch(ISO);
    expect(patched.body.data).toMatchObject({
      at: read.at,
      updated_at: read.updated_at,
      created_at: read.created_at,
    });
    const history = (await t.get(`/api/v1/data/visit/${made.id}/history`)).body.data as {
      field: string;
      old: unknown;
      new: unknown;
    }[];
    expect(history.filter((h) => h.field === 'at').map((h) => [h.old, h.new])).toEqual([
      ['2026-05-01T08:00:00.120Z', '0099-12-31T23:59:59.999Z'],
    ]);
    const batch = await t.post('/api/v1/data/visit/batch', {
      records: [
        { name: 'b1', at: '2026-03-01T10:20:30.029Z' },
        { name: 'b2', at: '2026-03-01T10:20:30.900Z' },
      ],
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const saved = batch.body.data as { id: string; at: string; created_at: string }[];
    expect(saved.map((r) => r.at)).toEqual(['2026-03-01T10:20:30.029Z', '2026-03-01T10:20:30.900Z']);
    for (const r of saved) {
      expect(r.created_at).toMatch(ISO);
      expect((await t.get(`/api/v1/data/visit/${r.id}`)).body.data.created_at).toBe(r.created_at);
    }
  });
});
