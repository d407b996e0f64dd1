import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts } from '../helpers/packages.js';

/** Validation rules on delete (`on`), and a parent's roll-up rule re-checked when a child goes. */
function pkg(): PackageDef {
  return {
    name: 'delete-rules',
    objects: [
      object(
        'opportunity',
        [
          field('name', 'text', { required: true }),
          field('stage', 'picklist', { options: opts('prospecting', 'closed_won') }),
          field('split_total', 'rollup', {
            summary: { object: 'split', via: 'opportunity', fn: 'sum', field: 'share' },
          }),
          field('split_missing', 'formula', {
            returnType: 'number',
            expression: { '-': [100, { var: 'split_total' }] },
          }),
        ],
        {
          validationRules: [
            {
              name: 'won_needs_full_split',
              condition: {
                and: [{ '==': [{ var: 'stage' }, 'closed_won'] }, { '!=': [{ var: 'split_missing' }, 0] }],
              },
              message: l(
                'Split the performance 100% before closing as won.',
                '赢单前业绩拆分合计必须为 100%。',
              ),
              field: 'stage',
            },
          ],
        },
      ),
      object('split', [
        field('person', 'text', { required: true }),
        field('share', 'percent', { min: 0, max: 100 }),
        field('opportunity', 'master_detail', { target: 'opportunity' }),
      ]),
      object(
        'gate_check',
        [
          field('name', 'text', { required: true }),
          field('passed', 'boolean'),
          field('opportunity', 'master_detail', { target: 'opportunity' }),
        ],
        {
          validationRules: [
            {
              name: 'passed_checks_stay',
              on: ['delete'],
              condition: {
                or: [{ var: 'passed' }, { '==': [{ var: 'opportunity.stage' }, 'closed_won'] }],
              },
              message: l('A passed gate check cannot be deleted.', '已通过的阶段检查不能删除。'),
              field: 'passed',
            },
          ],
        },
      ),
      object('note', [field('text', 'text')], {
        validationRules: [
          {
            name: 'not_born_draft',
            on: ['create'],
            condition: { '==': [{ var: 'text' }, 'draft'] },
            message: l('A new note cannot be a draft.'),
          },
          {
            name: 'never_final',
            on: ['update'],
            condition: { '==': [{ var: 'text' }, 'final'] },
            message: l('A note cannot become final.'),
          },
          {
            name: 'default_on',
            condition: { '==': [{ var: 'text' }, 'bad'] },
            message: l('Bad note.'),
          },
        ],
      }),
    ],
  };
}

let te: TestEngine;
let t: TestTenant;
beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg());
});
afterAll(() => te?.close());

const rules = (body: { errors?: { code: string; detail?: { rule: string } }[] }) =>
  (body.errors ?? []).map((e) => `${e.code} ${e.detail?.rule ?? ''}`);

describe('the "on" setting of validation rules', () => {
  it('checks only the writes it names; without it, creates and updates', async () => {
    const draft = await t.post('/api/v1/data/note', { text: 'draft' });
    expect(rules(draft.body)).toEqual(['VALIDATION_RULE not_born_draft']);
    const final = await t.post('/api/v1/data/note', { text: 'final' });
    expect(final.status, JSON.stringify(final.body)).toBe(201);
    const n = (await t.post('/api/v1/data/note', { text: 'ok' }).expect(201)).body.data;
    await t.patch(`/api/v1/data/note/${n.id}`, { text: 'draft' }).expect(200);
    expect(rules((await t.patch(`/api/v1/data/note/${n.id}`, { text: 'final' })).body)).toEqual([
      'VALIDATION_RULE never_final',
    ]);
    expect(rules((await t.patch(`/api/v1/data/note/${n.id}`, { text: 'bad' })).body)).toEqual([
      'VALIDATION_RULE default_on',
    ]);
    expect(rules((await t.post('/api/v1/data/note', { text: 'bad' })).body)).toEqual([
      'VALIDATION_RULE default_on',
    ]);
    // no rule names delete: a note that would fail every rule is deleted all the same
    await t.del(`/api/v1/data/note/${final.body.data.id}`).expect(204);
  });

  it('is checked at deploy', async () => {
    const p = pkg();
    p.objects[3].validationRules![0].on = ['create', 'archive' as never];
    p.objects[3].validationRules![1].on = [];
    const r = await t.post('/api/v1/meta/deploy', { package: p });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    const pointers = r.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toContain('/objects/3/validationRules/0/on/1');
    expect(pointers).toContain('/objects/3/validationRules/1/on');
  });
});

describe('rules on delete', () => {
  it('refuse deleting the record they hold, which stays; in batches too', async () => {
    const opp = (await t.post('/api/v1/data/opportunity', { name: 'Gate', stage: 'prospecting' }).expect(201))
      .body.data;
    const passed = (
      await t
        .post('/api/v1/data/gate_check', { name: 'Budget', passed: true, opportunity: opp.id })
        .expect(201)
    ).body.data;
    const open = (
      await t
        .post('/api/v1/data/gate_check', { name: 'Tech', passed: false, opportunity: opp.id })
        .expect(201)
    ).body.data;
    const r = await t.del(`/api/v1/data/gate_check/${passed.id}`);
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.errors).toEqual([
      {
        pointer: '',
        code: 'VALIDATION_RULE',
        message: 'A passed gate check cannot be deleted.',
        detail: { rule: 'passed_checks_stay', field: 'passed' },
      },
    ]);
    const zh = await t.del(`/api/v1/data/gate_check/${passed.id}`).set('Accept-Language', 'zh-CN');
    expect(zh.body.errors[0].message).toBe('已通过的阶段检查不能删除。');
    await t.get(`/api/v1/data/gate_check/${passed.id}`).expect(200);

    const batch = await t.post('/api/v1/data/gate_check/batch', {
      operations: [
        { op: 'delete', id: open.id },
        { op: 'delete', id: passed.id },
      ],
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(422);
    expect(batch.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/operations/1']);
    await t.get(`/api/v1/data/gate_check/${open.id}`).expect(200); // all or nothing

    // the rule reads through the lookup: once the deal is won, no check may go
    await t.post('/api/v1/data/split', { person: 'Li', share: 100, opportunity: opp.id }).expect(201);
    await t.patch(`/api/v1/data/opportunity/${opp.id}`, { stage: 'closed_won' }).expect(200);
    expect(rules((await t.del(`/api/v1/data/gate_check/${open.id}`)).body)).toEqual([
      'VALIDATION_RULE passed_checks_stay',
    ]);
    await t.patch(`/api/v1/data/opportunity/${opp.id}`, { stage: 'prospecting' }).expect(200);
    await t.del(`/api/v1/data/gate_check/${open.id}`).expect(204);
  });

  it("re-check the parent's roll-up rule when a child is deleted", async () => {
    const opp = (
      await t.post('/api/v1/data/opportunity', { name: 'Won deal', stage: 'prospecting' }).expect(201)
    ).body.data;
    const lines = [];
    for (const [person, share] of [
      ['Li', 70],
      ['Wang', 30],
    ] as const)
      lines.push(
        (await t.post('/api/v1/data/split', { person, share, opportunity: opp.id }).expect(201)).body.data.id,
      );
    await t.patch(`/api/v1/data/opportunity/${opp.id}`, { stage: 'closed_won' }).expect(200);
    // deleting Wang's 30 % would leave the won deal at 70 %
    const r = await t.del(`/api/v1/data/split/${lines[1]}`);
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        pointer: '',
        code: 'PARENT_RULE',
        message: expect.stringContaining('Split the performance 100% before closing as won.'),
        detail: { rule: 'won_needs_full_split', object: 'opportunity', id: opp.id },
      }),
    ]);
    const after = (await t.get(`/api/v1/data/opportunity/${opp.id}`)).body.data;
    expect(after).toMatchObject({ split_total: 100, split_missing: 0 });
    await t.get(`/api/v1/data/split/${lines[1]}`).expect(200);
    // deleting it while the deal is open is fine
    await t.patch(`/api/v1/data/opportunity/${opp.id}`, { stage: 'prospecting' }).expect(200);
    await t.del(`/api/v1/data/split/${lines[1]}`).expect(204);
  });
});
