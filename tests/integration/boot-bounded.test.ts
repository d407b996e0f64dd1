import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineConfig } from '../../engine/src/engine.js';
import { DATABASE_URL, onServer } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';

/**
 * Start-up does no per-tenant work when every tenant is up to date (issue 14, many tenants):
 * engine migrations skip tenants at the last step, and the system job schedules are written only
 * for tenants that miss one or hold an older definition. Checked by the rows' xmin: an UPDATE,
 * even one that writes the same values, gives a row a new one.
 */
const tag = randomBytes(4).toString('hex');
const dataDir = onServer ? undefined : mkdtempSync(join(tmpdir(), 'tessera-boot-'));
const config: EngineConfig = {
  databaseUrl: DATABASE_URL,
  dataDir,
  platformSchema: onServer ? `tp_${tag}` : 'tessera',
  schemaPrefix: onServer ? `tt${tag}_` : 't_',
  poolSize: 4,
  jobs: { pollMs: 60_000, scheduleMs: 600_000, reapMs: 600_000 },
};
let engine: Engine | null = null;
/** One engine at a time (PGlite in a folder has one owner). */
async function boot(): Promise<Engine> {
  await engine?.close();
  engine = await createEngine(config);
  return engine;
}
afterAll(async () => {
  const e = engine ?? (await createEngine(config));
  await e.jobs.stop();
  if (onServer) {
    for (const t of await e.tenants.list()) await e.tenants.drop(t);
    await e.db.knex.raw('drop schema if exists ?? cascade', [e.platform]);
  }
  await e.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Row {
  tenant_id: string;
  name: string;
  cron: string;
  xmin: string;
}
const schedules = async (e: Engine) =>
  (await e.db.knex
    .withSchema(e.platform)
    .table('job_schedules')
    .orderBy(['tenant_id', 'name'])
    .select('tenant_id', 'name', 'cron', e.db.knex.raw('xmin::text as xmin'))) as Row[];

describe('start-up with tenants up to date', () => {
  it('writes no tenant rows, and repairs only the tenants whose schedules are missing or changed', async () => {
    const first = await boot();
    const pkg = { objects: [object('note', [field('name', 'text')])] };
    const ids: string[] = [];
    for (const slug of ['a', 'b', 'c'])
      ids.push((await first.tenants.create({ slug, name: slug, package: pkg })).tenant.id);
    const before = await schedules(first);
    // every tenant has the engine's system schedules (outbox sweep and prune)
    expect(before.filter((r) => r.tenant_id === ids[0]).map((r) => r.name)).toEqual([
      'outbox.prune',
      'outbox.sweep',
    ]);
    const tenantsXmin = async (e: Engine) =>
      (await e.db.knex
        .withSchema(e.platform)
        .table('tenants')
        .orderBy('id')
        .select('id', e.db.knex.raw('xmin::text as xmin'))) as { id: string; xmin: string }[];
    const tenantRows = await tenantsXmin(first);

    const second = await boot();
    expect(second.migrations.tenants).toEqual([]);
    expect(await schedules(second)).toEqual(before);
    expect(await tenantsXmin(second)).toEqual(tenantRows);

    // b lost its sweep, c's prune runs on another cron: the next start repairs these two only
    await second.db.knex
      .withSchema(second.platform)
      .table('job_schedules')
      .where({ tenant_id: ids[1], name: 'outbox.sweep' })
      .delete();
    await second.db.knex
      .withSchema(second.platform)
      .table('job_schedules')
      .where({ tenant_id: ids[2], name: 'outbox.prune' })
      .update({ cron: '0 4 * * *' });
    const damaged = await schedules(second);
    const third = await boot();
    const after = await schedules(third);
    expect(after.map(({ tenant_id, name, cron }) => ({ tenant_id, name, cron }))).toEqual(
      before.map(({ tenant_id, name, cron }) => ({ tenant_id, name, cron })),
    );
    // a's rows were not written; b's and c's were
    const of = (rows: Row[], id: string) => rows.filter((r) => r.tenant_id === id);
    expect(of(after, ids[0])).toEqual(of(damaged, ids[0]));
    expect(of(after, ids[1]).map((r) => r.name)).toEqual(['outbox.prune', 'outbox.sweep']);
    expect(of(after, ids[2]).find((r) => r.name === 'outbox.prune')!.xmin).not.toBe(
      of(damaged, ids[2]).find((r) => r.name === 'outbox.prune')!.xmin,
    );
  });
});
