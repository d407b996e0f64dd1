import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { Ident } from '../core/ident.js';
import type { PackageDef } from '../core/model.js';
import { snapshotSchema } from '../db/introspect.js';
import { META_CHANNEL } from '../db/listen.js';
import { compileModel, type CompiledModel } from '../metadata/compile.js';
import { canonicalJson } from '../metadata/hash.js';
import { assignIds } from '../metadata/ids.js';
import { validatePackage } from '../metadata/validate.js';
import { isMetadataOnly, type SchemaChange } from './changes.js';
import { renderChange, type DdlContext } from './ddl.js';
import { metaVersions } from './history.js';
import { packagePointer, plan } from './plan.js';

export interface DeployRequest {
  package: unknown;
  comment?: string;
  /** Convert even where data would be lost (values that do not convert become NULL, texts are cut). */
  allowLossy?: boolean;
  /** Plan and test everything, then roll back. */
  dryRun?: boolean;
  /** Refuse (412) when the tenant's metadata is no longer at this version. */
  expectedVersion?: number;
  /**
   * Where records of a stage a pipeline no longer has go: `[{pipeline, from, to}]` (checked by
   * the stages extension). Without one, removing a stage that records sit in is refused.
   */
  stageMoves?: unknown;
  actor: string;
}

/**
 * A process feature's part in a deploy (registered at composition time, like gate items):
 * checks of its metadata after the package's own, and data work in the deploy's transaction
 * after the DDL (e.g. moving records out of a removed stage), which a dry run shows and rolls back.
 */
export interface DeployExtension {
  name: string;
  check?(pkg: PackageDef): FieldIssue[];
  apply?(
    trx: Knex.Transaction,
    ctx: { tenant: TenantRef; prev: CompiledModel | null; next: CompiledModel; req: DeployRequest },
  ): Promise<{ issues: FieldIssue[]; steps: PlannedStep[] }>;
}

const extensions = new Map<string, DeployExtension>();
/** Adds (or replaces, by name) a deploy extension. */
export const registerDeployExtension = (e: DeployExtension) => void extensions.set(e.name, e);

/** Issues of extensions that move data: the deploy names what to move instead of allowing loss. */
const MOVE_CODES = new Set(['STAGE_HAS_RECORDS', 'STAGE_MOVE_INVALID']);

export interface PlannedStep {
  change: SchemaChange;
  ddl: boolean;
  sql: string[];
  /** Rows that would not survive this step (first 20), with the total count. */
  blocking?: { count: number; rows: { id: string; value: unknown }[]; fixed: boolean };
}

export interface DeployResult {
  applied: boolean;
  /** The version now current (the new one, or the unchanged current one when nothing changed). */
  version: number;
  previousVersion: number;
  hash: string;
  steps: PlannedStep[];
  /** Problems that stop this deploy; empty when it can go ahead. */
  issues: FieldIssue[];
  package: PackageDef;
}

const hashOf = (pkg: PackageDef) =>
  createHash('sha256').update(canonicalJson(pkg)).digest('hex').slice(0, 32);

class DryRunRollback extends Error {
  constructor(readonly result: DeployResult) {
    super('dry run');
  }
}

export interface TenantRef {
  id: string;
  schema: Ident;
}

/**
 * Validate → diff → plan → check data → apply DDL and store the new version, all in ONE transaction
 * under a per-tenant advisory lock. Any failure rolls everything back: schema, data and metadata.
 */
export async function deploy(
  knex: Knex,
  platform: Ident,
  tenant: TenantRef,
  req: DeployRequest,
): Promise<DeployResult> {
  try {
    return await knex.transaction(async (trx) => {
      const result = await planAndApply(trx, platform, tenant, req);
      if (req.dryRun || result.issues.length) throw new DryRunRollback(result);
      return result;
    });
  } catch (e) {
    if (!(e instanceof DryRunRollback)) throw e;
    if (req.dryRun) return e.result;
    const refused = e.result.issues.some((i) => i.code === 'META_TYPE_CHANGE');
    const moves = e.result.issues.every((i) => MOVE_CODES.has(i.code));
    throw new DomainError(
      refused ? 422 : 409,
      refused ? 'METADATA_INVALID' : moves ? 'STAGE_MOVE_NEEDED' : 'LOSSY_CHANGE',
      { count: e.result.issues.length },
      e.result.issues,
      {
        plan: e.result.steps,
      },
    );
  }
}

async function planAndApply(
  trx: Knex.Transaction,
  platform: Ident,
  tenant: TenantRef,
  req: DeployRequest,
): Promise<DeployResult> {
  await trx.raw("set local lock_timeout = '5s'");
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`tessera:meta:${tenant.id}`]);
  const history = metaVersions(trx, platform);
  const current = await history.latest(tenant.id);
  const currentVersion = current?.version ?? 0;
  if (req.expectedVersion !== undefined && req.expectedVersion !== currentVersion)
    throw new DomainError(412, 'META_VERSION_CONFLICT', { current: currentVersion });

  const checked = validatePackage(req.package);
  if (!checked.ok) throw new DomainError(422, 'METADATA_INVALID', {}, checked.issues);
  const extra = [...extensions.values()].flatMap((x) => x.check?.(checked.pkg) ?? []);
  if (extra.length) throw new DomainError(422, 'METADATA_INVALID', {}, extra);
  const pkg = assignIds(checked.pkg, current?.package ?? null);
  const hash = hashOf(pkg);
  const prev: CompiledModel | null = current
    ? compileModel(current.package, current.version, current.hash)
    : null;
  const next = compileModel(pkg, currentVersion + 1, hash);
  const snap = await snapshotSchema(trx, tenant.schema);
  const { changes } = plan(prev, next, snap);

  const ctx: DdlContext = { schema: tenant.schema, platform };
  const steps: PlannedStep[] = [];
  const issues: FieldIssue[] = [];
  for (const change of changes) {
    if (change.kind === 'refused') {
      issues.push({ pointer: change.pointer, code: change.code, params: change.params });
      steps.push({ change, ddl: false, sql: [] });
      continue;
    }
    const { checks, statements } = renderChange(change, ctx);
    const step: PlannedStep = { change, ddl: !isMetadataOnly(change), sql: statements.map((s) => s.sql) };
    let skip = false;
    for (const check of checks) {
      const found = await trx.raw(check.sql);
      const rows = found.rows as { id: string; value: unknown }[];
      if (!rows.length) continue;
      const fixable = req.allowLossy && (check.fix || change.kind === 'alterType');
      step.blocking = { count: rows.length, rows: rows.slice(0, 20), fixed: !!fixable };
      if (fixable) {
        if (check.fix) await trx.raw(check.fix.sql, check.fix.bindings ?? []);
      } else {
        skip = true;
        issues.push({
          pointer: packagePointer(
            pkg,
            'object' in change ? change.object : '',
            'field' in change ? change.field : undefined,
          ),
          code: change.kind === 'addIndex' ? 'UNIQUE_VIOLATION' : 'LOSSY_CHANGE',
          params: { count: rows.length },
          detail: { step: change.kind, rows: rows.slice(0, 20), count: rows.length },
        });
      }
    }
    if (!skip) for (const s of statements) await trx.raw(s.sql, s.bindings ?? []);
    steps.push(step);
  }

  if (!issues.length)
    for (const x of extensions.values()) {
      const done = await x.apply?.(trx, { tenant, prev, next, req });
      if (done) {
        issues.push(...done.issues);
        steps.push(...done.steps);
      }
    }

  const unchanged = current !== null && current.hash === hash && steps.length === 0;
  const result: DeployResult = {
    applied: !req.dryRun && !issues.length && !unchanged,
    version: unchanged ? currentVersion : currentVersion + 1,
    previousVersion: currentVersion,
    hash,
    steps,
    issues,
    package: pkg,
  };
  if (unchanged || req.dryRun || issues.length) return result;
  await history.insert({
    tenant_id: tenant.id,
    version: currentVersion + 1,
    package: pkg,
    hash,
    comment: req.comment ?? null,
    created_by: req.actor,
    changes: steps.map((s) => ({ ...s.change, sql: s.sql })),
  });
  // Delivered on commit: other engine processes reload this tenant's model.
  await trx.raw('select pg_notify(?, ?)', [META_CHANNEL, `${tenant.id}:${currentVersion + 1}`]);
  return result;
}
