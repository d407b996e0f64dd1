/**
 * An engine process that runs `test.slow` jobs, for the kill -9 test (jobs-processes.test.ts).
 * Env: DATABASE_URL, PLATFORM (platform schema), LEASE_MS.
 */
import { createEngine } from '../../engine/src/engine.js';
import { registerSlowKind } from './job-kinds.js';

const engine = await createEngine({
  databaseUrl: process.env.DATABASE_URL,
  platformSchema: process.env.PLATFORM,
  poolSize: 4,
  jobs: { start: false, pollMs: 50, concurrency: 4, batch: 4, leaseMs: Number(process.env.LEASE_MS ?? 2000) },
});
registerSlowKind(engine, 'child');
await engine.jobs.start();
process.stdout.write('ready\n');
