import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TENANT_SCHEMA_VERSION } from '../../engine/src/db/migrator.js';
import { createEngine, type Engine } from '../../engine/src/engine.js';
import { DATABASE_URL, onServer, startEngine, type TestEngine } from '../helpers/engine.js';
import { MARKS, createMarks, registerMarkKind, registerSlowKind } from '../helpers/job-kinds.js';
import { until } from '../helpers/until.js';

/**
 * Several engine processes on one Postgres server share one queue: every job runs exactly once
 * while they all live, and a process killed mid-run loses no job.
 */
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function tenantRows(engine: Engine, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await engine.db.knex
    .withSchema(engine.platform)
    .table('tenants')
    // Bare tenants (these jobs touch no tenant table), marked as migrated so start-up skips them.
    .insert(
      ids.map((id, i) => ({
        id,
        slug: `p${i}`,
        name: `P${i}`,
        schema_name: `no_schema_${i}`,
        engine_version: TENANT_SCHEMA_VERSION,
      })),
    );
  return ids;
}

const marks = (engine: Engine) =>
  engine.db.knex.withSchema(engine.platform).table(MARKS).select('job_id', 'worker') as Promise<
    { job_id: number; worker: string }[]
  >;
const jobsLeft = async (engine: Engine, kind: string) =>
  Number(
    (await engine.db.knex.withSchema(engine.platform).table('jobs').where({ kind }).count({ n: '*' }))[0].n,
  );

describe.skipIf(!onServer)('three engine processes on one server', () => {
  it('run 1,000 queued jobs, each exactly once', async () => {
    const te: TestEngine = await startEngine({ jobs: { start: false } });
    cleanups.push(() => te.close());
    await createMarks(te.engine);
    const tenants = await tenantRows(te.engine, 5);
    registerMarkKind(te.engine, 'enqueuer');
    for (let i = 0; i < 1000; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          te.engine.jobs.enqueue('test.mark', { n: i + k }, { tenantId: tenants[(i + k) % 5] }),
        ),
      );
    const engines = await Promise.all(
      ['a', 'b', 'c'].map(async (w) => {
        const e = await createEngine({
          databaseUrl: DATABASE_URL,
          platformSchema: te.engine.platform,
          poolSize: 4,
          jobs: { start: false, pollMs: 20, concurrency: 4, batch: 4, workerId: w },
        });
        registerMarkKind(e, w);
        return e;
      }),
    );
    cleanups.push(async () => {
      for (const e of engines) await e.close();
    });
    await Promise.all(engines.map((e) => e.jobs.start()));
    await until(async () => (await jobsLeft(te.engine, 'test.mark')) === 0, 60_000);
    const all = await marks(te.engine);
    expect(all).toHaveLength(1000);
    expect(new Set(all.map((m) => Number(m.job_id))).size).toBe(1000);
    // All three took part.
    expect(new Set(all.map((m) => m.worker))).toEqual(new Set(['a', 'b', 'c']));
  });

  it('lose no job when one is killed with SIGKILL mid-run', async () => {
    const te: TestEngine = await startEngine({
      jobs: { start: false, pollMs: 50, leaseMs: 2000, reapMs: 500, concurrency: 4, batch: 4 },
    });
    cleanups.push(() => te.close());
    await createMarks(te.engine);
    const [tenant] = await tenantRows(te.engine, 1);
    registerSlowKind(te.engine, 'survivor');
    const ids: number[] = [];
    for (let i = 0; i < 200; i++)
      ids.push(await te.engine.jobs.enqueue('test.slow', { n: i }, { tenantId: tenant }));

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../helpers/job-child.ts')],
      {
        env: { ...process.env, DATABASE_URL, PLATFORM: te.engine.platform, LEASE_MS: '2000' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((r) => child.on('exit', r));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await until(async () => (await marks(te.engine)).length >= 8, 60_000);
    child.kill('SIGKILL');
    await exited;
    const held = await te.engine.db.knex
      .withSchema(te.engine.platform)
      .table('jobs')
      .where({ state: 'running' })
      .pluck('id');
    // Killed mid-run: it held jobs it never finished.
    expect(held.length).toBeGreaterThan(0);
    const before = await marks(te.engine);
    expect(before.every((m) => m.worker === 'child')).toBe(true);

    // A new runner finishes everything, the dead process's jobs once their lease ran out.
    await te.engine.jobs.start();
    await until(async () => (await jobsLeft(te.engine, 'test.slow')) === 0, 60_000);
    const all = await marks(te.engine);
    expect(new Set(all.map((m) => Number(m.job_id)))).toEqual(new Set(ids));
    // At least once: only the jobs the killed process held can have run twice.
    expect(all.length - ids.length).toBeLessThanOrEqual(held.length);
    const dead = await te.engine.jobs.list(tenant, { state: 'dead' });
    expect(dead).toEqual([]);
  });
});

describe.skipIf(onServer)('an engine process on a PGlite data folder', () => {
  it(
    'killed with SIGKILL mid-run, loses no job: the next process finishes them',
    { timeout: 300_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-kill-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      const cfg = { dataDir: dir, platformSchema: 'tessera' };
      // Queue 100 jobs, then leave the folder to the child (one process at a time on PGlite).
      const first = await createEngine({ ...cfg, jobs: { start: false } });
      await createMarks(first);
      const [tenant] = await tenantRows(first, 1);
      registerSlowKind(first, 'enqueuer');
      const ids: number[] = [];
      for (let i = 0; i < 100; i++)
        ids.push(await first.jobs.enqueue('test.slow', { n: i }, { tenantId: tenant }));
      await first.close();

      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, '../helpers/job-child.ts')],
        {
          env: { ...process.env, DATABASE_URL: '', DATA_DIR: dir, PLATFORM: 'tessera', LEASE_MS: '2000' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const exited = new Promise((r) => child.on('exit', r));
      cleanups.push(async () => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      await until(async () => (out.match(/^mark /gm)?.length ?? 0) >= 8, 240_000);
      child.kill('SIGKILL');
      await exited;

      const next = await createEngine({
        ...cfg,
        jobs: { start: false, leaseMs: 2000, reapMs: 500, pollMs: 50 },
      });
      cleanups.push(() => next.close());
      const held = await next.db.knex
        .withSchema('tessera')
        .table('jobs')
        .where({ state: 'running' })
        .pluck('id');
      expect(held.length).toBeGreaterThan(0);
      registerSlowKind(next, 'survivor');
      await next.jobs.start();
      await until(async () => (await jobsLeft(next, 'test.slow')) === 0, 120_000);
      const all = await marks(next);
      expect(new Set(all.map((m) => Number(m.job_id)))).toEqual(new Set(ids));
      expect(all.length - ids.length).toBeLessThanOrEqual(held.length);
    },
  );
});
