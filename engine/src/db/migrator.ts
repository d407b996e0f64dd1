import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import { TENANTS } from './engine-tables.js';
import { PLATFORM_MIGRATIONS, TENANT_MIGRATIONS } from './migrations/index.js';
import type { EngineMigration, MigrationContext } from './migrations/migration.js';

/** knex's record of applied steps: one table in the platform schema, one in each tenant's. */
export const PLATFORM_MIGRATIONS_TABLE = 'engine_migrations';
export const TENANT_MIGRATIONS_TABLE = '_engine_migrations';
/** The last tenant step: tenants.engine_version holds it once a tenant's schema is there. */
export const TENANT_SCHEMA_VERSION = TENANT_MIGRATIONS[TENANT_MIGRATIONS.length - 1].name;

/**
 * knex's migrator reads steps from this list, never from files on disk: the modules are compiled
 * with the engine, so the same steps run under tsx and from the build.
 */
class ListSource implements Knex.MigrationSource<EngineMigration> {
  constructor(
    private list: readonly EngineMigration[],
    private ctx: MigrationContext,
  ) {}
  async getMigrations() {
    return [...this.list];
  }
  getMigrationName(m: EngineMigration) {
    return m.name;
  }
  async getMigration(m: EngineMigration): Promise<Knex.Migration> {
    return {
      up: (db: Knex) => m.up(db, this.ctx),
      down: async () => {
        throw new Error('engine migrations are forward only');
      },
    };
  }
}

/** Runs the pending steps of one schema in the caller's transaction; returns their names. */
async function latest(
  trx: Knex.Transaction,
  list: readonly EngineMigration[],
  ctx: MigrationContext,
  tableName: string,
): Promise<string[]> {
  try {
    const [, applied] = (await trx.migrate.latest({
      migrationSource: new ListSource(list, ctx),
      schemaName: ctx.schema,
      tableName,
    })) as [number, string[]];
    return applied;
  } catch (e) {
    // knex names steps it has a record of but no module for: a newer engine migrated this schema.
    if (e instanceof Error && /migration directory is corrupt/.test(e.message))
      throw new Error(
        `Schema "${ctx.schema}" was migrated by a newer Tessera than this one (${e.message.replace(/^.*missing:\s*/, 'unknown steps: ')}); run the newer version.`,
      );
    throw e;
  }
}

const lockKey = (...parts: string[]) => ['tessera:migrate', ...parts].join(':');

/**
 * The platform schema's pending steps, in one transaction under an advisory lock: a second
 * process starting at once waits, then finds nothing left to do.
 */
export function migratePlatform(knex: Knex, platform: Ident): Promise<string[]> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [lockKey(platform)]);
    await trx.raw('create schema if not exists ??', [platform]);
    return latest(trx, PLATFORM_MIGRATIONS, { platform, schema: platform }, PLATFORM_MIGRATIONS_TABLE);
  });
}

export interface TenantRef {
  id: string;
  schema: Ident;
}

/**
 * A tenant schema's pending steps under the tenant's advisory lock, in `db` when it is a
 * transaction (tenant creation) or in a transaction of its own. Marks the tenant as up to date.
 */
export async function migrateTenant(db: Knex, platform: Ident, tenant: TenantRef): Promise<string[]> {
  const run = async (trx: Knex.Transaction) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [lockKey(platform, tenant.id)]);
    const applied = await latest(
      trx,
      TENANT_MIGRATIONS,
      { platform, schema: tenant.schema },
      TENANT_MIGRATIONS_TABLE,
    );
    await trx
      .withSchema(platform)
      .table(TENANTS)
      .where({ id: tenant.id })
      .update({ engine_version: TENANT_SCHEMA_VERSION });
    return applied;
  };
  return db.isTransaction ? run(db as Knex.Transaction) : db.transaction(run);
}

export interface MigrationReport {
  /** Steps this process applied to the platform schema. */
  platform: string[];
  /** Steps this process applied per tenant (tenants it found up to date are absent). */
  tenants: { tenantId: string; applied: string[] }[];
}

/**
 * At start-up: the platform schema, then every tenant not yet at the last tenant step, each in
 * a transaction of its own (an interrupted run resumes with the tenants left).
 */
export async function migrateEngine(knex: Knex, platform: Ident): Promise<MigrationReport> {
  const report: MigrationReport = { platform: await migratePlatform(knex, platform), tenants: [] };
  const behind = (await knex
    .withSchema(platform)
    .table(TENANTS)
    .whereRaw('engine_version is distinct from ?', [TENANT_SCHEMA_VERSION])
    .orderBy('created_at')
    .select('id', 'schema_name')) as { id: string; schema_name: Ident }[];
  for (const t of behind) {
    const applied = await migrateTenant(knex, platform, { id: t.id, schema: t.schema_name });
    if (applied.length) report.tenants.push({ tenantId: t.id, applied });
  }
  return report;
}
