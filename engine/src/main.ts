import { resolve } from 'node:path';
import { createEngine } from './engine.js';
import { standardPackage } from './tenancy/standard-package.js';
import { seedDemo } from '../../seeds/demo.js';

/** `npm start`: the engine on PORT with the demo tenant, on PGlite under ./data unless DATABASE_URL is set. */
async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const dataDir = resolve(process.env.TESSERA_DATA_DIR ?? './data');
  console.log(
    databaseUrl
      ? 'Tessera: using the Postgres server in DATABASE_URL'
      : `Tessera: embedded PGlite database in ${dataDir}`,
  );
  const engine = await createEngine({
    databaseUrl,
    dataDir: databaseUrl ? undefined : dataDir,
    platformToken: process.env.TESSERA_PLATFORM_TOKEN || undefined,
  });
  const demo = await seedDemo(
    engine,
    standardPackage(),
    process.env.TESSERA_DEMO_TOKEN,
    process.env.TESSERA_DEMO_PASSWORD,
  );
  const server = engine.app.listen(port, () => {
    console.log(`Tessera is running on http://localhost:${port}`);
    console.log(
      `  sign in: tenant "${demo.slug}", user "admin", password ${demo.password ?? '(chosen at first start; set TESSERA_DEMO_PASSWORD to reset it)'}`,
    );
    console.log(
      '  demo users with the same password: director, mgr_east, mgr_north, rep_east1, rep_east2, rep_north1, rep_north2',
    );
    console.log(`  API token: ${demo.token}`);
    console.log(
      `  try: curl -H "Authorization: Bearer ${demo.token}" http://localhost:${port}/api/v1/data/account`,
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
