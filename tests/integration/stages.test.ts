import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef, PipelineDef } from '../../engine/src/core/model.js';
import { startEngine, onServer, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts } from '../helpers/packages.js';
import { currentMeta, deploy, deployEdit } from '../fixtures/meta.js';

// The "done when" of issue 12, through the API alone: a five-stage pipeline with one
// related-record item per stage; PATCH, batch and blind PATCH that skip stages are refused with
// every unmet item; once the items exist the same writes pass; history shows each move with its
// duration; removing a stage with records is refused with the count, and a mapping moves them.

const STAGES = ['s1', 's2', 's3', 's4', 's5'];

function pipeline(extra: Partial<PipelineDef> = {}): PipelineDef {
  return {
    name: 'main',
    object: 'deal',
    label: l('Main', '主流程'),
    field: 'stage',
    allowSkip: true,
    stages: [
      ...STAGES.map((s, i) => ({
        value: s,
        probability: (i + 1) * 20,
        maxDays: 10,
        guidance: l(`Do ${s}`, `完成 ${s}`),
        gate: [
          {
            kind: 'related_records',
            name: `task_${s}`,
            object: 'task',
            via: 'deal',
            filter: { kind: { eq: `k_${s}` } },
          },
        ],
      })),
      { value: 'lost', category: 'lost' as const, probability: 0 },
    ],
    ...extra,
  };
}

function dealPackage(): PackageDef {
  return {
    objects: [
      object('deal', [
        field('name', 'text', { required: true }),
        field('stage', 'picklist', { options: opts(...STAGES, 'lost'), default: 's1' }),
        field('note', 'text'),
      ]),
      object('task', [
        field('name', 'text'),
        field('deal', 'master_detail', { target: 'deal' }),
        field('kind', 'picklist', { options: opts(...STAGES.map((s) => `k_${s}`)) }),
      ]),
    ],
    pipelines: [pipeline()],
  };
}

let te: TestEngine;
let t: TestTenant;

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(dealPackage());
});
afterAll(() => te?.close());

const deal = (id: string) => t.get(`/api/v1/data/deal/${id}`).then((r) => r.body.data);
const patch = (id: string, body: object) => t.patch(`/api/v1/data/deal/${id}`, body);
const task = (dealId: string, stage: string) =>
  t.post('/api/v1/data/task', { name: `task ${stage}`, deal: dealId, kind: `k_${stage}` });
const codes = (body: { errors?: { pointer: string; code: string }[] }) =>
  (body.errors ?? []).map((e) => [e.pointer, e.code]);

describe('a five-stage pipeline with one related-record item per stage', () => {
  let id: string;

  it('is deployed and described for the path bar', async () => {
    const r = await t.get('/api/v1/stages/deal');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data.stageField).toBe('stage');
    const p = r.body.data.pipelines[0];
    expect(p.stages.map((s: { value: string }) => s.value)).toEqual([...STAGES, 'lost']);
    expect(p.stages[1]).toMatchObject({ probability: 40, maxDays: 10, category: 'open' });
    expect(p.stages[1].gate).toEqual([
      {
        name: 'task_s2',
        kind: 'related_records',
        label: expect.objectContaining({ en: expect.any(String) }),
      },
    ]);
  });

  it('a new record starts in the first stage, with its stay begun', async () => {
    const r = await t.post('/api/v1/data/deal', { name: 'Big deal' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    id = r.body.data.id;
    expect(r.body.data).toMatchObject({ stage: 's1', days_in_stage: 0, stale: false });
    expect(Date.parse(r.body.data.stage_entered_at)).toBeGreaterThan(Date.now() - 60_000);
    const h = await t.get(`/api/v1/data/deal/${id}/stage-history`);
    expect(h.body.data).toEqual([
      expect.objectContaining({ from: null, to: 's1', leftAt: null, pipeline: 'main' }),
    ]);
  });

  it('a PATCH that skips a stage is refused with every unmet item, in the reader’s language', async () => {
    const r = await patch(id, { stage: 's3' }).set('Accept-Language', 'zh-CN');
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('STAGE_GATE');
    expect(codes(r.body)).toEqual([
      ['/stage', 'GATE_RELATED_RECORDS'],
      ['/stage', 'GATE_RELATED_RECORDS'],
    ]);
    expect(r.body.errors[0].detail).toMatchObject({ stage: 's2', item: 'task_s2', count: 0, min: 1 });
    expect(r.body.errors[1].detail).toMatchObject({ stage: 's3', item: 'task_s3' });
    expect(r.body.errors[0].message).toContain('进入“s2”需要至少 1 条');
    expect(await deal(id)).toMatchObject({ stage: 's1', version: 1 });
  });

  it('a blind PATCH (no If-Match, nothing else needing the row) is refused the same way', async () => {
    const r = await patch(id, { stage: 's2', note: 'pushing' });
    expect(r.status).toBe(422);
    expect(codes(r.body)).toEqual([['/stage', 'GATE_RELATED_RECORDS']]);
    expect(await deal(id)).toMatchObject({ stage: 's1', note: null, version: 1 });
  });

  it('a batch that skips a stage is refused with every unmet item of every record', async () => {
    const other = (await t.post('/api/v1/data/deal', { name: 'Other' })).body.data.id;
    const r = await t.post('/api/v1/data/deal/batch', {
      operations: [
        { op: 'update', id, data: { stage: 's3' } },
        { op: 'update', id: other, data: { stage: 's2' } },
      ],
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('STAGE_GATE');
    expect(codes(r.body)).toEqual([
      ['/operations/0/data/stage', 'GATE_RELATED_RECORDS'],
      ['/operations/0/data/stage', 'GATE_RELATED_RECORDS'],
      ['/operations/1/data/stage', 'GATE_RELATED_RECORDS'],
    ]);
    expect((await deal(other)).stage).toBe('s1');
    await t.del(`/api/v1/data/deal/${other}`);
  });

  it('the checklist shows each item met or not, with why, without moving', async () => {
    expect((await task(id, 's2')).status).toBe(201);
    const r = await t.get(`/api/v1/data/deal/${id}/gates?to=s3`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toMatchObject({ from: 's1', to: 's3', allowed: false, refusal: null });
    const items = r.body.data.stages.map((s: { value: string; items: { met: boolean }[] }) => [
      s.value,
      s.items[0].met,
    ]);
    expect(items).toEqual([
      ['s2', true],
      ['s3', false],
    ]);
    const met = r.body.data.stages[0].items[0];
    expect(met.why).toBe('Found 1 record(s) of tasks (at least 1 needed).');
    expect(met.details.records).toEqual([{ id: expect.any(String), name: 'task s2' }]);
    // default target: the next stage
    const next = await t.get(`/api/v1/data/deal/${id}/gates`);
    expect(next.body.data).toMatchObject({ to: 's2', allowed: true });
    expect((await deal(id)).version).toBe(1);
  });

  it('once the items exist, the same PATCH passes and history shows each move with its duration', async () => {
    expect((await task(id, 's3')).status).toBe(201);
    const r = await patch(id, { stage: 's3' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toMatchObject({ stage: 's3', days_in_stage: 0, version: 2 });
    const h = (await t.get(`/api/v1/data/deal/${id}/stage-history`)).body.data;
    expect(h.map((x: { from: string; to: string }) => [x.from, x.to])).toEqual([
      [null, 's1'],
      ['s1', 's3'],
    ]);
    expect(h[0].leftAt).toBe(h[1].enteredAt);
    expect(h[0].days).toBeGreaterThanOrEqual(0);
    expect(h[1]).toMatchObject({ leftAt: null, actor: t.adminUserId, origin: 'user' });
  });

  it('the same batch and blind PATCH pass once their items exist', async () => {
    await task(id, 's4');
    expect((await patch(id, { stage: 's4', note: 'on track' })).status).toBe(200);
    await task(id, 's5');
    const b = await t.post('/api/v1/data/deal/batch', {
      operations: [{ op: 'update', id, data: { stage: 's5' } }],
    });
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(b.body.data[0]).toMatchObject({ stage: 's5', note: 'on track' });
    // back, then forward again: allowed by default (moving back runs no gate)
    expect((await patch(id, { stage: 's4' })).status).toBe(200);
  });

  it('a pipeline that forbids skipping refuses the skip outright; one that forbids moving back, the move back', async () => {
    const d = await deployEdit(t, (p) => {
      p.pipelines![0].allowSkip = false;
      p.pipelines![0].allowBack = false;
    });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    const fresh = (await t.post('/api/v1/data/deal', { name: 'Skipper' })).body.data.id;
    for (const s of ['s2', 's3']) await task(fresh, s);
    const skip = await patch(fresh, { stage: 's3' });
    expect(skip.status).toBe(422);
    expect(codes(skip.body)).toEqual([['/stage', 'STAGE_SKIP_NOT_ALLOWED']]);
    expect(skip.body.errors[0].message).toBe(
      'This pipeline does not let a record skip stages: from “s1” to “s3” skips s2.',
    );
    expect((await patch(fresh, { stage: 's2' })).status).toBe(200);
    const back = await patch(fresh, { stage: 's1' });
    expect(codes(back.body)).toEqual([['/stage', 'STAGE_BACK_NOT_ALLOWED']]);
    // a lost stage can be reached from anywhere, with its own gate only
    expect((await patch(fresh, { stage: 'lost' })).body.data.stage).toBe('lost');
    const checklist = await t.get(`/api/v1/data/deal/${fresh}/gates?to=s2`);
    expect(checklist.body.data.refusal.code).toBe('STAGE_BACK_NOT_ALLOWED');
    await deployEdit(t, (p) => {
      p.pipelines![0].allowSkip = true;
      p.pipelines![0].allowBack = true;
    });
  });

  it('a record created in a later stage runs the gates up to it', async () => {
    const r = await t.post('/api/v1/data/deal', { name: 'Late', stage: 's2' });
    expect(r.status).toBe(422);
    expect(codes(r.body)).toEqual([['/stage', 'GATE_RELATED_RECORDS']]);
  });

  it('a stage not in the pipeline is refused at the stage field', async () => {
    const d = await deployEdit(t, (p) => {
      p.objects[0].fields[1].options!.push({ value: 'parked', label: l('Parked') });
    });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    const r = await patch(id, { stage: 'parked' });
    expect(codes(r.body)).toEqual([['/stage', 'STAGE_NOT_IN_PIPELINE']]);
  });

  it('a write that touches neither the stage nor a type needs no stored row and no transaction from the gate', async () => {
    const model = await te.engine.models.get(t.tenantId);
    const o = model.objects.get('deal')!;
    const { stageGateStep } = await import('../../engine/src/processes/stages/gate-step.js');
    const step = stageGateStep('UTC');
    const ctx = (input: Record<string, unknown>, op: 'update' | 'create' = 'update') => ({
      items: [{ index: 0, op, id, input, before: null, values: {}, pointer: '' }],
      model,
      object: o,
    });
    const pre = (input: Record<string, unknown>, op?: 'update' | 'create') =>
      ctx(input, op) as unknown as Parameters<NonNullable<typeof step.needsBefore>>[0];
    expect(step.needsBefore!(pre({ note: 'x' }))).toBe(false);
    expect(step.needsTransaction!(pre({ note: 'x' }))).toBe(false);
    expect(step.needsBefore!(pre({ stage: 's2' }))).toBe(true);
    expect(step.needsTransaction!(pre({ stage: 's2' }))).toBe(true);
    // and such a write goes through
    const r = await patch(id, { note: 'just a note' });
    expect(r.status).toBe(200);
    const h = (await t.get(`/api/v1/data/deal/${id}/stage-history`)).body.data;
    expect(h[h.length - 1]).toMatchObject({ to: 's4', leftAt: null });
  });

  it('days in stage and stale are readable, filterable and sortable', async () => {
    const old = (await t.post('/api/v1/data/deal', { name: 'Old one' })).body.data.id;
    // twelve days ago, with 10 days allowed: stale
    await te.engine.db.knex
      .withSchema(t.schema)
      .table('deal')
      .where('id', old)
      .update({
        stage_entered_at: new Date(Date.now() - 12 * 86_400_000),
        stage_due_at: new Date(Date.now() - 2 * 86_400_000),
      });
    expect(await deal(old)).toMatchObject({ days_in_stage: 12, stale: true });
    const stale = await t.get(`/api/v1/data/deal?filter=${encodeURIComponent('{"stale":true}')}&fields=name`);
    expect(stale.body.data.map((d: { name: string }) => d.name)).toEqual(['Old one']);
    const fresh = await t.get(
      `/api/v1/data/deal?filter=${encodeURIComponent('{"stale":false}')}&fields=name`,
    );
    expect(fresh.body.data.map((d: { name: string }) => d.name)).not.toContain('Old one');
    const gt = await t.get(`/api/v1/data/deal?filter=${encodeURIComponent('{"days_in_stage":{"gt":11}}')}`);
    expect(gt.body.data.map((d: { id: string }) => d.id)).toEqual([old]);
    const eq = await t.get(`/api/v1/data/deal?filter=${encodeURIComponent('{"days_in_stage":12}')}`);
    expect(eq.body.data.map((d: { id: string }) => d.id)).toEqual([old]);
    const lt = await t.get(`/api/v1/data/deal?filter=${encodeURIComponent('{"days_in_stage":{"lt":12}}')}`);
    expect(lt.body.data.map((d: { id: string }) => d.id)).not.toContain(old);
    const sorted = await t.get('/api/v1/data/deal?sort=-days_in_stage&fields=name,days_in_stage');
    expect(sorted.status, JSON.stringify(sorted.body)).toBe(200);
    expect(sorted.body.data[0]).toMatchObject({ name: 'Old one', days_in_stage: 12 });
    expect((await t.get('/api/v1/data/deal?sort=stale')).status).toBe(400);
    const bad = await t.patch(`/api/v1/data/deal/${old}`, { stage_entered_at: new Date().toISOString() });
    expect(codes(bad.body)).toEqual([['/stage_entered_at', 'READ_ONLY_FIELD']]);
  });

  it('conversion rate and average days per stage come from the stats API', async () => {
    const r = await t.get('/api/v1/stages/deal/stats');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const main = r.body.data[0];
    expect(main.pipeline).toBe('main');
    const s1 = main.stages.find((s: { value: string }) => s.value === 's1');
    expect(s1.entered).toBeGreaterThanOrEqual(3);
    expect(s1.advanced).toBeGreaterThanOrEqual(2);
    expect(s1.conversionRate).toBeCloseTo(s1.advanced / s1.entered, 2);
    expect(s1.averageDays).not.toBeNull();
    expect(main.stages.find((s: { value: string }) => s.value === 's1').stale).toBe(1);
  });

  it('removing a stage with records is refused with the count; a mapping moves them', async () => {
    const { package: pkg } = await currentMeta(t);
    pkg.pipelines![0].stages = pkg.pipelines![0].stages.filter((s) => s.value !== 's4');
    const refused = await deploy(t, pkg);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('STAGE_MOVE_NEEDED');
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/pipelines/0/stages',
        code: 'STAGE_HAS_RECORDS',
        detail: expect.objectContaining({ stage: 's4', count: 1 }),
      }),
    ]);
    expect((await deal(id)).stage).toBe('s4');
    const wrong = await deploy(t, pkg, { stageMoves: [{ pipeline: 'main', from: 's4', to: 's9' }] });
    expect(wrong.status).toBe(409);
    expect(codes(wrong.body)).toContainEqual(['/stageMoves/0/to', 'STAGE_MOVE_NOT_A_STAGE']);
    const plan = await t.post('/api/v1/meta/plan', {
      package: pkg,
      stageMoves: [{ pipeline: 'main', from: 's4', to: 's3' }],
    });
    expect(plan.body.data.steps).toContainEqual(
      expect.objectContaining({
        change: expect.objectContaining({ kind: 'moveStage', from: 's4', to: 's3', count: 1 }),
      }),
    );
    expect((await deal(id)).stage).toBe('s4');
    const moved = await deploy(t, pkg, { stageMoves: [{ pipeline: 'main', from: 's4', to: 's3' }] });
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    expect(await deal(id)).toMatchObject({ stage: 's3' });
    const h = (await t.get(`/api/v1/data/deal/${id}/stage-history`)).body.data;
    expect(h[h.length - 1]).toMatchObject({ from: 's4', to: 's3', origin: 'system', leftAt: null });
    expect(h[h.length - 2].leftAt).toBe(h[h.length - 1].enteredAt);
  });

  it('gates referencing missing fields, objects or stages are refused at deploy with a pointer', async () => {
    const { package: pkg } = await currentMeta(t);
    const p = pkg.pipelines![0];
    p.stages[1].gate = [
      { kind: 'related_records', object: 'nothing', via: 'deal' },
      { kind: 'field_required', field: 'nope' },
      { kind: 'condition', condition: { '==': [{ var: 'missing' }, 1] }, message: l('m') },
      { kind: 'mystery' },
    ];
    p.stages.push({ value: 'zz' });
    const r = await deploy(t, pkg);
    expect(r.status).toBe(422);
    const got = codes(r.body);
    expect(got).toContainEqual(['/pipelines/0/stages/1/gate/0/object', 'META_UNKNOWN_TARGET']);
    expect(got).toContainEqual(['/pipelines/0/stages/1/gate/1/field', 'META_UNKNOWN_FIELD']);
    expect(got.some(([ptr]) => ptr.startsWith('/pipelines/0/stages/1/gate/2/condition'))).toBe(true);
    expect(got).toContainEqual(['/pipelines/0/stages/1/gate/3/kind', 'NOT_AN_OPTION']);
    expect(got).toContainEqual([
      `/pipelines/0/stages/${p.stages.length - 1}/value`,
      'PIPELINE_NOT_AN_OPTION',
    ]);
  });
});

describe('related records dated since entering the current stage, or within the last days', () => {
  it('counts only children dated after the stay began, or inside the window', async () => {
    const d = await deployEdit(t, (p) => {
      const s2 = p.pipelines![0].stages.find((s) => s.value === 's2')!;
      s2.gate = [
        {
          kind: 'related_records',
          name: 'fresh_task',
          object: 'task',
          via: 'deal',
          filter: { kind: { eq: 'k_s2' } },
          since: 'stage_entered',
        },
        { kind: 'related_records', name: 'recent_task', object: 'task', via: 'deal', withinDays: 5 },
      ];
    });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    const id = (await t.post('/api/v1/data/deal', { name: 'Dated' })).body.data.id;
    const child = (await task(id, 's2')).body.data.id;
    const ago = (days: number) => new Date(Date.now() - days * 86_400_000);
    const knex = te.engine.db.knex;
    // the task predates the deal's stay in s1, and is 10 days old
    await knex
      .withSchema(t.schema)
      .table('deal')
      .where('id', id)
      .update({ stage_entered_at: ago(3) });
    await knex
      .withSchema(t.schema)
      .table('task')
      .where('id', child)
      .update({ created_at: ago(10) });
    const refused = await patch(id, { stage: 's2' });
    expect(refused.body.errors.map((e: { detail: { item: string } }) => e.detail.item)).toEqual([
      'fresh_task',
      'recent_task',
    ]);
    expect(refused.body.errors[0].message).toContain('since entering the current stage');
    // two days old: after the stay began, inside the window
    await knex
      .withSchema(t.schema)
      .table('task')
      .where('id', child)
      .update({ created_at: ago(2) });
    expect((await patch(id, { stage: 's2' })).status).toBe(200);
  });
});

describe.runIf(onServer)('consistency under concurrency (Postgres server)', () => {
  it('a child deleted while the parent moves: the move waits, then sees it gone', async () => {
    const id = (await t.post('/api/v1/data/deal', { name: 'Race' })).body.data.id;
    const child = (await task(id, 's2')).body.data.id;
    const knex = te.engine.db.knex;
    const trx = await knex.transaction();
    await trx.withSchema(t.schema).table('task').where('id', child).delete();
    // the delete holds the child's row lock: the move must wait for it, not count the old row
    const move = patch(id, { stage: 's2' }).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    await trx.commit();
    const r = await move;
    expect(r.status).toBe(422);
    expect(codes(r.body).length).toBeGreaterThan(0);
    for (const c of codes(r.body)) expect(c).toEqual(['/stage', 'GATE_RELATED_RECORDS']);
    expect((await deal(id)).stage).toBe('s1');
  });

  it('parallel moves and child deletes: each move commits with its history or is refused, never a 500', async () => {
    const runs = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const id = (await t.post('/api/v1/data/deal', { name: 'Parallel' })).body.data.id;
        const child = (await task(id, 's2')).body.data.id;
        const [m, d] = await Promise.all([patch(id, { stage: 's2' }), t.del(`/api/v1/data/task/${child}`)]);
        return { id, move: m.status, del: d.status };
      }),
    );
    for (const r of runs) {
      expect([200, 422]).toContain(r.move);
      expect(r.del).toBe(204);
      const h = await te.engine.db.knex
        .withSchema(t.schema)
        .from('_stage_history')
        .where({ record_id: r.id, to_stage: 's2' })
        .first('entered_at');
      expect(!!h).toBe(r.move === 200);
      expect((await deal(r.id)).stage).toBe(r.move === 200 ? 's2' : 's1');
    }
  });
});
