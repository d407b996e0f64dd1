import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { internalIdent } from '../../engine/src/core/ident.js';
import { migratePlatform } from '../../engine/src/db/migrator.js';
import { PLATFORM_MIGRATIONS } from '../../engine/src/db/migrations/index.js';
import { createEngine, type Engine } from '../../engine/src/engine.js';
import { DATABASE_URL, onServer } from '../helpers/engine.js';
import { field, salesPackage } from '../helpers/packages.js';

/**
 * A database made by the engine before engine migrations existed (commit 5016220, see the
 * fixture's header) upgrades on start, and everything works on it afterwards.
 */
const FIXTURE = readFileSync(join(import.meta.dirname, '../fixtures/engine-5016220.sql'), 'utf8');
const TOKEN = 'tsr_fixture_admin_token';

/** The fixture with its schema names (and so its tenant role) renamed for this run. */
const fixtureSql = (platform: string, prefix: string) =>
  FIXTURE.replaceAll('fixplat', platform).replaceAll('fixten_', prefix);

const engines: Engine[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const e of engines) await e.close().catch(() => undefined);
  for (const c of cleanups) await c();
});

/** The engine tables of a schema as the catalog describes them: columns, constraints, indexes. */
async function shape(knex: Knex, schema: string, tables: string[]) {
  const columns = await knex.raw(
    `select table_name, column_name, data_type, is_nullable, column_default
       from information_schema.columns where table_schema = ? and table_name = any(?)
      order by table_name, column_name`,
    [schema, tables],
  );
  const constraints = await knex.raw(
    `select c.conrelid::regclass::text as t, c.contype, pg_get_constraintdef(c.oid) as def
       from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where n.nspname = ? and c.conrelid::regclass::text ~ ? order by 1, 2, 3`,
    [schema, `\\.(${tables.join('|')})$`],
  );
  const indexes = await knex.raw(
    'select tablename, indexname, indexdef from pg_indexes where schemaname = ? and tablename = any(?) order by 1, 2',
    [schema, tables],
  );
  const strip = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(`${schema}.`, 'S.'));
  return strip({ columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows });
}

const TENANT_TABLES = ['_users', '_outbox', '_sequences', '_record_shares', '_field_history'];
const PLATFORM_TABLES = ['tenants', 'api_tokens', 'meta_versions', 'audit_log', 'settings'];

/** Sign-in, reads of the old records, writes, a deploy: the smoke flows on the upgraded tenant. */
async function smokeFlows(engine: Engine) {
  const app = engine.app;
  const auth = (t: request.Test) => t.set('Authorization', `Bearer ${TOKEN}`);
  const login = await request(app)
    .post('/api/v1/auth/login')
    .send({ tenant: 'acme', username: 'admin', password: 'fixture-pass-1' });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  const session = login.body.data.access_token as string;
  const me = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${session}`);
  expect(me.body.data.isAdmin).toBe(true);

  const old = await auth(request(app).get('/api/v1/data/opportunity?expand=account'));
  expect(old.status, JSON.stringify(old.body)).toBe(200);
  expect(old.body.data).toHaveLength(1);
  expect(old.body.data[0]).toMatchObject({ name: 'Fixture deal', amount: 6000 });
  expect(old.body.data[0].account.name).toBe('Fixture Account');

  const acc = await auth(request(app).post('/api/v1/data/account')).send({ name: 'After upgrade' });
  expect(acc.status, JSON.stringify(acc.body)).toBe(201);
  const list = await auth(request(app).get('/api/v1/data/account?sort=name'));
  expect(list.body.data.map((r: { name: string }) => r.name)).toEqual(['After upgrade', 'Fixture Account']);

  const pkg = salesPackage();
  pkg.objects.find((o) => o.name === 'account')!.fields.push(field('website', 'text'));
  const deployed = await auth(request(app).post('/api/v1/meta/deploy')).send({ package: pkg });
  expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
  // Only the new column: a deploy never touches the engine's own tables or their indexes.
  expect(deployed.body.data.steps.map((s: { change: { kind: string } }) => s.change.kind)).toEqual([
    'addColumn',
  ]);
  const withField = await auth(request(app).patch(`/api/v1/data/account/${acc.body.data.id}`)).send({
    website: 'https://example.com',
  });
  expect(withField.status, JSON.stringify(withField.body)).toBe(200);
  expect(withField.body.data.website).toBe('https://example.com');

  const users = await auth(request(app).get('/api/v1/users'));
  expect(users.body.data.map((u: { username: string }) => u.username).sort()).toEqual(['admin', 'rep1']);
}

describe.skipIf(onServer)('a PGlite data folder made by the previous engine', () => {
  it('is migrated on start, keeps its data, and every smoke flow works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-upgrade-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const old = await PGlite.create({ dataDir: dir, extensions: { pg_trgm } });
    await old.exec(fixtureSql('fixplat', 'fixten_'));
    await old.close();

    const engine = await createEngine({ dataDir: dir, platformSchema: 'fixplat', schemaPrefix: 'fixten_' });
    engines.push(engine);
    const tenant = (await engine.tenants.findBySlug('acme'))!;
    expect(engine.migrations).toEqual({
      platform: ['0001_platform_baseline', '0002_jobs', '0003_audit_origin', '0004_login_attempts'],
      tenants: [
        {
          tenantId: tenant.id,
          applied: [
            '0001_tenant_baseline',
            '0002_origins_stage_history',
            '0003_user_manager',
            '0004_approvals',
            '0005_approval_cancelled',
          ],
        },
      ],
    });
    await smokeFlows(engine);

    // The adopted tables are exactly what the baseline makes on an empty database.
    const knex = engine.db.knex;
    const fresh = await engine.tenants.create({ slug: 'fresh', name: 'Fresh', package: salesPackage() });
    expect(await shape(knex, tenant.schema, TENANT_TABLES)).toEqual(
      await shape(knex, fresh.tenant.schema, TENANT_TABLES),
    );
    await migratePlatform(knex, internalIdent('freshplat'));
    expect(await shape(knex, 'fixplat', PLATFORM_TABLES)).toEqual(
      await shape(knex, 'freshplat', [...PLATFORM_TABLES]),
    );
    await engine.close();
    engines.pop();

    // A second start finds nothing to do.
    const again = await createEngine({ dataDir: dir, platformSchema: 'fixplat', schemaPrefix: 'fixten_' });
    engines.push(again);
    expect(again.migrations).toEqual({ platform: [], tenants: [] });
    const count = await again.db.knex.withSchema('fixplat').table('engine_migrations').count({ n: '*' });
    expect(count[0].n).toBe(PLATFORM_MIGRATIONS.length);
  });
});

describe.skipIf(!onServer)('a Postgres database made by the previous engine', () => {
  it('two engine processes starting at once migrate it once, and it works', async () => {
    const tag = randomBytes(4).toString('hex');
    const platform = `tp_up${tag}`;
    const prefix = `tt${tag}_`;
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(fixtureSql(platform, prefix));
    await client.end();
    const db = knexFactory({ client: 'pg', connection: DATABASE_URL });
    cleanups.push(async () => {
      await db.raw('drop schema if exists ?? cascade', [platform]);
      await db.raw('drop schema if exists ?? cascade', [`${prefix}acme`]);
      await db.raw('drop owned by ??', [`${prefix}acme_app`]);
      await db.raw('drop role if exists ??', [`${prefix}acme_app`]);
      await db.destroy();
    });

    const cfg = { databaseUrl: DATABASE_URL, platformSchema: platform, schemaPrefix: prefix, poolSize: 4 };
    const both = await Promise.all([createEngine(cfg), createEngine(cfg)]);
    engines.push(...both);
    // Each step ran in exactly one of the two.
    const platformSteps = both.flatMap((e) => e.migrations.platform);
    expect(platformSteps.sort()).toEqual([
      '0001_platform_baseline',
      '0002_jobs',
      '0003_audit_origin',
      '0004_login_attempts',
    ]);
    expect(both.filter((e) => e.migrations.platform.length)).toHaveLength(1);
    const tenantSteps = both.flatMap((e) => e.migrations.tenants.flatMap((t) => t.applied));
    expect(tenantSteps).toEqual([
      '0001_tenant_baseline',
      '0002_origins_stage_history',
      '0003_user_manager',
      '0004_approvals',
      '0005_approval_cancelled',
    ]);
    const rows = await db.withSchema(platform).table('engine_migrations').orderBy('id').pluck('name');
    expect(rows).toEqual(['0001_platform_baseline', '0002_jobs', '0003_audit_origin', '0004_login_attempts']);
    const tenantRows = await db.withSchema(`${prefix}acme`).table('_engine_migrations').pluck('name');
    expect(tenantRows).toEqual([
      '0001_tenant_baseline',
      '0002_origins_stage_history',
      '0003_user_manager',
      '0004_approvals',
      '0005_approval_cancelled',
    ]);

    await smokeFlows(both[1]);

    // A database a newer engine migrated: this one refuses to start on it, saying why.
    await db
      .withSchema(platform)
      .table('engine_migrations')
      .insert({ name: '9999_from_the_future', batch: 9 });
    await expect(createEngine(cfg)).rejects.toThrow(/migrated by a newer Tessera.*9999_from_the_future/);
  });
});
