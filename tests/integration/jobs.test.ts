import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { PermanentJobError, type JobLogger } from '../../engine/src/jobs/jobs.js';
import { nextRun } from '../../engine/src/jobs/schedules.js';
import type { DispatchedEvent } from '../../engine/src/records/outbox-dispatcher.js';
import { salesPackage } from '../helpers/packages.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { until } from '../helpers/until.js';

/** The job runner: retries, dead letters and the admin API, fairness, keys, schedules, stop, the outbox. */
const logs: { level: string; msg: string; detail?: Record<string, unknown> }[] = [];
const log: JobLogger = {
  info: () => undefined,
  warn: (msg, detail) => logs.push({ level: 'warn', msg, detail }),
  error: (msg, detail) => logs.push({ level: 'error', msg, detail }),
};

let te: TestEngine;
let t: TestTenant;
let other: TestTenant;
const attemptsAt = new Map<number, number[]>();
let flakyHeals = false;

beforeAll(async () => {
  te = await startEngine({
    jobs: { start: false, pollMs: 50, backoffMs: 200, log, scheduleMs: 100_000, reapMs: 100_000 },
  });
  const jobs = te.engine.jobs;
  jobs.register<{ n: number }>({
    name: 'test.flaky',
    payload: {
      type: 'object',
      required: ['n'],
      properties: { n: { type: 'integer' } },
      additionalProperties: false,
    },
    maxAttempts: 3,
    keep: true,
    async run(_p, ctx) {
      const at = attemptsAt.get(ctx.job.id) ?? [];
      at.push(Date.now());
      attemptsAt.set(ctx.job.id, at);
      if (!flakyHeals) throw new Error(`flaky failure #${ctx.job.attempt}`);
      await ctx.progress({ done: true });
    },
  });
  jobs.register({
    name: 'test.permanent',
    payload: { type: 'object' },
    async run() {
      throw new PermanentJobError('cannot ever work');
    },
  });
  jobs.register<{ ms: number }>({
    name: 'test.wait',
    payload: { type: 'object', properties: { ms: { type: 'integer' } } },
    async run(p, ctx) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Number(p.ms));
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (ctx.signal.aborted) throw ctx.signal.reason;
    },
  });
  // An automation on account makes it publish change events (CompiledObject.changeEvents).
  t = await te.tenant({ ...salesPackage(), automations: [{ name: 'notify', object: 'account' }] }, 'jobs1');
  other = await te.tenant(salesPackage(), 'jobs2');
  await jobs.start();
});
afterAll(() => te?.close());

const state = (id: number, tenantId = t.tenantId) => te.engine.jobs.get(tenantId, id);

describe('a job that fails', () => {
  it('is retried with exponential back-off, then dead; an admin sees it and retries it', async () => {
    flakyHeals = false;
    const id = await te.engine.jobs.enqueue('test.flaky', { n: 1 }, { tenantId: t.tenantId });
    const dead = await until(async () => {
      const j = await state(id);
      return j?.state === 'dead' && j;
    });
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toMatch(/flaky failure #3/);
    const [a1, a2, a3] = attemptsAt.get(id)!;
    // 200 ms, then 400 ms (each ±25%), plus polling.
    expect(a2 - a1).toBeGreaterThanOrEqual(140);
    expect(a3 - a2).toBeGreaterThanOrEqual(290);
    // Not silent: each failure is in the log.
    expect(logs.filter((l) => l.detail?.job === id).map((l) => l.level)).toEqual(['warn', 'warn', 'error']);

    const list = await t.get('/api/v1/jobs?state=dead');
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.data.map((j: { id: number }) => j.id)).toContain(id);
    expect(list.body.data.find((j: { id: number }) => j.id === id)).toMatchObject({
      kind: 'test.flaky',
      state: 'dead',
      attempts: 3,
      payload: { n: 1 },
    });
    // Tenant-scoped: another tenant's admin neither sees nor retries it.
    expect((await other.get('/api/v1/jobs?state=dead')).body.data).toEqual([]);
    expect((await other.post(`/api/v1/jobs/${id}/retry`)).status).toBe(404);

    flakyHeals = true;
    const retried = await t.post(`/api/v1/jobs/${id}/retry`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.data).toMatchObject({ state: 'queued', attempts: 0 });
    const done = await until(async () => {
      const j = await state(id);
      return j?.state === 'done' && j;
    });
    expect(done.progress).toEqual({ done: true });
    const again = await t.post(`/api/v1/jobs/${id}/retry`).set('Accept-Language', 'zh-CN');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('JOB_NOT_DEAD');
    expect(again.body.detail ?? again.body.title).toMatch(/只有已失败/);
    const audit = await t.get('/api/v1/audit');
    expect(audit.body.data.some((a: { action: string }) => a.action === 'job.retried')).toBe(true);
  });

  it('is dead at once when its handler says it can never work', async () => {
    const id = await te.engine.jobs.enqueue('test.permanent', {}, { tenantId: t.tenantId });
    const dead = await until(async () => {
      const j = await state(id);
      return j?.state === 'dead' && j;
    });
    expect(dead.attempts).toBe(1);
    expect(dead.lastError).toMatch(/cannot ever work/);
  });
});

describe('the admin API', () => {
  it('is for admins only and checks its parameters', async () => {
    const made = await t.post('/api/v1/users', {
      username: 'rep9',
      displayName: 'Rep',
      password: 'a long password 9',
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username: 'rep9', password: 'a long password 9' });
    const rep = login.body.data.access_token as string;
    const res = await request(te.engine.app)
      .get('/api/v1/jobs?state=dead')
      .set('Authorization', `Bearer ${rep}`);
    expect(res.status).toBe(403);
    const bad = await t.get('/api/v1/jobs?state=broken');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('JOB_STATE');
    expect(bad.body.errors?.[0]?.pointer ?? bad.body.issues?.[0]?.pointer).toBe('/state');
    expect((await t.get('/api/v1/jobs/999999999')).status).toBe(404);
    expect((await t.get('/api/v1/jobs/abc')).status).toBe(404);
    expect((await t.get('/api/v1/jobs?limit=0')).status).toBe(400);
  });
});

describe('enqueue', () => {
  it('checks the payload against the kind and refuses unknown kinds', async () => {
    await expect(te.engine.jobs.enqueue('test.flaky', { n: 'x' }, { tenantId: t.tenantId })).rejects.toThrow(
      /does not match its schema/,
    );
    await expect(te.engine.jobs.enqueue('test.nope', {}, { tenantId: t.tenantId })).rejects.toThrow(
      /unknown job kind/,
    );
  });
});

describe('claiming', () => {
  it('shares a batch between tenants: a backlog of one does not starve another', async () => {
    await te.engine.jobs.stop();
    const jobs = te.engine.jobs;
    const past = new Date(Date.now() - 60_000);
    for (let i = 0; i < 30; i++)
      await jobs.enqueue('test.wait', { ms: 1 }, { tenantId: t.tenantId, runAt: past });
    for (let i = 0; i < 2; i++) await jobs.enqueue('test.wait', { ms: 1 }, { tenantId: other.tenantId });
    const claimed = await jobs.store.claim('test-worker', 4, 60_000);
    const byTenant = (id: string) => claimed.filter((c) => c.tenant.id === id).length;
    expect(byTenant(other.tenantId)).toBe(2);
    expect(byTenant(t.tenantId)).toBe(2);
    expect(claimed.every((c) => c.attempts === 1)).toBe(true);
    // Clean up: nothing of this test left for later ones.
    await te.engine.db.knex.withSchema(te.engine.platform).table('jobs').where('kind', 'test.wait').delete();
  });

  it('keeps one waiting job per key and never runs two with one key at once', async () => {
    const jobs = te.engine.jobs;
    const a = await jobs.enqueue('test.wait', { ms: 1 }, { tenantId: t.tenantId, key: 'k' });
    const b = await jobs.enqueue('test.wait', { ms: 1 }, { tenantId: t.tenantId, key: 'k' });
    expect(b).toBe(a);
    const [first] = await jobs.store.claim('w1', 4, 60_000);
    expect(first.id).toBe(a);
    const c = await jobs.enqueue('test.wait', { ms: 1 }, { tenantId: t.tenantId, key: 'k' });
    expect(c).not.toBe(a);
    expect(await jobs.store.claim('w2', 4, 60_000)).toEqual([]);
    expect(await jobs.store.complete(first, 'w1', false)).toBe(true);
    const [second] = await jobs.store.claim('w2', 4, 60_000);
    expect(second.id).toBe(c);
    // A worker that lost its lease cannot finish the job.
    expect(await jobs.store.complete(second, 'w1', false)).toBe(false);
    await te.engine.db.knex.withSchema(te.engine.platform).table('jobs').where('kind', 'test.wait').delete();
  });

  it('puts back the jobs of a worker whose lease ran out', async () => {
    const jobs = te.engine.jobs;
    const id = await jobs.enqueue('test.wait', { ms: 1 }, { tenantId: t.tenantId });
    const [held] = await jobs.store.claim('gone', 1, 1);
    expect(held.id).toBe(id);
    await new Promise((r) => setTimeout(r, 20));
    expect(await jobs.store.reap()).toBe(1);
    expect(await state(id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      lastError: expect.stringMatching(/gone/),
    });
    await te.engine.db.knex.withSchema(te.engine.platform).table('jobs').where('kind', 'test.wait').delete();
  });
});

describe('schedules', () => {
  it("run in the tenant's time zone, once per occurrence however many tick", async () => {
    const knex = te.engine.db.knex;
    await knex
      .withSchema(te.engine.platform)
      .table('tenants')
      .where({ id: other.tenantId })
      .update({ time_zone: 'America/New_York' });
    const jobs = te.engine.jobs;
    await jobs.schedules.set(other.tenantId, {
      name: 'daily',
      kind: 'test.wait',
      cron: '0 3 * * *',
      payload: { ms: 1 },
    });
    const rows = await jobs.schedules.list(other.tenantId);
    const daily = rows.find((r) => r.name === 'daily');
    const hourIn = (d: Date, tz: string) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: tz,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(d);
    expect(hourIn(new Date(daily.next_run_at), 'America/New_York')).toBe('03:00');
    // The engine's system schedules exist for every tenant, in its zone (default Asia/Shanghai).
    const prune = (await jobs.schedules.list(t.tenantId)).find((r) => r.name === 'outbox.prune');
    expect(hourIn(new Date(prune.next_run_at), 'Asia/Shanghai')).toBe('03:00');
    expect((await jobs.schedules.list(t.tenantId)).map((r) => r.name)).toContain('outbox.sweep');

    // Due now: two ticks at once (as from two processes) enqueue it once. Every other schedule is
    // put an hour ahead, so a system schedule falling due meanwhile (the sweep runs every few
    // minutes) does not count in the ticks.
    await knex
      .withSchema(te.engine.platform)
      .table('job_schedules')
      .whereNot((q) => q.where({ tenant_id: other.tenantId, name: 'daily' }))
      .update({ next_run_at: new Date(Date.now() + 3_600_000) });
    await knex
      .withSchema(te.engine.platform)
      .table('job_schedules')
      .where({ tenant_id: other.tenantId, name: 'daily' })
      .update({ next_run_at: new Date(Date.now() - 1000) });
    const ticks = await Promise.all([jobs.schedules.tick(), jobs.schedules.tick()]);
    expect(ticks[0] + ticks[1]).toBe(1);
    const queued = await jobs.list(other.tenantId, { kind: 'test.wait' });
    expect(queued).toHaveLength(1);
    expect(queued[0].key).toBe('schedule:daily');
    const after = (await jobs.schedules.list(other.tenantId)).find((r) => r.name === 'daily');
    expect(new Date(after.next_run_at).getTime()).toBeGreaterThan(Date.now());
    expect(hourIn(new Date(after.next_run_at), 'America/New_York')).toBe('03:00');
    expect(nextRun('0 3 * * *', 'America/New_York', new Date('2026-07-01T12:00:00Z')).toISOString()).toBe(
      '2026-07-02T07:00:00.000Z',
    );
    await knex.withSchema(te.engine.platform).table('jobs').where('kind', 'test.wait').delete();
    await jobs.schedules.remove(other.tenantId, 'daily');
  });
});

describe('stop()', () => {
  it('stops claiming, waits for running jobs up to its bound, and puts back the rest', async () => {
    const jobs = te.engine.jobs;
    const short = await jobs.enqueue('test.wait', { ms: 1500 }, { tenantId: t.tenantId });
    const long = await jobs.enqueue('test.wait', { ms: 30_000 }, { tenantId: t.tenantId });
    jobs.runner.start();
    await until(
      async () => (await state(long))?.state === 'running' && (await state(short))?.state === 'running',
    );
    const res = await jobs.stop({ timeoutMs: 3000 });
    expect(res).toEqual({ finished: 1, released: 1 });
    expect(await state(short)).toBeNull(); // done and deleted
    expect(await state(long)).toMatchObject({ state: 'queued', attempts: 0 });
    await te.engine.db.knex.withSchema(te.engine.platform).table('jobs').where('kind', 'test.wait').delete();
  });
});

describe('the outbox on the job runner', () => {
  it('delivers every event at least once, retries a failing subscriber, and prunes delivered events', async () => {
    const jobs = te.engine.jobs;
    jobs.runner.start();
    const seen: DispatchedEvent[] = [];
    const flaky: DispatchedEvent[] = [];
    let failures = 0;
    const off1 = te.engine.dispatcher.subscribe('test.collector', async (e) => void seen.push(e));
    const off2 = te.engine.dispatcher.subscribe('test.flaky', async (e) => {
      if (failures++ < 2) throw new Error('subscriber down');
      flaky.push(e);
    });
    try {
      const acc = await t.post('/api/v1/data/account', { name: 'Evented' });
      expect(acc.status).toBe(201);
      const upd = await t.patch(`/api/v1/data/account/${acc.body.data.id}`, { name: 'Evented 2' });
      expect(upd.status).toBe(200);
      const mine = () => seen.filter((e) => e.recordId === acc.body.data.id);
      await until(async () => mine().length === 2);
      expect(mine().map((e) => e.type)).toEqual(['record.created', 'record.updated']);
      expect(mine()[0]).toMatchObject({ tenantId: t.tenantId, object: 'account', actor: t.adminUserId });
      // The failing subscriber gets both events in the end, through retry jobs; its failures are logged.
      await until(async () => flaky.filter((e) => e.recordId === acc.body.data.id).length === 2);
      expect(
        logs.some((l) => l.msg.includes('subscriber failed') && l.detail?.subscriber === 'test.flaky'),
      ).toBe(true);
      const knex = te.engine.db.knex;
      // Marked dispatched once the batch went to every subscriber (retries may come first).
      await until(async () => {
        const pending = await knex
          .withSchema(t.schema)
          .table('_outbox')
          .whereNull('dispatched_at')
          .count({ n: '*' });
        return pending[0].n === 0;
      });

      // Delivered more than the retention ago → pruned by the daily job; recent ones stay.
      await knex
        .withSchema(t.schema)
        .table('_outbox')
        .where('record_id', acc.body.data.id)
        .where('type', 'record.created')
        .update({ dispatched_at: knex.raw("now() - interval '8 days'") });
      const pruneId = await jobs.enqueue('outbox.prune', {}, { tenantId: t.tenantId });
      await until(async () => !(await state(pruneId)));
      const left = await knex
        .withSchema(t.schema)
        .table('_outbox')
        .where('record_id', acc.body.data.id)
        .pluck('type');
      expect(left).toEqual(['record.updated']);
    } finally {
      off1();
      off2();
    }
  });
});
