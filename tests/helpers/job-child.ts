/**
 * An engine process that runs `test.slow` jobs, for the kill -9 tests (jobs-processes.test.ts).
 * Env: DATABASE_URL (a server) or DATA_DIR (a PGlite data folder), PLATFORM, LEASE_MS.
 * Prints "ready", then "mark <job id>" per job done.
 */
import { createEngine } from '../../engine/src/engine.js';
import { registerSlowKind } from './job-kinds.js';

const engine = await createEngine({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.DATA_DIR || undefined,
  platformSchema: process.env.PLATFORM,
  poolSize: 4,
  jobs: { start: false, pollMs: 50, concurrency: 4, batch: 4, leaseMs: Number(process.env.LEASE_MS ?? 2000) },
});
registerSlowKind(engine, 'child', (id) => process.stdout.write(`mark ${id}\n`));
await engine.jobs.start();
process.stdout.write('ready\n');
