import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { Ident } from '../core/ident.js';
import type { I18nText, PackageDef } from '../core/model.js';
import { snapshotSchema } from '../db/introspect.js';
import { META_CHANNEL } from '../db/listen.js';
import { compileModel, type CompiledModel } from '../metadata/compile.js';
import { canonicalJson } from '../metadata/hash.js';
import { assignIds } from '../metadata/ids.js';
import { planWarnings } from '../metadata/plan-warnings.js';
import { validatePackage } from '../metadata/validate.js';
import { isMetadataOnly, type SchemaChange } from './changes.js';
import { renderChange, retiredRowsCount, type DdlContext } from './ddl.js';
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

  /** The `planHash` of the plan the caller reviewed: refuse (409 PLAN_CHANGED) when this one differs. */
  expectPlan?: string;
  /** Consent to what hides data: `retire:<object>.<field>`, `retire:<object>` (see `retired`). */
  confirm?: string[];
  actor: string;
}

/** A field or object this deploy retires (hides until a rollback), with the rows holding data. */
export interface RetiredItem {
  object: string;
  field?: string;
  /** The label it had, for people. */
  label: I18nText;
  objectLabel: I18nText;
  /** Rows holding a value (a retired object: its rows). */
  rows: number;
  /** The confirmation that allows it: needed when `rows` > 0. */
  confirm: string;
  needsConfirmation: boolean;
  confirmed: boolean;
}

/**
 * A process feature's part in a deploy (registered at composition time, like gate items):
 * checks of its metadata after the package's own; `checkData` may read the tenant's data in the
 * deploy's transaction (e.g. that the users an approval flow names exist; issues refuse with 422);
 * and data work in the deploy's transaction after the DDL (e.g. moving records out of a removed
 * stage), which a dry run shows and rolls back.
 */
export interface DeployExtension {
  name: string;
  check?(pkg: PackageDef): FieldIssue[];
  checkData?(trx: Knex.Transaction, ctx: { tenant: TenantRef; pkg: PackageDef }): Promise<FieldIssue[]>;
  apply?(
    trx: Knex.Transaction,
    ctx: { tenant: TenantRef; prev: CompiledModel | null; next: CompiledModel; req: DeployRequest },
  ): Promise<{ issues: FieldIssue[]; steps: PlannedStep[] }>;
}

const extensions = new Map<string, DeployExtension>();
/** Adds (or replaces, by name) a deploy extension. */
export const registerDeployExtension = (e: DeployExtension) => void extensions.set(e.name, e);

/** Issues of extensions that move data: the deploy names what to move instead of allowing loss. */
const MOVE_CODES = new Set(['STAGE_HAS_RECORDS', 'STAGE_MOVE_INVALID', 'STAGE_MOVE_NOT_A_STAGE']);

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
  /**
   * Fingerprint of what runs: base version, package hash (ids included), every step and its SQL.
   * A dry run and the deploy of the same body against the same base give the same one.
   */
  planHash: string;
  steps: PlannedStep[];
  /** Problems that stop this deploy; empty when it can go ahead. */
  issues: FieldIssue[];
  /** What this deploy hides: every retired field and object with its count of rows holding data. */
  retired: RetiredItem[];
  /** Allowed but harmful (e.g. a required field some creating profile cannot edit). */
  warnings: FieldIssue[];
  package: PackageDef;
}

const sha = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex').slice(0, 32);
const hashOf = (pkg: PackageDef) => sha(pkg);
/** Blocking rows are left out: they report the data, the plan is what runs. */
const planHashOf = (base: number, hash: string, steps: PlannedStep[]) =>
  sha({ base, hash, steps: steps.map((s) => ({ change: s.change, sql: s.sql })) });

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
  if (!extra.length)
    for (const x of extensions.values())
      if (x.checkData) extra.push(...(await x.checkData(trx, { tenant, pkg: checked.pkg })));
  if (extra.length) throw new DomainError(422, 'METADATA_INVALID', {}, extra);
  const pkg = assignIds(checked.pkg, current?.package ?? null, {
    tenant: tenant.id,
    baseVersion: currentVersion,
  });
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
  const retiredRows = new Map<SchemaChange, number>();
  for (const change of changes) {
    if (change.kind === 'refused') {
      issues.push({ pointer: change.pointer, code: change.code, params: change.params });
      steps.push({ change, ddl: false, sql: [] });
      continue;
    }
    if (change.kind === 'retireColumn' || change.kind === 'retireTable') {
      const col =
        change.kind === 'retireColumn'
          ? prev?.objects.get(change.table)?.fieldList.find((f) => f.column === change.column)
          : undefined;
      const found = await trx.raw(retiredRowsCount(change, ctx, col?.storage.pg).sql);
      retiredRows.set(change, (found.rows as { n: number }[])[0]?.n ?? 0);
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
  const retired = retiredItems(changes, retiredRows, current?.package ?? null, new Set(req.confirm ?? []));
  const result: DeployResult = {
    applied: !req.dryRun && !issues.length && !unchanged,
    version: unchanged ? currentVersion : currentVersion + 1,
    previousVersion: currentVersion,
    hash,
    planHash: planHashOf(currentVersion, hash, steps),
    steps,
    issues,
    retired,
    warnings: planWarnings(pkg),
    package: pkg,
  };
  if (req.expectPlan !== undefined && req.expectPlan !== result.planHash)
    throw new DomainError(409, 'PLAN_CHANGED', { current: currentVersion }, [], {
      planHash: result.planHash,
      plan: steps,
    });
  if (unchanged || req.dryRun || issues.length) return result;
  const missing = retired.filter((r) => r.needsConfirmation && !r.confirmed);
  if (missing.length)
    throw new DomainError(
      409,
      'CONFIRMATION_REQUIRED',
      { count: missing.length },
      missing.map((r) => ({
        pointer: packagePointer(pkg, r.object) + (r.field ? '/fields' : ''),
        code: r.field ? 'RETIRE_FIELD_HAS_DATA' : 'RETIRE_OBJECT_HAS_DATA',
        params: { object: r.objectLabel, field: r.label, rows: r.rows, confirm: r.confirm },
        detail: { confirm: r.confirm, rows: r.rows },
      })),
      { missing: missing.map((r) => r.confirm), retired, plan: steps, planHash: result.planHash },
    );
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

/**
 * The fields and objects a plan hides. A retirement that only steps aside for a swap of names
 * (restored under its new name later in the same plan) hides nothing and is left out.
 */
function retiredItems(
  changes: SchemaChange[],
  rows: Map<SchemaChange, number>,
  before: PackageDef | null,
  confirmed: Set<string>,
): RetiredItem[] {
  const restored = new Set(
    changes.flatMap((c) => (c.kind === 'restoreColumn' || c.kind === 'restoreTable' ? [c.from] : [])),
  );
  const out: RetiredItem[] = [];
  for (const c of changes) {
    if ((c.kind !== 'retireColumn' && c.kind !== 'retireTable') || restored.has(c.to)) continue;
    const n = rows.get(c) ?? 0;
    // Labels as they were: the previous package still has what this one drops.
    const o = before?.objects.find((x) => x.name === c.table);
    const objectLabel = o?.label ?? { en: c.object, 'zh-CN': c.object };
    const field = c.kind === 'retireColumn' ? c.field : undefined;
    const f = field === undefined ? undefined : o?.fields.find((x) => x.name === field);
    const confirm = field === undefined ? `retire:${c.object}` : `retire:${c.object}.${field}`;
    out.push({
      object: c.object,
      ...(field === undefined ? {} : { field }),
      label: f?.label ?? (field === undefined ? objectLabel : { en: field, 'zh-CN': field }),
      objectLabel,
      rows: n,
      confirm,
      needsConfirmation: n > 0,
      confirmed: confirmed.has(confirm),
    });
  }
  return out;
}
