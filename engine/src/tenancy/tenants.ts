import { text as msg } from '../core/messages.js';
import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { DomainError } from '../core/errors.js';
import { internalIdent, type Ident } from '../core/ident.js';
import type { PackageDef } from '../core/model.js';
import { writeAudit } from '../db/audit.js';
import { deploy } from '../schema-sync/apply.js';
import { hashPassword } from './passwords.js';
import { loadRoleNaming, tenantRoleName, type RoleNaming } from './db-roles.js';
import { migrateTenant } from '../db/migrator.js';
import { distributeSchema, hasCitus } from '../db/citus.js';
import { isTimeZone } from '../jobs/schedules.js';
import { USERS, createSchema, dropSchema, dropTenantRole, tenantRoleStatements } from '../schema-sync/ddl.js';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  schema: Ident;
  /** Its database role (tenancy/db-roles.ts). */
  dbRole: Ident;
  /** IANA zone of the tenant's schedules; null: the engine's default. */
  timeZone?: string | null;
}

/** Who is calling: resolved from a bearer token, used by every layer above. */
export interface Principal {
  tenant: Tenant;
  userId: string;
  isAdmin: boolean;
  role: string | null;
  profile: string | null;
  /** What the token may be used for; null = everything the user may do. */
  scopes: TokenScope[] | null;
  /** A password sign-in session, or an API token (scoped or not). */
  kind: 'session' | 'token';
}

/** The label of sign-in sessions in api_tokens (API tokens may not take it). */
export const SESSION_LABEL = 'session';

export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** The database role a tenant's requests run under (see ddl.tenantRoleStatements). */
export const dbRoleOf = (tenant: Tenant): Ident => tenant.dbRole;

export const TENANT_SLUG = /^[a-z][a-z0-9_]{0,29}$/;
// One-shot hash (Node ≥ 20.12): a third of createHash's cost, on every authenticated request.
export const hashToken = (token: string) => hash('sha256', token, 'hex');

export interface CreateTenantOptions {
  slug: string;
  name: string;
  /** Metadata to deploy as version 1 (the standard CRM objects by default). */
  package: PackageDef;
  adminUsername?: string;
  /** A fixed API token (e.g. TESSERA_DEMO_TOKEN); a random one otherwise. */
  token?: string;
  /** The admin's password (hashed with argon2id); without one the admin signs in by token only. */
  adminPassword?: string;
  /** IANA time zone of the tenant's schedules (the engine's default when absent). */
  timeZone?: string;
}

export class TenantStore {
  private bySchemaPrefix: string;
  private created: ((tenant: Tenant) => Promise<void>)[] = [];
  constructor(
    private knex: Knex,
    readonly platform: Ident,
    schemaPrefix: string,
  ) {
    this.bySchemaPrefix = schemaPrefix;
  }

  /** Runs after a tenant is created and its first metadata deployed (e.g. its system job schedules). */
  onCreated(fn: (tenant: Tenant) => Promise<void>): void {
    this.created.push(fn);
  }

  schemaFor(slug: string): Ident {
    return internalIdent(`${this.bySchemaPrefix}${slug}`);
  }

  private tenants = () => this.knex.withSchema(this.platform).table('tenants');
  /** Whether the database is a Citus coordinator: asked once per process. */
  private citus?: Promise<boolean>;
  private naming?: Promise<RoleNaming>;
  private roles() {
    this.naming ??= loadRoleNaming(this.knex, this.platform).catch((e: unknown) => {
      this.naming = undefined;
      throw e;
    });
    return this.naming;
  }
  private async toTenant(row: Record<string, unknown>): Promise<Tenant> {
    const base = {
      id: row.id as string,
      slug: row.slug as string,
      name: row.name as string,
      schema: internalIdent(row.schema_name as string),
      timeZone: (row.time_zone as string | null | undefined) ?? null,
    };
    return { ...base, dbRole: tenantRoleName(await this.roles(), base.id, base.schema) };
  }

  /** The database role of a tenant known by id and schema (background jobs carry no Tenant). */
  async dbRoleFor(id: string, schema: Ident): Promise<Ident> {
    return tenantRoleName(await this.roles(), id, schema);
  }

  async findBySlug(slug: string): Promise<Tenant | null> {
    const row = await this.tenants().where({ slug }).first();
    return row ? this.toTenant(row) : null;
  }

  async list(): Promise<Tenant[]> {
    return Promise.all(
      (await this.tenants().orderBy('slug')).map((r: Record<string, unknown>) => this.toTenant(r)),
    );
  }

  /**
   * Creates the tenant's schema, its engine tables (the tenant engine migrations) and admin user, an API token, and deploys
   * its first metadata version. One transaction for the schema; the deploy is its own (it
   * rolls back alone), and a failed deploy removes the half-made tenant. On a Citus coordinator
   * the schema is distributed (db/citus.ts) between the two.
   */
  async create(opts: CreateTenantOptions): Promise<{ tenant: Tenant; token: string; adminUserId: string }> {
    if (!TENANT_SLUG.test(opts.slug))
      throw new DomainError(422, 'BAD_REQUEST', { reason: msg('R_TENANT_SLUG') });
    if (await this.findBySlug(opts.slug)) throw new DomainError(409, 'TENANT_EXISTS', { slug: opts.slug });
    const tenant = await this.toTenant({
      id: randomUUID(),
      slug: opts.slug,
      name: opts.name,
      schema_name: this.schemaFor(opts.slug),
      time_zone: opts.timeZone ?? null,
    });
    if (opts.timeZone && !isTimeZone(opts.timeZone))
      throw new DomainError(422, 'BAD_REQUEST', { reason: `unknown time zone ${opts.timeZone}` });
    const token = opts.token ?? `tsr_${randomBytes(24).toString('base64url')}`;
    const adminUserId = randomUUID();
    const passwordHash = opts.adminPassword ? await hashPassword(opts.adminPassword) : null;
    await this.knex.transaction(async (trx) => {
      await trx.withSchema(this.platform).table('tenants').insert({
        id: tenant.id,
        slug: tenant.slug,
        name: tenant.name,
        schema_name: tenant.schema,
        time_zone: tenant.timeZone,
      });
      await trx.raw(createSchema(tenant.schema).sql);
      // The role first: its default privileges give it the engine tables the migrations create.
      for (const s of tenantRoleStatements(
        { schema: tenant.schema, platform: this.platform },
        dbRoleOf(tenant),
      ))
        await trx.raw(s.sql);
      await migrateTenant(trx, this.platform, tenant);
      await trx
        .withSchema(tenant.schema)
        .table(USERS)
        .insert({
          id: adminUserId,
          username: opts.adminUsername ?? 'admin',
          display_name: 'Administrator / 管理员',
          password_hash: passwordHash,
          is_admin: true,
        });
      await trx
        .withSchema(this.platform)
        .table('api_tokens')
        .insert({
          token_hash: hashToken(token),
          tenant_id: tenant.id,
          user_id: adminUserId,
          label: 'admin',
        });
    });
    try {
      // On Citus: the schema and its engine tables move to a worker before any object table exists.
      this.citus ??= hasCitus(this.knex).catch((e: unknown) => {
        this.citus = undefined;
        throw e;
      });
      if (await this.citus) await distributeSchema(this.knex, tenant.schema);
      const first = await deploy(this.knex, this.platform, tenant, {
        package: opts.package,
        comment: 'tenant created',
        actor: adminUserId,
      });
      await writeAudit(this.knex, this.platform, {
        tenantId: tenant.id,
        actor: adminUserId,
        action: 'metadata.deployed',
        detail: { version: first.version, comment: 'tenant created' },
      });
    } catch (e) {
      await this.drop(tenant);
      throw e;
    }
    for (const fn of this.created) await fn(tenant);
    return { tenant, token, adminUserId };
  }

  async drop(tenant: Tenant): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx.raw(dropSchema(tenant.schema).sql);
      const role = await trx.raw('select 1 from pg_roles where rolname = ?', [dbRoleOf(tenant)]);
      if (role.rows.length) for (const s of dropTenantRole(dbRoleOf(tenant))) await trx.raw(s.sql);
      await trx.withSchema(this.platform).table('tenants').where({ id: tenant.id }).delete();
    });
  }

  /** The caller behind a bearer token, or null. */
  async principalForToken(token: string): Promise<Principal | null> {
    const row = await this.knex
      .withSchema(this.platform)
      .table('api_tokens as k')
      .join('tenants as t', 't.id', 'k.tenant_id')
      .where('k.token_hash', hashToken(token))
      .andWhere((q) => q.whereNull('k.expires_at').orWhere('k.expires_at', '>', this.knex.fn.now()))
      .first('t.id', 't.slug', 't.name', 't.schema_name', 't.time_zone', 'k.user_id', 'k.scopes', 'k.label');
    if (!row) return null;
    const tenant = await this.toTenant(row);
    const user = await this.knex
      .withSchema(tenant.schema)
      .table(USERS)
      .where({ id: row.user_id, active: true })
      .first('is_admin', 'role', 'profile');
    if (!user) return null;
    return {
      tenant,
      userId: row.user_id as string,
      isAdmin: !!user.is_admin,
      role: user.role ?? null,
      profile: user.profile ?? null,
      scopes: (row.scopes as TokenScope[] | null) ?? null,
      kind: row.label === SESSION_LABEL && row.scopes == null ? 'session' : 'token',
    };
  }

  async setPassword(tenant: Tenant, username: string, password: string): Promise<void> {
    await this.knex
      .withSchema(tenant.schema)
      .table(USERS)
      .where({ username })
      .update({ password_hash: await hashPassword(password) });
  }

  /** Adds an API token for an existing user (e.g. TESSERA_DEMO_TOKEN on an existing demo tenant). */
  async ensureToken(tenant: Tenant, token: string, username = 'admin'): Promise<void> {
    const user = await this.knex.withSchema(tenant.schema).table(USERS).where({ username }).first('id');
    if (!user) return;
    await this.knex
      .withSchema(this.platform)
      .table('api_tokens')
      .insert({ token_hash: hashToken(token), tenant_id: tenant.id, user_id: user.id, label: 'env' })
      .onConflict('token_hash')
      .ignore();
  }
}
