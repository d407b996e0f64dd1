import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../engine/src/engine.js';
import { ALLOW_ALL } from '../../engine/src/records/access.js';
import { TenantStore, dbRoleOf, type Tenant } from '../../engine/src/tenancy/tenants.js';
import { DATABASE_URL, onServer, startEngine, type TestEngine } from '../helpers/engine.js';
import { salesPackage } from '../helpers/packages.js';

/**
 * Tenant database roles are cluster-wide names: two installations on one Postgres cluster, or a
 * database dropped and made again, must not collide on them (issue 10 F).
 */
let te: TestEngine;
const leftover: string[] = [];
beforeAll(async () => {
  te = await startEngine();
});
afterAll(async () => {
  for (const role of leftover) await te.engine.db.knex.raw('drop role if exists ??', [role]);
  await te?.close();
});

const knex = () => te.engine.db.knex;
const prefixOf = async () => {
  const t = (await te.engine.tenants.list())[0];
  return t.schema.slice(0, t.schema.length - t.slug.length);
};
/** A fresh TenantStore over the same database: what the next engine start sees. */
const restart = async () => new TenantStore(knex(), te.engine.platform, await prefixOf());
/** What a dropped-and-recreated database looks like to the cluster: the schemas are gone, the roles stay. */
async function forgetInstallation(tenant: Tenant) {
  await knex().raw('drop schema if exists ?? cascade', [tenant.schema]);
  await knex().withSchema(te.engine.platform).table('tenants').where({ id: tenant.id }).delete();
  await knex()
    .withSchema(te.engine.platform)
    .table('settings')
    .whereIn('key', ['installation_id', 'legacy_role_tenants'])
    .delete();
}

async function countAccounts(tenant: Tenant) {
  const model = await te.engine.models.get(tenant.id);
  const page = await te.engine.records.list(
    {
      tenantId: tenant.id,
      schema: tenant.schema,
      actor: 'x',
      model,
      access: ALLOW_ALL,
      dbRole: dbRoleOf(tenant),
    },
    'account',
    {},
  );
  return page.data.length;
}

describe('tenant database roles', () => {
  it('are named per installation and stay within 63 bytes', async () => {
    await te.tenant(salesPackage(), 'named');
    const t = (await te.engine.tenants.findBySlug('named'))!;
    const id = (
      await knex().withSchema(te.engine.platform).table('settings').where({ key: 'installation_id' }).first()
    ).value as string;
    expect(id).toMatch(/^[0-9a-f]{10}$/);
    expect(dbRoleOf(t)).toBe(`${t.schema}_${id}_app`);
    const role = await knex().raw('select 1 from pg_roles where rolname = ?', [dbRoleOf(t)]);
    expect(role.rows).toHaveLength(1);
    const long = (await restart()).schemaFor('a'.repeat(30));
    const { tenantRoleName } = await import('../../engine/src/tenancy/db-roles.js');
    const name = tenantRoleName(
      { installation: id, legacy: new Set() },
      'x',
      `${long}_${'b'.repeat(20)}` as never,
    );
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });

  it('a database made again on the same cluster creates the same tenant again', async () => {
    await te.tenant(salesPackage(), 'again');
    const first = (await te.engine.tenants.findBySlug('again'))!;
    leftover.push(dbRoleOf(first));
    await forgetInstallation(first);
    const store = await restart();
    const { tenant } = await store.create({ slug: 'again', name: 'Again', package: salesPackage() });
    expect(dbRoleOf(tenant)).not.toBe(dbRoleOf(first));
    expect(await countAccounts(tenant)).toBe(0);
    await store.drop(tenant);
  });

  it('tenants of an older install keep their <schema>_app role; new tenants get namespaced ones', async () => {
    const { adminUserId } = await te.tenant(salesPackage(), 'older');
    const made = (await te.engine.tenants.findBySlug('older'))!;
    // As the engine before this change named it.
    await knex().raw('alter role ?? rename to ??', [dbRoleOf(made), `${made.schema}_app`]);
    await knex()
      .withSchema(te.engine.platform)
      .table('settings')
      .whereIn('key', ['installation_id', 'legacy_role_tenants'])
      .delete();
    const store = await restart();
    const older = (await store.findBySlug('older'))!;
    expect(dbRoleOf(older)).toBe(`${older.schema}_app`);
    await te.engine.records.create(
      {
        tenantId: older.id,
        schema: older.schema,
        actor: adminUserId,
        model: await te.engine.models.get(older.id),
        access: ALLOW_ALL,
        dbRole: dbRoleOf(older),
      } as never,
      'account',
      { name: 'Still here' },
    );
    expect(await countAccounts(older)).toBe(1);
    const { tenant: newer } = await store.create({ slug: 'newer', name: 'Newer', package: salesPackage() });
    expect(dbRoleOf(newer)).toMatch(new RegExp(`^${newer.schema}_[0-9a-f]{10}_app$`));
    await store.drop(older);
    await store.drop(newer);
  });
});

describe.runIf(onServer)('two installations on one cluster', () => {
  it('each creates a tenant of the same slug, with the same platform schema and prefix', async () => {
    const tag = randomBytes(4).toString('hex');
    const dbName = `tessera_second_${tag}`;
    await knex().raw('create database ??', [dbName]);
    const url = new URL(DATABASE_URL!);
    url.pathname = `/${dbName}`;
    const cfg = { platformSchema: `tp2_${tag}`, schemaPrefix: `tt2${tag}_`, poolSize: 2 };
    const a = await createEngine({ ...cfg, databaseUrl: DATABASE_URL });
    const b = await createEngine({ ...cfg, databaseUrl: url.toString() });
    try {
      const ta = await a.tenants.create({ slug: 'same', name: 'A', package: salesPackage() });
      const tb = await b.tenants.create({ slug: 'same', name: 'B', package: salesPackage() });
      expect(dbRoleOf(ta.tenant)).not.toBe(dbRoleOf(tb.tenant));
      await b.tenants.drop(tb.tenant);
      await a.tenants.drop(ta.tenant);
    } finally {
      await a.db.knex.raw('drop schema if exists ?? cascade', [cfg.platformSchema]);
      await a.close();
      await b.close();
      const admin = knexFactory({ client: 'pg', connection: DATABASE_URL });
      await admin.raw('drop database if exists ??', [dbName]);
      await admin.destroy();
    }
  });
});
