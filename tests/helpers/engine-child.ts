/**
 * A whole engine process serving HTTP on a free port, for the multi-process tests
 * (engine-processes.test.ts). Env: DATABASE_URL, PLATFORM. Prints "port <n>" once it serves;
 * stops gracefully on SIGTERM.
 */
import { createEngine } from '../../engine/src/engine.js';
import { serve } from '../../engine/src/runtime/serve.js';

const engine = await createEngine({
  databaseUrl: process.env.DATABASE_URL,
  platformSchema: process.env.PLATFORM,
  poolSize: 4,
  jobs: { start: false },
});
const serving = await serve(engine, { port: 0, shutdownTimeoutMs: 2000 });
process.on('SIGTERM', () => void serving.shutdown('SIGTERM').then(() => process.exit(0)));
process.stdout.write(`port ${serving.port}\n`);
