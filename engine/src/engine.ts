import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import { createApp } from './api/app.js';
import { internalIdent, type Ident } from './core/ident.js';
import { openDatabase, type Database } from './db/connect.js';
import { listenForDeploys } from './db/listen.js';
import { ensurePlatform, platformSetting } from './db/platform.js';
import { CursorCodec } from './records/cursor.js';
import { OutboxDispatcher } from './records/outbox-dispatcher.js';
import { RecordsService } from './records/service.js';
import { createRuleSteps } from './rule-steps/index.js';
import { MetaService } from './tenancy/meta-service.js';
import { ModelCache } from './tenancy/model-cache.js';
import { TenantStore, hashToken } from './tenancy/tenants.js';
import { standardPackage } from './tenancy/standard-package.js';
import { Sessions } from './tenancy/sessions.js';
import { Users } from './tenancy/users.js';
import { ApiTokens } from './tenancy/api-tokens.js';

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
}

export interface Engine {
  db: Database;
  platform: Ident;
  tenants: TenantStore;
  models: ModelCache;
  records: RecordsService;
  meta: MetaService;
  sessions: Sessions;
  users: Users;
  dispatcher: OutboxDispatcher;
  app: Express;
  close(): Promise<void>;
}

const STUDIO_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../studio/dist');

/** The composition root: wires database, metadata, records pipeline and API. */
export async function createEngine(cfg: EngineConfig = {}): Promise<Engine> {
  const db = await openDatabase({ url: cfg.databaseUrl, dataDir: cfg.dataDir, poolSize: cfg.poolSize });
  const platform = internalIdent(cfg.platformSchema ?? 'tessera');
  await ensurePlatform(db.knex, platform);
  const tenants = new TenantStore(db.knex, platform, cfg.schemaPrefix ?? 't_');
  await tenants.upgrade();
  const models = new ModelCache(
    db.knex,
    platform,
    cfg.metaRecheckMs ?? (db.kind === 'pglite' ? 60_000 : 5_000),
  );
  const meta = new MetaService(db.knex, platform, models);
  const sessions = new Sessions(db.knex, platform, tenants);
  const users = new Users(db.knex, platform);
  const tokens = new ApiTokens(db.knex, platform);
  const dispatcher = new OutboxDispatcher(db.knex);
  const cursors = new CursorCodec(await platformSetting(db.knex, platform, 'cursor_secret'));
  // Process features (rules, stage gates, approvals) plug their steps in here.
  const timeZone = cfg.timeZone ?? 'Asia/Shanghai';
  const rules = await createRuleSteps(db.knex, timeZone);
  const records = new RecordsService({
    knex: db.knex,
    sessions: db.tenant,
    cursors,
    dispatcher,
    timeZone,
    beforeValidate: rules.beforeValidate,
    ruleSteps: rules.ruleSteps,
    afterPersist: rules.afterPersist,
  });
  const listener =
    db.kind === 'postgres' && db.url
      ? listenForDeploys(db.url, (payload) => {
          const [tenantId, version] = payload.split(':');
          models.invalidate(tenantId, Number(version));
        })
      : null;
  const platformTokens = new Set(cfg.platformToken ? [hashToken(cfg.platformToken)] : []);
  let ready = true;
  const app = createApp({
    tenants,
    models,
    records,
    meta,
    sessions,
    users,
    tokens,
    db: db.knex,
    platform,
    platformTokenHashes: () => platformTokens,
    standardPackage,
    studioDir: STUDIO_DIR,
    isReady: () => ready,
  });
  return {
    db,
    platform,
    tenants,
    models,
    records,
    meta,
    sessions,
    users,
    dispatcher,
    app,
    async close() {
      ready = false;
      await listener?.close();
      await db.close();
    },
  };
}
