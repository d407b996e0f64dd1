import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteStatements } from '../../engine/src/db/pglite-statements.js';

/**
 * Named statements on embedded PGlite (db/pglite-statements.ts), held to PGlite's own `query()`:
 * the same rows for every type the engine binds, errors that leave the connection usable, a table
 * changed under a statement, and the bound on names.
 */
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(`
    create table t (
      id uuid primary key, n numeric, i int, b boolean, tags text[], doc jsonb, at timestamptz,
      d date, code text unique
    );
    insert into t values
      ('00000000-0000-4000-8000-000000000001', 12.50, 7, true, '{a,"b c"}', '{"k": [1, "x"]}',
       '2026-11-29 04:00:00.123+00', '2026-11-29', 'one');
  `);
});
afterAll(() => db?.close());

const SELECT = 'select id, n, i, b, tags, doc, at, d, code from t where id = $1';
const INSERT =
  'insert into t (id, n, i, b, tags, doc, at, d, code) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning *';

describe('named statements on PGlite', () => {
  it('answer what query() answers, for every type the engine binds', async () => {
    const s = new PgliteStatements(db, 10);
    const id = '00000000-0000-4000-8000-000000000002';
    const values = [
      id,
      3.25,
      42,
      false,
      ['x', 'y "z"'],
      JSON.stringify({ a: [1, null] }),
      new Date(0),
      '2020-02-29',
      'two',
    ];
    const inserted = await s.run(INSERT, values);
    for (const key of ['00000000-0000-4000-8000-000000000001', id]) {
      const named = await s.run(SELECT, [key]);
      const plain = (await db.query(SELECT, [key])).rows;
      expect(named).toEqual(plain);
      expect(named).toHaveLength(1);
    }
    expect(inserted[0]).toMatchObject({
      id,
      i: 42,
      b: false,
      tags: ['x', 'y "z"'],
      doc: { a: [1, null] },
      code: 'two',
    });
    expect((inserted[0]!.at as Date).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(await s.run(SELECT, ['00000000-0000-4000-8000-0000000000ff'])).toEqual([]);
  });

  it('a refused statement throws the database error and leaves the connection usable', async () => {
    const s = new PgliteStatements(db, 10);
    const dup = ['00000000-0000-4000-8000-000000000003', 1, 1, true, [], '{}', null, null, 'one'];
    const err = (await s.run(INSERT, dup).catch((e: unknown) => e)) as { code?: string; constraint?: string };
    expect(err.code).toBe('23505');
    expect(err.constraint).toBe('t_code_key');
    expect(await s.run(SELECT, ['00000000-0000-4000-8000-000000000001'])).toHaveLength(1);
    expect((await db.query('select count(*)::int as n from t')).rows).toEqual([{ n: 2 }]);
  });

  it('a table changed under a statement: the plan error, then forget() and it runs again', async () => {
    const s = new PgliteStatements(db, 10);
    const star = 'select * from t where id = $1';
    const id = '00000000-0000-4000-8000-000000000001';
    expect(Object.keys((await s.run(star, [id]))[0]!)).not.toContain('extra');
    await db.exec('alter table t add column extra text');
    const err = (await s.run(star, [id]).catch((e: unknown) => e)) as { code?: string };
    expect(err.code).toBe('0A000'); // cached plan must not change result type
    s.forget();
    expect(Object.keys((await s.run(star, [id]))[0]!)).toContain('extra');
  });

  it('keeps at most its limit of names in the database, closing the one evicted', async () => {
    const s = new PgliteStatements(db, 2);
    const before = await prepared();
    for (let k = 1; k <= 4; k++)
      await s.run(`select ${k}::int as k, id from t where id = $1`, ['00000000-0000-4000-8000-000000000001']);
    const mine = (await prepared()).filter((x) => !before.includes(x));
    expect(mine).toHaveLength(2);
    // the two most recent are the ones kept
    const texts = (
      await db.query<{ statement: string }>('select statement from pg_prepared_statements')
    ).rows.map((r) => r.statement);
    expect(texts.some((t) => t.includes('select 4::int'))).toBe(true);
    expect(texts.some((t) => t.includes('select 1::int'))).toBe(false);
  });
});

async function prepared(): Promise<string[]> {
  return (await db.query<{ name: string }>('select name from pg_prepared_statements')).rows.map(
    (r) => r.name,
  );
}
