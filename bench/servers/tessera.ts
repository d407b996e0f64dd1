/**
 * The Tessera target: the engine's own express app in a process of its own.
 * env: PORT, DATABASE_URL (absent → PGlite in TESSERA_DATA_DIR), BENCH_TOKEN, BENCH_PLATFORM,
 * BENCH_PREFIX, BENCH_ATTACH=1 (reuse existing tenants: cold-boot measurement).
 * Prints one line `READY <ms since start>` when listening. Spawned with an IPC channel, it answers
 * run.ts's bench-only questions outside HTTP: {op:'ids'|'analyze'|'settle'|'mem'|'trim'} → {ok, ...}.
 */
import type * as EngineModule from '../../engine/src/engine.js';
import { accountObject } from '../package.js';

const t0 = performance.now();
async function main() {
  // The compiled engine (dist/, as `npm start` runs it) when run.ts built it; else the sources.
  const { createEngine } = (await import(
    process.env.BENCH_ENGINE ?? '../../engine/src/engine.js'
  )) as typeof EngineModule;
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const engine = await createEngine({
    databaseUrl,
    dataDir: databaseUrl ? undefined : process.env.TESSERA_DATA_DIR,
    platformSchema: process.env.BENCH_PLATFORM ?? 'bench_platform',
    schemaPrefix: process.env.BENCH_PREFIX ?? 'bench_',
    poolSize: Number(process.env.BENCH_POOL ?? 16),
  });
  if (!process.env.BENCH_ATTACH) {
    // The tenant starts with `account` only; run.ts deploys the CRM package through the metadata API.
    await engine.tenants.create({
      slug: 'crm',
      name: 'Bench CRM',
      package: { name: 'bench-boot', objects: [accountObject()] },
      token: process.env.BENCH_TOKEN,
    });
  }
  const server = engine.app.listen(Number(process.env.PORT ?? 3901), '127.0.0.1', () => {
    console.log(`READY ${Math.round(performance.now() - t0)}`);
  });
  server.keepAliveTimeout = 60_000;
  process.on('message', (m: { op: string; id: number; after?: string }) => {
    const reply = (x: object) => process.send?.({ id: m.id, ...x });
    const schema = engine.tenants.schemaFor('crm');
    const k = engine.db.knex;
    (async () => {
      if (m.op === 'ids') {
        const accounts = (await k.withSchema(schema).from('account').orderBy('id').select('id')).map(
          (r: { id: string }) => r.id,
        );
        const ids = (
          await k.withSchema(schema).from('opportunity').orderBy('id').limit(5000).select('id')
        ).map((r: { id: string }) => r.id);
        return { accounts, ids };
      }
      if (m.op === 'trim') {
        // W2's later repetitions: their rows go, so the cases after it read the first one's table.
        const deleted = await k
          .withSchema(schema)
          .from('opportunity')
          .where('created_at', '>', m.after!)
          .delete(['id']);
        return { deleted: deleted.length };
      }
      if (m.op === 'analyze' || m.op === 'settle') {
        await k.raw('vacuum analyze ??.??, ??.??', [schema, 'account', schema, 'opportunity']);
        // Before a write run: no checkpoint of the previous run lands inside this one.
        if (m.op === 'settle') await k.raw('checkpoint');
        return;
      }
      if (m.op === 'mem') {
        // Live memory, not garbage awaiting collection (when started with --expose-gc).
        (globalThis as { gc?: () => void }).gc?.();
        return {
          rss: process.memoryUsage().rss,
          heapUsed: process.memoryUsage().heapUsed,
          heapTotal: process.memoryUsage().heapTotal,
          external: process.memoryUsage().external,
          models: engine.models.size(),
        };
      }
    })().then(
      (x) => reply({ ok: true, ...(x ?? {}) }),
      (e: Error) => reply({ ok: false, error: String(e?.message ?? e) }),
    );
  });
  const stop = () => {
    server.close();
    void engine.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
