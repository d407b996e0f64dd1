/**
 * Many tenants on one Postgres server (issue 14, item 6): `npm run bench:tenants`.
 *
 * In a database of its own (BENCH_DB, default `bench_tenants`, made and dropped here; its tenant
 * roles are dropped with it), so it never touches the tests' database:
 *  1. TENANTS tenants × OBJECTS objects, each created from the same package (one deploy per
 *     tenant, the way the platform API creates one); creation time per tenant, early and late;
 *  2. a deploy (one added field) to one tenant, with few tenants and with all of them;
 *  3. cold start of a fresh server process to listening (READY), and to `/ready` answering 200;
 *  4. every tenant's first request in that process (idle tenants: token, model load, compile),
 *     then a second round (tenants past the model cache's size were evicted meanwhile), RSS;
 *  5. what the tenants cost Postgres: pg_class and pg_attribute rows, catalog size, database
 *     size, `pg_dump --schema-only` time, a pg_stat_user_tables read.
 * env: TENANTS (200), OBJECTS (30), FIELDS (9 per object), CONCURRENCY (2 creations at once),
 * DATABASE_URL (the server; its database is replaced by BENCH_DB), KEEP=1 (keep the database;
 * a next run with the same TENANTS and OBJECTS reuses its tenants instead of creating them),
 * DROP=1 (only drop the database and its roles).
 * Prints the results as one JSON line on stdout and writes bench/results/many-tenants.json.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createEngine, type Engine } from '../engine/src/engine.js';
import type { Tenant } from '../engine/src/tenancy/tenants.js';
import { freePort } from './namespace.js';
import { field } from './package.js';
import { spawnServer } from './proc.js';
import { manyObjects } from './wide-objects.js';

const ROOT = resolve(import.meta.dirname, '..');
const env = (n: string, d: string) => process.env[n] || d;
const TENANTS = Number(env('TENANTS', '200'));
const OBJECTS = Number(env('OBJECTS', '30'));
const FIELDS = Number(env('FIELDS', '9'));
const CONCURRENCY = Number(env('CONCURRENCY', '2'));
const KEEP = process.env.KEEP === '1';
const DB = env('BENCH_DB', 'bench_tenants');
if (!/^[a-z_][a-z0-9_]*$/.test(DB)) throw new Error(`BENCH_DB must be a plain name: ${DB}`);
const SERVER = new URL(env('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/test'));
const urlOf = (db: string) => Object.assign(new URL(SERVER), { pathname: `/${db}` }).toString();
const BENCH_URL = urlOf(DB);
/** The platform schema (written into the few SQL texts below as `tessera`). */
const PLATFORM = 'tessera';
const PREFIX = 't_';
const token = (i: number) => `tsr_many_${String(i).padStart(5, '0')}_abcdefghijkl`;
const log = (...a: unknown[]) => console.error('[tenants]', ...a);
const since = (t: number) => Math.round(performance.now() - t);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10 : 0;
};
const median = (xs: number[]) => pct(xs, 50);

/** DDL on names quoted by pg's escapeIdentifier (the bench database, its roles read from pg_roles). */
const ddlText = (text: string) => text;

/** A client on the server's maintenance database (CREATE/DROP DATABASE cannot run in the bench one). */
async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: urlOf('postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The bench database's tenant roles (cluster-wide: they outlive the database unless dropped). */
async function tenantRoles(): Promise<string[]> {
  const c = new pg.Client({ connectionString: BENCH_URL });
  try {
    await c.connect();
    const inst = await c.query("select value from tessera.settings where key = 'installation_id'");
    if (!inst.rows.length) return [];
    const r = await c.query(`select rolname from pg_roles where rolname like '%\\_' || $1 || '\\_app'`, [
      inst.rows[0].value,
    ]);
    return r.rows.map((x: { rolname: string }) => x.rolname);
  } catch {
    return []; // no such database or no platform yet
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function dropBenchDatabase() {
  const roles = await tenantRoles();
  await admin(async (c) => {
    await c.query(ddlText('drop database if exists ' + c.escapeIdentifier(DB) + ' with (force)'));
    for (const r of roles) await c.query(ddlText('drop role if exists ' + c.escapeIdentifier(r)));
  });
  log(`dropped database ${DB} and ${roles.length} tenant roles`);
}

/** Tenants already there (KEEP=1 of an earlier run with the same shape), or null: start afresh. */
async function reusable(): Promise<number | null> {
  const exists = await admin(
    async (c) => (await c.query('select 1 from pg_database where datname = $1', [DB])).rows.length > 0,
  );
  if (!exists) return null;
  const c = new pg.Client({ connectionString: BENCH_URL });
  await c.connect();
  try {
    const r = await c.query("select count(*)::int as n from tessera.tenants where starts_with(slug, 'm')");
    return r.rows[0].n === TENANTS ? TENANTS : null;
  } catch {
    return null;
  } finally {
    await c.end();
  }
}

/** Adds one text field to obj_1 of a tenant: the deploy path (plan, DDL, new version, NOTIFY). */
async function timeDeploy(engine: Engine, tenant: Tenant, round: number): Promise<number> {
  const admin = (await engine.db.knex.withSchema(tenant.schema).table('_users').first('id')) as {
    id: string;
  };
  const t = performance.now();
  await engine.meta.upsertField(
    tenant,
    admin.id,
    'obj_1',
    field(`added_${round}`, 'text', { maxLength: 80 }),
    {},
  );
  return since(t);
}

async function createTenants(out: Record<string, unknown>) {
  const engine = await createEngine({
    databaseUrl: BENCH_URL,
    platformSchema: PLATFORM,
    schemaPrefix: PREFIX,
    poolSize: 4,
    jobs: { start: false },
  });
  try {
    const pkg = manyObjects(OBJECTS, FIELDS);
    const times: number[] = [];
    const create = async (i: number) => {
      const t = performance.now();
      const { tenant } = await engine.tenants.create({
        slug: `m${i}`,
        name: `Tenant ${i}`,
        package: pkg,
        token: token(i),
      });
      times[i] = since(t);
      return tenant;
    };
    const first = await create(0);
    // a deploy to one tenant while few others exist…
    for (let i = 1; i < Math.min(10, TENANTS); i++) await create(i);
    const deployFew = [1, 2, 3].map(() => 0);
    for (let r = 0; r < 3; r++) deployFew[r] = await timeDeploy(engine, first, r);
    const t = performance.now();
    let next = Math.min(10, TENANTS);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TENANTS) {
          const i = next++;
          await create(i);
          if (i % 100 === 0) log(`${i} tenants, last took ${times[i]} ms`);
        }
      }),
    );
    const allMs = since(t);
    // …and while all of them exist
    const deployAll = [0, 0, 0];
    for (let r = 0; r < 3; r++) deployAll[r] = await timeDeploy(engine, first, 3 + r);
    const tenth = Math.max(1, Math.floor(TENANTS / 10));
    out.create = {
      how: `engine.tenants.create with one ${OBJECTS}-object package (${FIELDS} fields each, a lookup to obj_1), ${CONCURRENCY} at once`,
      first_ms: times[0],
      all_ms: allMs + times.slice(0, 10).reduce((a, b) => a + b, 0),
      per_tenant_first_10pct_p50_ms: median(times.slice(1, tenth)),
      per_tenant_last_10pct_p50_ms: median(times.slice(TENANTS - tenth)),
    };
    out.deploy_one_tenant = {
      how: 'upsertField: one text field added to obj_1 of the first tenant (3 times each, median)',
      with_10_tenants_ms: median(deployFew),
      [`with_${TENANTS}_tenants_ms`]: median(deployAll),
      runs: { few: deployFew, all: deployAll },
    };
    log('create', out.create, 'deploy', out.deploy_one_tenant);
  } finally {
    await engine.close();
  }
}

/** A deploy to one tenant on tenants made by an earlier run (KEEP=1). */
async function deployOnExisting(out: Record<string, unknown>) {
  const engine = await createEngine({
    databaseUrl: BENCH_URL,
    platformSchema: PLATFORM,
    schemaPrefix: PREFIX,
    poolSize: 4,
    jobs: { start: false },
  });
  try {
    const first = (await engine.tenants.findBySlug('m0'))!;
    const base = Date.now() % 100_000;
    const runs = [0, 0, 0];
    for (let r = 0; r < 3; r++) runs[r] = await timeDeploy(engine, first, base + r);
    out.deploy_one_tenant = { [`with_${TENANTS}_tenants_ms`]: median(runs), runs, reused: true };
  } finally {
    await engine.close();
  }
}

async function coldStarts(out: Record<string, unknown>) {
  const boots: { listening_ms: number; ready_ms: number; engine_ms: number }[] = [];
  let touched: Record<string, unknown> = {};
  for (let run = 0; run < 3; run++) {
    const port = await freePort();
    const t0 = performance.now();
    const server = await spawnServer(
      ROOT,
      'bench/servers/tessera.ts',
      {
        DATABASE_URL: BENCH_URL,
        PORT: String(port),
        BENCH_ATTACH: '1',
        BENCH_PLATFORM: PLATFORM,
        BENCH_PREFIX: PREFIX,
        BENCH_POOL: '8',
      },
      ['--expose-gc'],
    );
    const listening = Math.round(server.bootMs);
    for (;;) {
      const r = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
      await r?.text();
      if (r?.status === 200) break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    boots.push({ listening_ms: listening, ready_ms: since(t0), engine_ms: server.readyMs });
    log(
      `cold start ${run + 1}: listening ${listening} ms (engine ${server.readyMs} ms), ready ${since(t0)} ms`,
    );
    if (run === 0) touched = await touchAll(port, server);
    await server.stop();
  }
  out.cold_start = {
    how: 'a fresh node process (tsx, bench/servers/tessera.ts): spawn → READY printed (listening) and → GET /ready 200; engine = createEngine to listening, modules already loaded; 3 starts',
    listening_ms: boots.map((b) => b.listening_ms),
    engine_ms: boots.map((b) => b.engine_ms),
    median_engine_ms: median(boots.map((b) => b.engine_ms)),
    ready_ms: boots.map((b) => b.ready_ms),
    median_ready_ms: median(boots.map((b) => b.ready_ms)),
  };
  out.requests = touched;
}

/** Every tenant's first request in a fresh process, a second round, and the process's memory. */
async function touchAll(port: number, server: Awaited<ReturnType<typeof spawnServer>>) {
  const memBoot = await server.ask<{ rss: number }>('mem');
  const get = async (i: number) => {
    const t = performance.now();
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/data/obj_${1 + (i % OBJECTS)}?limit=10`, {
      headers: { authorization: `Bearer ${token(i)}` },
    });
    await r.text();
    if (r.status !== 200) throw new Error(`tenant ${i}: ${r.status}`);
    return performance.now() - t;
  };
  const first: number[] = [];
  const second: number[] = [];
  const warm: number[] = [];
  let t = performance.now();
  for (let i = 0; i < TENANTS; i++) first.push(await get(i));
  const firstAllMs = since(t);
  const memFirst = await server.ask<{ rss: number; heapUsed: number; models: number }>('mem');
  const backends = await postgresBackendMemory();
  t = performance.now();
  for (let i = 0; i < TENANTS; i++) second.push(await get(i));
  const memSecond = await server.ask<{ rss: number; heapUsed: number; models: number }>('mem');
  const third: number[] = [];
  for (let i = 0; i < TENANTS; i++) third.push(await get(i));
  for (let i = 0; i < 200; i++) warm.push(await get(TENANTS - 1));
  const memAll = await server.ask<{ rss: number; heapUsed: number; models: number }>('mem');
  const mib = (b: number) => Math.round(b / 2 ** 20);
  const r = {
    how: `GET /api/v1/data/obj_<k>?limit=10 with each tenant's token, one at a time, in the first cold-started process; three rounds over all tenants; memory after a forced GC`,
    first_request_ms: { p50: pct(first, 50), p90: pct(first, 90), p99: pct(first, 99), max: pct(first, 100) },
    first_request_all_tenants_ms: firstAllMs,
    second_round_ms: { p50: pct(second, 50), p99: pct(second, 99) },
    third_round_ms: { p50: pct(third, 50), p99: pct(third, 99) },
    warm_same_tenant_ms: { p50: pct(warm, 50), p99: pct(warm, 99) },
    rss_after_boot_mib: mib(memBoot.rss),
    rss_all_touched_once_mib: mib(memFirst.rss),
    heap_after_first_round_mib: mib(memFirst.heapUsed),
    rss_after_second_round_mib: mib(memSecond.rss),
    heap_after_second_round_mib: mib(memSecond.heapUsed),
    rss_after_third_round_mib: mib(memAll.rss),
    heap_after_third_round_mib: mib(memAll.heapUsed),
    models_cached: memAll.models,
    postgres_backends_after_first_round: backends,
  };
  log('requests', r);
  return r;
}

/**
 * Private memory of the Postgres backends serving the bench database (its relation and catalog
 * caches grow with every tenant table a connection touches). Read from /proc: only when Postgres
 * runs on this machine; null otherwise.
 */
async function postgresBackendMemory(): Promise<{ backends: number; anon_mib_each: number[] } | null> {
  const c = new pg.Client({ connectionString: BENCH_URL });
  await c.connect();
  try {
    const pids = (
      await c.query('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [DB])
    ).rows.map((r: { pid: number }) => r.pid);
    const anon = pids.map((pid) => {
      const kb = /RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return Math.round((Number(kb) / 1024) * 10) / 10;
    });
    return { backends: pids.length, anon_mib_each: anon.sort((a, b) => b - a) };
  } catch {
    return null;
  } finally {
    await c.end();
  }
}

async function catalogCost(out: Record<string, unknown>) {
  const c = new pg.Client({ connectionString: BENCH_URL });
  await c.connect();
  try {
    const one = async (sql: string) => (await c.query(sql)).rows[0] as Record<string, unknown>;
    const counts = await one(`select
      (select count(*)::int from pg_class) as pg_class_rows,
      (select count(*)::int from pg_attribute) as pg_attribute_rows,
      (select count(*)::int from pg_namespace) as schemas,
      (select count(*)::int from pg_roles) as cluster_roles,
      (select count(*)::int from pg_class where relkind = 'r') as tables,
      (select count(*)::int from pg_class where relkind = 'i') as indexes`);
    const sizes = await one(`select
      (select sum(pg_total_relation_size(c.oid))::bigint from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'pg_catalog' and c.relkind = 'r') as catalog_bytes,
      pg_database_size(current_database())::bigint as database_bytes`);
    const t = performance.now();
    await c.query('select count(*) from pg_stat_user_tables');
    const statMs = since(t);
    const dump = async (args: string[]) => {
      const t0 = performance.now();
      try {
        const { stdout } = await promisify(execFile)('pg_dump', ['--schema-only', ...args, '-d', BENCH_URL], {
          maxBuffer: 1 << 30,
        });
        return { ms: since(t0), mib: Math.round((Buffer.byteLength(stdout) / 2 ** 20) * 10) / 10 };
      } catch (e) {
        return { ms: since(t0), error: String((e as { stderr?: string }).stderr ?? e).split('\n')[0] };
      }
    };
    // The whole database takes one lock per table in one transaction (max_locks_per_transaction);
    // one tenant's schema still reads the whole catalog.
    const whole = await dump([]);
    const oneSchema = await dump(['-n', `${PREFIX}m0`]);
    const locks = await one(
      "select current_setting('max_locks_per_transaction') as max_locks_per_transaction, current_setting('max_connections') as max_connections",
    );
    const mib = (b: unknown) => Math.round((Number(b) / 2 ** 20) * 10) / 10;
    out.postgres = {
      ...counts,
      catalog_mib: mib(sizes.catalog_bytes),
      database_mib: mib(sizes.database_bytes),
      pg_stat_user_tables_ms: statMs,
      pg_dump_schema_only_whole_database: whole,
      pg_dump_schema_only_one_tenant: oneSchema,
      ...locks,
    };
    log('postgres', out.postgres);
  } finally {
    await c.end();
  }
}

async function main() {
  const out: Record<string, unknown> = {
    run_at: new Date().toISOString(),
    tenants: TENANTS,
    objects_per_tenant: OBJECTS,
    fields_per_object: FIELDS,
    node: process.version,
  };
  if (process.env.DROP === '1') return dropBenchDatabase();
  const reuse = KEEP ? await reusable() : null;
  try {
    if (reuse) {
      log(`reusing the ${reuse} tenants of database ${DB}`);
      await deployOnExisting(out);
    } else {
      await dropBenchDatabase();
      await admin((c) => c.query(ddlText('create database ' + c.escapeIdentifier(DB))));
      await createTenants(out);
    }
    await coldStarts(out);
    await catalogCost(out);
    out.server = await admin(async (c) => (await c.query('select version() as v')).rows[0].v as string);
  } finally {
    if (!KEEP) await dropBenchDatabase();
  }
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(ROOT, 'bench/results/many-tenants.json'), JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
