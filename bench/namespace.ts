/**
 * Several bench runs may share one Postgres server (other people, other checkouts): each run
 * works in schemas and roles of its own, `bench_<tag>_…`, and holds an advisory lock on its tag
 * while it runs. At the start a run drops only the leftovers of runs whose lock nobody holds
 * (crashed or finished runs), never the schemas of a run in progress; at the end it drops its own.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';

export const newTag = () => randomBytes(3).toString('hex');
export const namespaceOf = (tag: string) => `bench_${tag}`;
const TAGGED = /^bench_([0-9a-f]{6})_/;
/** Clean-up DDL on names read from pg_namespace/pg_roles, quoted by pg's escapeIdentifier. */
const ddlText = (text: string) => text;

/** Holds the run's lock until `release()`; the connection's end releases it too (a crash). */
export async function holdTag(url: string, tag: string) {
  const c = new pg.Client({ connectionString: url, application_name: `tessera-bench-${tag}` });
  await c.connect();
  await c.query('select pg_advisory_lock(hashtext($1))', [namespaceOf(tag)]);
  return { release: () => c.end() };
}

/** Drops the schemas and roles of `tags` (or of every run nobody holds, when `tags` is 'unheld'). */
export async function dropRuns(url: string, tags: string[] | 'unheld') {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const schemas = (
      await c.query(`select nspname from pg_namespace where nspname like 'bench\\_%'`)
    ).rows.map((r) => r.nspname as string);
    const roles = (
      await c.query(`select rolname from pg_roles where rolname like 'bench\\_%\\_app'`)
    ).rows.map((r) => r.rolname as string);
    const tagOf = (n: string) => TAGGED.exec(n)?.[1];
    const candidates = [...new Set([...schemas, ...roles].map(tagOf).filter((t): t is string => !!t))];
    const gone: string[] = [];
    for (const tag of candidates) {
      if (tags !== 'unheld' && !tags.includes(tag)) continue;
      if (tags === 'unheld') {
        const free = (await c.query('select pg_try_advisory_lock(hashtext($1)) as ok', [namespaceOf(tag)]))
          .rows[0].ok as boolean;
        if (!free) continue; // a run in progress
        await c.query('select pg_advisory_unlock(hashtext($1))', [namespaceOf(tag)]);
      }
      gone.push(tag);
    }
    let n = 0;
    for (const s of schemas.filter((s) => gone.includes(tagOf(s) ?? ''))) {
      await c.query(ddlText('drop schema if exists ' + c.escapeIdentifier(s) + ' cascade'));
      n++;
    }
    for (const r of roles.filter((r) => gone.includes(tagOf(r) ?? ''))) {
      await c.query(ddlText('drop owned by ' + c.escapeIdentifier(r)));
      await c.query(ddlText('drop role if exists ' + c.escapeIdentifier(r)));
    }
    return n;
  } finally {
    await c.end();
  }
}

/** A TCP port nobody listens on now (another run may hold the usual ones). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}
