import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { createEngine, type Engine } from './engine.js';
import { standardPackage } from './tenancy/standard-package.js';
import { ConfigError, databaseConnectError, loadConfig, type RuntimeConfig } from './runtime/config.js';
import { createLogger } from './runtime/logging.js';
import { serve } from './runtime/serve.js';
import { isFirstWorker, reportReady, runPrimary } from './runtime/cluster.js';
import { seedDemo, type DemoInfo } from '../../seeds/demo.js';

/**
 * `npm start`: checks the environment, opens the database (PGlite under ./data unless
 * DATABASE_URL is set), seeds the demo tenant on an empty database, serves on PORT, and stops
 * gracefully on SIGTERM / SIGINT. WORKERS=N (Postgres server only) runs N such processes on the
 * one port under a node:cluster primary (runtime/cluster.ts).
 */
async function main() {
  const warnings: string[] = [];
  const cfg = loadConfig(process.env, warnings);
  const base = await createLogger(cfg.logLevel);
  if (cfg.workers > 1 && cluster.isPrimary) {
    for (const w of warnings) base.warn(w);
    return runPrimary(cfg.workers, base);
  }
  const worker = cluster.isWorker ? cluster.worker : undefined;
  const log = worker ? base.child({ worker: worker.id }) : base;
  // One process says it all: the only one, or the first worker.
  const first = !worker || isFirstWorker();
  if (first) for (const w of warnings) log.warn(w);
  if (first)
    log.info(
      cfg.databaseUrl
        ? 'using the Postgres server in DATABASE_URL'
        : `embedded PGlite database in ${cfg.dataDir}`,
    );
  const engine = await open(cfg, log);
  // Only the first worker seeds (the primary starts the others once it serves).
  const demo =
    cfg.demo && first ? await seedDemo(engine, standardPackage(), cfg.demoToken, cfg.demoPassword) : null;
  const serving = await serve(engine, { port: cfg.port, shutdownTimeoutMs: cfg.shutdownTimeoutMs });
  if (first) log.info({ port: serving.port }, `Tessera is running on http://localhost:${serving.port}`);
  if (demo) announceDemo(log, demo, serving.port);
  reportReady(serving.port);

  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal means "now": skip the wait.
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    serving.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // A worker stops on the primary's SIGTERM; a terminal's Ctrl-C reaches it too and is ignored.
  process.on('SIGINT', worker ? () => undefined : stop);
  process.on('SIGTERM', stop);
}

async function open(cfg: RuntimeConfig, logger: Logger): Promise<Engine> {
  try {
    return await createEngine({
      databaseUrl: cfg.databaseUrl,
      dataDir: cfg.databaseUrl ? undefined : cfg.dataDir,
      platformToken: cfg.platformToken,
      logger,
      modelCacheSize: cfg.modelCacheSize,
      statementCacheSize: cfg.statementCacheSize,
    });
  } catch (e) {
    throw (cfg.databaseUrl && databaseConnectError(e, cfg.databaseUrl)) || e;
  }
}

function announceDemo(log: Logger, demo: DemoInfo, port: number) {
  const users = 'director, mgr_east, mgr_north, rep_east1, rep_east2, rep_north1, rep_north2';
  if (demo.state === 'absent') {
    log.info('this database holds other tenants, so no demo tenant was created');
    return;
  }
  if (demo.state === 'created')
    log.info(`created the demo tenant "${demo.slug}" (only on an empty database)`);
  else log.info(`the demo tenant "${demo.slug}" exists (created at the first start)`);
  if (demo.password)
    log.info(`sign in: tenant "${demo.slug}", user "admin" (or ${users}), password ${demo.password}`);
  else
    log.info(
      `sign in: tenant "${demo.slug}", user "admin" (or ${users}) with the password printed at the first start; set TESSERA_DEMO_PASSWORD to reset it`,
    );
  if (demo.token) {
    log.info(`API token: ${demo.token}`);
    log.info(
      `try: curl -H "Authorization: Bearer ${demo.token}" http://localhost:${port}/api/v1/data/account`,
    );
  } else
    log.info(
      'API token: the one printed at the first start still works; set TESSERA_DEMO_TOKEN to add one of your choice, or sign in and create one (POST /api/v1/tokens)',
    );
}

main().catch((e: unknown) => {
  // A setting to fix: one line saying what. Anything else: the error with its stack.
  if (e instanceof ConfigError) console.error(`tessera: ${e.message}`);
  else console.error('tessera: failed to start:', e);
  process.exit(1);
});
