import type { Knex } from 'knex';
import { DomainError, notFound } from '../core/errors.js';
import type { Ident } from '../core/ident.js';
import type { FieldDef, ObjectDef, PackageDef } from '../core/model.js';
import { writeAudit } from '../db/audit.js';
import { snapshotSchema } from '../db/introspect.js';
import { deploy, type DeployRequest, type DeployResult } from '../schema-sync/apply.js';
import { purgeStatements } from '../schema-sync/ddl.js';
import { metaVersions } from '../schema-sync/history.js';
import type { ModelCache } from './model-cache.js';
import type { Tenant } from './tenants.js';

export type DeployOptions = Omit<DeployRequest, 'package' | 'actor'>;

/** Metadata lifecycle of a tenant: current package, plan, deploy, history, rollback, purge. */
export class MetaService {
  constructor(
    private knex: Knex,
    private platform: Ident,
    private models: ModelCache,
  ) {}

  async current(tenant: Tenant) {
    const row = await metaVersions(this.knex, this.platform).latest(tenant.id);
    if (!row) throw notFound();
    return row;
  }

  async deploy(tenant: Tenant, actor: string, pkg: unknown, opts: DeployOptions): Promise<DeployResult> {
    const result = await deploy(this.knex, this.platform, tenant, { ...opts, package: pkg, actor });
    if (result.applied) {
      this.models.invalidate(tenant.id);
      const action = /^(rollback to version |@rollback:)\d+$/.test(opts.comment ?? '')
        ? 'metadata.rolled_back'
        : 'metadata.deployed';
      await writeAudit(this.knex, this.platform, {
        tenantId: tenant.id,
        actor,
        action,
        detail: { version: result.version, comment: opts.comment ?? null },
      });
    }
    return result;
  }

  /** Deploys a package changed by `edit` (one object added, replaced or removed): one version. */
  async deployEdit(
    tenant: Tenant,
    actor: string,
    edit: (pkg: PackageDef) => PackageDef,
    opts: DeployOptions,
  ) {
    const cur = await this.current(tenant);
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== cur.version)
      throw new DomainError(412, 'META_VERSION_CONFLICT', { current: cur.version });
    return this.deploy(tenant, actor, edit(structuredClone(cur.package)), {
      ...opts,
      expectedVersion: cur.version,
    });
  }

  upsertObject(tenant: Tenant, actor: string, object: ObjectDef, opts: DeployOptions) {
    return this.deployPart(
      tenant,
      actor,
      (pkg) => {
        const i = pkg.objects.findIndex((o) => o.name === object.name || (object.id && o.id === object.id));
        if (i >= 0) pkg.objects[i] = object;
        else pkg.objects.push(object);
        return `/objects/${i >= 0 ? i : pkg.objects.length - 1}`;
      },
      opts,
    );
  }

  /** Adds one field to an object (or replaces the same-named one): one deploy. */
  upsertField(tenant: Tenant, actor: string, objectName: string, field: FieldDef, opts: DeployOptions) {
    return this.deployPart(
      tenant,
      actor,
      (pkg) => {
        const oi = pkg.objects.findIndex((x) => x.name === objectName);
        const o = pkg.objects[oi];
        if (!o) throw notFound('OBJECT_NOT_FOUND', { object: objectName });
        const i = o.fields.findIndex((f) => f.name === field.name);
        if (i >= 0) o.fields[i] = { ...field, id: field.id ?? o.fields[i].id };
        else o.fields.push(field);
        return `/objects/${oi}/fields/${i >= 0 ? i : o.fields.length - 1}`;
      },
      opts,
    );
  }

  /**
   * Deploys an edit of one part of the package (`place` puts it in and says where), with the
   * problems about that part pointing into the part that was sent (see `rebased`).
   */
  private deployPart(tenant: Tenant, actor: string, place: (pkg: PackageDef) => string, opts: DeployOptions) {
    let at = '';
    return rebased(
      () => at,
      this.deployEdit(
        tenant,
        actor,
        (pkg) => {
          at = place(pkg);
          return pkg;
        },
        opts,
      ),
    );
  }

  removeObject(tenant: Tenant, actor: string, name: string, opts: DeployOptions) {
    return this.deployEdit(
      tenant,
      actor,
      (pkg) => {
        if (!pkg.objects.some((o) => o.name === name)) throw notFound('OBJECT_NOT_FOUND', { object: name });
        return { ...pkg, objects: pkg.objects.filter((o) => o.name !== name) };
      },
      opts,
    );
  }

  versions(tenant: Tenant) {
    return metaVersions(this.knex, this.platform).list(tenant.id);
  }

  async version(tenant: Tenant, version: number) {
    const row = await metaVersions(this.knex, this.platform).get(tenant.id, version);
    if (!row) throw notFound('META_VERSION_NOT_FOUND', { version });
    return row;
  }

  /** Rollback = deploying an earlier package as a new version; retired data comes back with it. */
  async rollback(tenant: Tenant, actor: string, version: number, opts: DeployOptions) {
    const row = await this.version(tenant, version);
    return this.deploy(tenant, actor, row.package, {
      ...opts,
      // Language-neutral: the studio shows "rollback to version 3" / "回滚到版本 3".
      comment: opts.comment ?? `@rollback:${version}`,
    });
  }

  /** Physically drops retired columns and tables: after this, a rollback brings back empty fields. */
  async purge(tenant: Tenant, actor: string) {
    const snap = await snapshotSchema(this.knex, tenant.schema);
    const retired: { table: Ident; column?: Ident }[] = [];
    for (const [table, cols] of snap.tables) {
      if (table.startsWith('_r_')) retired.push({ table: table as Ident });
      else
        for (const c of cols.keys())
          if (c.startsWith('_r_')) retired.push({ table: table as Ident, column: c as Ident });
    }
    await this.knex.transaction(async (trx) => {
      for (const s of purgeStatements({ schema: tenant.schema, platform: this.platform }, retired))
        await trx.raw(s.sql);
      await writeAudit(trx, this.platform, {
        tenantId: tenant.id,
        actor,
        action: 'metadata.purged',
        detail: { purged: retired },
      });
    });
    return retired;
  }
}

/**
 * Problems of an edit sent as one object or field point into the body that was sent (`/type`),
 * not into the whole package the engine deployed (`/objects/9/fields/11/type`). Problems
 * elsewhere in the package keep their package pointers.
 */
async function rebased<T>(prefix: () => string, run: Promise<T>): Promise<T> {
  try {
    return await run;
  } catch (e) {
    const at = prefix();
    if (!(e instanceof DomainError) || !at || !e.issues.length) throw e;
    const issues = e.issues.map((i) =>
      i.pointer === at || i.pointer.startsWith(at + '/') ? { ...i, pointer: i.pointer.slice(at.length) } : i,
    );
    throw new DomainError(e.status, e.code, e.params, issues, e.extra);
  }
}
