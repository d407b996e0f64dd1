import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from '../../engine/src/db/array-literal.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';

/**
 * Batch creates bind one array literal per column (db/array-literal.ts): held here to what
 * Postgres itself reads back from them, value by value, and to a batch through the API.
 */
let te: TestEngine;
let t: TestTenant;

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(
    {
      objects: [
        object('note', [
          field('title', 'text'),
          field('body', 'textarea'),
          field('amount', 'number', { precision: 18, scale: 4 }),
          field('done', 'boolean'),
          field('due', 'date'),
        ]),
      ],
    },
    'arr',
  );
});
afterAll(() => te?.close());

const READ_BACK = {
  text: 'select x::text as x from unnest(?::text[]) with ordinality as u(x, n) order by n',
  numeric: 'select x::text as x from unnest(?::numeric[]) with ordinality as u(x, n) order by n',
  integer: 'select x::text as x from unnest(?::integer[]) with ordinality as u(x, n) order by n',
  boolean: 'select x::text as x from unnest(?::boolean[]) with ordinality as u(x, n) order by n',
  date: 'select x::text as x from unnest(?::date[]) with ordinality as u(x, n) order by n',
  uuid: 'select x::text as x from unnest(?::uuid[]) with ordinality as u(x, n) order by n',
};

async function readBack(values: unknown[], type: keyof typeof READ_BACK): Promise<unknown[]> {
  const r = (await te.engine.db.knex.raw(READ_BACK[type], [arrayLiteral(values)])) as {
    rows: { x: string | null }[];
  };
  return r.rows.map((row) => row.x);
}

// No NUL: the request guard refuses it before any statement (Postgres text cannot hold one).
const text = fc
  .oneof(
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({
      unit: fc.constantFrom('"', '\\', '{', '}', ',', ' ', 'N', 'U', 'L', "'", '\n'),
      maxLength: 12,
    }),
    fc.constantFrom('NULL', 'null', '', ' ', '{}', '"', '\\', '\\"', 'a,b', '{a}'),
  )
  .filter((s) => !s.includes('\u0000'));

describe('array literals', () => {
  it('text arrays read back exactly: quotes, backslashes, braces, commas, blanks and the word NULL', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 30 }),
        async (xs) => {
          expect(await readBack(xs, 'text')).toEqual(xs);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('numbers, booleans, dates and uuids read back as the values they were', async () => {
    expect(await readBack([0, -0, 1.5, -2.25, 1e21, 123456789.1234, null], 'numeric')).toEqual([
      '0',
      '0',
      '1.5',
      '-2.25',
      '1000000000000000000000',
      '123456789.1234',
      null,
    ]);
    expect(await readBack([7, -3, null], 'integer')).toEqual(['7', '-3', null]);
    expect(await readBack([true, false, null], 'boolean')).toEqual(['true', 'false', null]);
    expect(await readBack(['2025-02-28', null], 'date')).toEqual(['2025-02-28', null]);
    const id = '0b6f6a2e-3f1c-4b8e-9a7d-2c5e8f1a9b3c';
    expect(await readBack([id, null], 'uuid')).toEqual([id, null]);
    const at = new Date('2026-11-29T10:00:00.123Z');
    const [stamp] = (
      await te.engine.db.knex.raw('select (x = ?::timestamptz) as same from unnest(?::timestamptz[]) as x', [
        at.toISOString(),
        arrayLiteral([at]),
      ])
    ).rows as { same: boolean }[];
    expect(stamp.same).toBe(true);
  });

  it('a batch through the API stores and returns such texts unchanged', async () => {
    const titles = ['say "hi"', 'back\\slash', '{braces}', 'a, b', 'NULL', '  padded', '中文，标点'];
    const r = await t.post('/api/v1/data/note/batch', {
      records: titles.map((title, i) => ({
        title,
        body: `${title}\n${i}`,
        amount: i + 0.5,
        done: i % 2 === 0,
        due: '2026-01-0' + (i + 1),
      })),
    });
    expect(r.status).toBe(200);
    // `title` is a single-line text: trimmed on the way in (normalize), as a single write is.
    expect(r.body.data.map((x: { title: string }) => x.title)).toEqual(titles.map((s) => s.trim()));
    const stored = await t.get(`/api/v1/data/note?sort=due&limit=50`);
    expect(
      stored.body.data.map((x: Record<string, unknown>) => [x.title, x.body, x.amount, x.done, x.due]),
    ).toEqual(
      titles.map((title, i) => [title.trim(), `${title}\n${i}`, i + 0.5, i % 2 === 0, '2026-01-0' + (i + 1)]),
    );
  });
});
