import type { Express } from 'express';
import type { Knex } from 'knex';
import { pino, type Logger } from 'pino';
import { createApp } from './api/app.js';
import { internalIdent, type Ident } from './core/ident.js';
import { openDatabase, type Database } from './db/connect.js';
import { AUTH_CHANNEL, META_CHANNEL, listenForChanges } from './db/listen.js';
import { platformSetting } from './db/platform.js';
import { migrateEngine, type MigrationReport } from './db/migrator.js';
import { Jobs, SYSTEM_ACTOR, type JobLogger, type RunnerOptions } from './jobs/jobs.js';
import { ALLOW_ALL } from './records/access.js';
import { CursorCodec } from './records/cursor.js';
import { OutboxDispatcher } from './records/outbox-dispatcher.js';
import { RecordsService } from './records/service.js';
import { Recomputations, createRuleSteps, recomputeJobKind } from './rule-steps/index.js';
import { createProcessSteps, registerGateItem, StageService } from './processes/index.js';
import { writeAudit } from './db/audit.js';
import { EmbeddedAnalyze } from './db/embedded-analyze.js';
import {
  createApprovalService,
  registerApprovals,
  type ApprovalService,
  approvalApprovedGateItem,
  escalationJobKind,
  escalationScheduler,
} from './processes/approvals/index.js';
import { MetaService } from './tenancy/meta-service.js';
import { ModelCache } from './tenancy/model-cache.js';
import { TenantStore, hashToken } from './tenancy/tenants.js';
import { standardPackage } from './tenancy/standard-package.js';
import { Sessions } from './tenancy/sessions.js';
import { Revocations } from './tenancy/revocations.js';
import { Users } from './tenancy/users.js';
import { ApiTokens } from './tenancy/api-tokens.js';
import { Readiness } from './api/health.js';
import { studioDist } from './runtime/paths.js';

export interface EngineConfig {
  /** postgres://… for a Postgres server; absent → embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data folder; absent → in memory. */
  dataDir?: string;
  /** Schema of the platform tables (tenants, tokens, metadata versions). */
  platformSchema?: string;
  /** Prefix of each tenant's schema name. */
  schemaPrefix?: string;
  /** Time zone of auto-number dates. */
  timeZone?: string;
  /** How often a cached model re-checks its version (catches a missed NOTIFY). */
  metaRecheckMs?: number;
  poolSize?: number;
  /** Bearer token of the platform administrator (creates tenants); none → no platform API. */
  platformToken?: string;
  /** The job runner's settings; `start: false` leaves it stopped (call engine.jobs.start()). */
  jobs?: Partial<RunnerOptions> & { start?: boolean };
  /** Where logs go; absent → no logs (tests, benchmarks). main.ts passes LOG_LEVEL's logger. */
  logger?: Logger;
  /** Tenants whose compiled model stays in memory (least recently used dropped). */
  modelCacheSize?: number;
  /** Named prepared statements per server connection (least recently used deallocated). */
  statementCacheSize?: number;
  /** The built studio served at /; absent → studio/dist beside package.json. */
  studioDir?: string;
  /** Embedded PGlite: how soon after writes the tables they grew are checked for ANALYZE (1 s). */
  embeddedAnalyzeDelayMs?: number;
}

/** Stops a piece of background work; `engine.close()` awaits it before closing the database. */
export type Stopper = () => Promise<void> | void;

export interface Engine {
  db: Database;
  platform: Ident;
  tenants: TenantStore;
  models: ModelCache;
  records: RecordsService;
  approvals: ApprovalService;
  stages: StageService;
  meta: MetaService;
  sessions: Sessions;
  users: Users;
  dispatcher: OutboxDispatcher;
  /** Background jobs: `jobs.enqueue(kind, payload, { tenantId, runAt })`, kinds in `jobs.kinds`. */
  jobs: Jobs;
  /** The engine migrations this process applied at start (empty when another process had). */
  migrations: MigrationReport;
  app: Express;
  logger: Logger;
  /** The checks `/ready` runs; background parts (migrator, job runner) add theirs. */
  readiness: Readiness;
  /** Registers background work to stop on close (a job runner's `stop()`); last registered stops first. */
  onClose(name: string, stop: Stopper): void;
  /** Stops registered background work, then the LISTEN connection, then closes the database. Idempotent. */
  close(): Promise<void>;
}

/** knex's warnings (a failed connection, a deprecation) as log lines like every other. */
const knexLog = (logger: Logger): Knex.Logger => ({
  warn: (message) => logger.warn({ source: 'knex' }, String(message)),
  error: (message) => logger.error({ source: 'knex' }, String(message)),
  debug: (message) => logger.debug({ source: 'knex' }, String(message)),
  deprecate: (method, alternative) =>
    logger.warn({ source: 'knex' }, `${method} is deprecated: use ${alternative}`),
});

/** The job runner's reports as log lines like every other. */
const jobLogger = (logger: Logger): JobLogger => ({
  info: (msg, detail) => logger.info({ source: 'jobs', ...detail }, msg),
  warn: (msg, detail) => logger.warn({ source: 'jobs', ...detail }, msg),
  error: (msg, detail) => logger.error({ source: 'jobs', ...detail }, msg),
});

/** The composition root: wires database, metadata, records pipeline and API. */
export async function createEngine(cfg: EngineConfig = {}): Promise<Engine> {
  const logger = cfg.logger ?? pino({ level: 'silent' });
  const db = await openDatabase({
    url: cfg.databaseUrl,
    dataDir: cfg.dataDir,
    poolSize: cfg.poolSize,
    statementCacheSize: cfg.statementCacheSize,
    log: knexLog(logger),
  });
  const platform = internalIdent(cfg.platformSchema ?? 'tessera');
  // The engine's own tables, platform and every tenant, one process at a time (advisory locks).
  const migrations = await migrateEngine(db.knex, platform).catch(async (e: unknown) => {
    await db.close();
    throw e;
  });
  const timeZone = cfg.timeZone ?? 'Asia/Shanghai';
  const { start: startJobs = true, ...runnerOptions } = cfg.jobs ?? {};
  const jobs = new Jobs({
    knex: db.knex,
    platform,
    db: db.kind,
    timeZone,
    runner: { log: jobLogger(logger), ...runnerOptions },
  });
  const tenants = new TenantStore(db.knex, platform, cfg.schemaPrefix ?? 't_');
  tenants.onCreated((t) => jobs.schedules.ensureSystem([t.id]));
  const models = new ModelCache(
    db.knex,
    platform,
    cfg.metaRecheckMs ?? (db.kind === 'pglite' ? 60_000 : 5_000),
    cfg.modelCacheSize,
  );
  const meta = new MetaService(db.knex, platform, models);
  const sessions = new Sessions(db.knex, platform, tenants);
  const users = new Users(db.knex, platform);
  const tokens = new ApiTokens(db.knex, platform);
  const dispatcher = new OutboxDispatcher({
    jobs,
    sessions: db.tenant,
    log: jobs.log,
    roleOf: (t) => tenants.dbRoleFor(t.id, t.schema),
  });
  const cursors = new CursorCodec(await platformSetting(db.knex, platform, 'cursor_secret'));
  // Process features (rules, stage gates, approvals) plug their steps in here.
  const rules = await createRuleSteps(db.knex, timeZone);
  // Stage gates run after the rules (conditions see formulas); history is written after persist.
  const processes = createProcessSteps(timeZone);
  // Approval locks run after the rules and stage gates; flows that start themselves, after persist.
  const approvalSteps = registerApprovals(timeZone);
  registerGateItem(approvalApprovedGateItem);
  // PGlite has no autovacuum: the engine analyzes the tables writes grew (db/embedded-analyze).
  const analyze =
    db.kind === 'pglite'
      ? new EmbeddedAnalyze(db.knex, {
          delayMs: cfg.embeddedAnalyzeDelayMs,
          onError: (err, table) => logger.warn({ err, table }, 'statistics not refreshed (ANALYZE failed)'),
        })
      : undefined;
  const records = new RecordsService({
    knex: db.knex,
    sessions: db.tenant,
    cursors,
    dispatcher,
    timeZone,
    beforeValidate: [...rules.beforeValidate, ...processes.beforeValidate],
    ruleSteps: [...rules.ruleSteps, ...processes.ruleSteps, approvalSteps.lockStep],
    afterPersist: [
      ...processes.afterPersist,
      ...rules.afterPersist,
      approvalSteps.startStep,
      approvalSteps.closeStep,
    ],
    changed: analyze && ((schema, table) => analyze.changed(schema, table)),
    // After commit: a failed audit insert is logged, it does not turn a saved write into an error.
    audit: (e) =>
      writeAudit(db.knex, platform, e).catch((err: unknown) =>
        logger.error({ err, action: e.action, tenant: e.tenantId }, 'audit entry not written'),
      ),
  });
  const approvals = createApprovalService(records, db.tenant, timeZone);
  approvalSteps.bind(approvals);
  // Overdue approval steps escalate on the job runner, as the system, in the tenant's model.
  jobs.register(
    escalationJobKind(approvals, async (t) => ({
      tenantId: t.id,
      schema: t.schema,
      actor: SYSTEM_ACTOR.id,
      model: await models.get(t.id),
      access: ALLOW_ALL,
      dbRole: await tenants.dbRoleFor(t.id, t.schema),
    })),
  );
  // Scheduled after the decision committed: a failed enqueue is logged, not turned into an error
  // of a decision that is saved (the step then simply does not escalate).
  approvals.setScheduler(
    escalationScheduler((kind, payload, o) =>
      jobs.enqueue(kind, payload, o).catch((err: unknown) => {
        logger.error({ err, tenant: o.tenantId, payload }, 'approval escalation not scheduled');
        return 0;
      }),
    ),
  );
  const stages = new StageService(records, db.tenant, timeZone);
  // Recomputes of roll-ups and formulas run on the job runner: any process runs them and answers
  // their status; the audit entry is written when one ends.
  jobs.register(
    recomputeJobKind({
      sessions: db.tenant,
      timeZone,
      tenantOf: async (t) => ({
        model: await models.get(t.id),
        dbRole: await tenants.dbRoleFor(t.id, t.schema),
      }),
      finished: (task) =>
        writeAudit(db.knex, platform, {
          tenantId: task.tenantId,
          actor: task.startedBy,
          origin: 'system',
          action: 'metadata.recomputed',
          detail: { task: task.id, object: task.object, status: task.status, report: task.report },
        }),
    }),
  );
  const recomputations = new Recomputations(jobs);
  const onServer = db.kind === 'postgres' && !!db.url;
  const revocations = new Revocations(onServer ? db.knex : null);
  // Other engine processes on the server: their deploys and revoked sessions arrive here.
  const listener =
    onServer && db.url
      ? listenForChanges(db.url, {
          name: `tessera-listen ${platform}`,
          channels: {
            [META_CHANNEL]: (payload) => {
              const [tenantId, version] = payload.split(':');
              models.invalidate(tenantId, Number(version));
            },
            [AUTH_CHANNEL]: (payload) => revocations.receive(payload),
          },
          onReconnect: () => {
            models.expireAll();
            revocations.forgetAll();
          },
        })
      : null;
  const platformTokens = new Set(cfg.platformToken ? [hashToken(cfg.platformToken)] : []);
  const readiness = new Readiness(logger);
  readiness.add('database', () => db.knex.raw('select 1'));
  const stoppers: { name: string; stop: Stopper }[] = [];
  let closing: Promise<void> | null = null;
  // The job runner stops after the parts registered later (the server stops accepting first).
  stoppers.push({ name: 'jobs', stop: async () => void (await jobs.stop()) });
  if (analyze) stoppers.push({ name: 'embedded-analyze', stop: () => analyze.close() });
  if (startJobs) {
    await jobs.start();
    readiness.add('jobs', () => jobs.runner.isRunning);
  }
  const app = createApp({
    tenants,
    models,
    records,
    approvals,
    tenantSessions: db.tenant,
    stages,
    meta,
    recomputations,
    sessions,
    users,
    tokens,
    revocations,
    jobs,
    db: db.knex,
    platform,
    platformTokenHashes: () => platformTokens,
    standardPackage,
    studioDir: cfg.studioDir ?? studioDist(),
    readiness,
    logger,
  });
  return {
    db,
    platform,
    tenants,
    models,
    records,
    approvals,
    stages,
    meta,
    sessions,
    users,
    dispatcher,
    jobs,
    migrations,
    app,
    logger,
    readiness,
    onClose(name, stop) {
      stoppers.push({ name, stop });
    },
    close() {
      closing ??= (async () => {
        for (const { name, stop } of stoppers.reverse()) {
          // One part failing to stop must not keep the database open.
          await Promise.resolve()
            .then(stop)
            .catch((err: unknown) => logger.error({ err, stopper: name }, 'background work failed to stop'));
        }
        await listener?.close();
        await db.close();
      })();
      return closing;
    },
  };
}
