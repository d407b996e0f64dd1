// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import type { DeployResult, ObjectDef, PackageDef } from '../../studio/src/api/types';
import type { PipelineDef } from '../../engine/src/core/model';
import { fromFilter, fromLogic, toFilter, toLogic } from '../../studio/src/pipeline/setup/conditions';
import PipelineEditor from '../../studio/src/pipeline/setup/PipelineEditor.vue';
import type { Checklist } from '../../studio/src/pipeline/types';
import { ACCOUNT, flush, setup } from './setup';

/** The pipeline editor: its condition builder's languages, "try on a record", and the package it deploys. */
const settle = async (ms = 0) => {
  for (let i = 0; i < 4; i++) await flush();
  if (ms) await new Promise((r) => setTimeout(r, ms));
  await flush();
};
/** An option of an open select, by its text (several selects may list the same one). */
const item = (text: string, last = false) => {
  const all = Array.from(document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')).filter((x) =>
    x.textContent?.includes(text),
  );
  return (last ? all.at(-1) : all[0])!;
};
afterEach(() => {
  document.body.innerHTML = '';
});

describe('condition builder languages', () => {
  it('rows become json-logic and back; what rows cannot say is left to JSON', () => {
    const c = {
      match: 'any' as const,
      rows: [
        { field: 'amount', op: 'gt' as const, value: 500 },
        { field: 'decision_maker', op: 'filled' as const, value: null },
      ],
    };
    const logic = toLogic(c);
    expect(logic).toEqual({ or: [{ '>': [{ var: 'amount' }, 500] }, { '!!': [{ var: 'decision_maker' }] }] });
    expect(fromLogic(logic)).toEqual(c);
    expect(toLogic({ match: 'all', rows: [c.rows[0]] })).toEqual({ '>': [{ var: 'amount' }, 500] });
    expect(fromLogic({ if: [true, 1, 2] })).toBeNull();
    expect(fromLogic({ '>': [{ '+': [{ var: 'a' }, 1] }, 2] })).toBeNull();
  });

  it('rows become a records filter and back', () => {
    const c = {
      match: 'all' as const,
      rows: [
        { field: 'behaviour', op: 'eq' as const, value: 'site_survey' },
        { field: 'notes', op: 'empty' as const, value: null },
      ],
    };
    const f = toFilter(c);
    expect(f).toEqual({ and: [{ behaviour: { eq: 'site_survey' } }, { notes: { isNull: true } }] });
    expect(fromFilter(f)).toEqual(c);
    expect(fromFilter({ behaviour: 'site_survey' })!.rows).toEqual([
      { field: 'behaviour', op: 'eq', value: 'site_survey' },
    ]);
    expect(fromFilter({ or: [{ a: { eq: 1 } }] })).toBeNull();
  });
});

const l = (en: string, zh: string) => ({ en, 'zh-CN': zh });
const DEAL: ObjectDef = {
  name: 'deal',
  label: l('Deal', '商机'),
  pluralLabel: l('Deals', '商机'),
  nameField: 'name',
  fields: [
    { name: 'name', label: l('Name', '名称'), type: 'text' },
    {
      name: 'stage',
      label: l('Stage', '阶段'),
      type: 'picklist',
      options: ['lead', 'survey', 'bid', 'won'].map((v) => ({ value: v, label: l(v.toUpperCase(), v) })),
    },
    { name: 'note', label: l('Note', '备注'), type: 'text' },
  ],
};
const PIPELINE: PipelineDef = {
  name: 'direct',
  object: 'deal',
  label: l('Direct sales', '直销流程'),
  field: 'stage',
  stages: [
    { value: 'lead', probability: 10 },
    { value: 'survey', probability: 30, gate: [{ kind: 'field_required', name: 'has_note', field: 'note' }] },
    { value: 'bid', probability: 60 },
    { value: 'won', category: 'won', probability: 100 },
  ],
};
const PKG: PackageDef = { objects: [DEAL, ACCOUNT], pipelines: [PIPELINE] };

async function mountEditor(answers: { tryDraft?: () => Checklist; plan?: () => DeployResult }) {
  const calls: { method: string; path: string; body: unknown; headers: unknown }[] = [];
  const ctx = setup('en', {
    api: {
      call: async (method: string, path: string, body: unknown, headers: unknown) => {
        calls.push({ method, path, body, headers });
        if (path === '/stages/deal/try')
          return { data: answers.tryDraft!(), body: {}, etag: null, status: 200 };
        if (path === '/meta/plan') return { data: answers.plan!(), body: {}, etag: null, status: 200 };
        throw new Error(`unexpected ${method} ${path}`);
      },
      page: async () => ({
        data: [{ id: 'r1', name: 'Harbour chiller', stage: 'lead' }],
        meta: { next_cursor: null, has_more: false },
      }),
    },
  });
  ctx.meta.pkg = PKG;
  ctx.meta.version = 7;
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/setup/processes/:object/pipelines/:name', name: 'setup-pipeline', component: PipelineEditor },
      { path: '/:rest(.*)*', name: 'setup-processes', component: { render: () => h('div') } },
    ],
  });
  await router.push('/setup/processes/deal/pipelines/direct');
  const w = ctx.mount({ render: () => h(RouterView) }, { global: { plugins: [router] } });
  await settle();
  return { ...ctx, w, calls };
}

describe('pipeline editor', () => {
  it('tries the draft on a real record: the draft pipelines go to the engine, the checklist comes back', async () => {
    const { w, calls } = await mountEditor({
      tryDraft: () => ({
        pipeline: 'direct',
        businessType: null,
        from: 'lead',
        to: 'survey',
        allowed: false,
        refusal: null,
        stages: [
          {
            value: 'survey',
            label: l('SURVEY', 'survey'),
            items: [
              {
                name: 'has_note',
                kind: 'field_required',
                label: l('Note filled in', '已填写备注'),
                met: false,
                code: 'GATE_FIELD_REQUIRED',
                why: '“Note” must be filled in before “SURVEY”.',
              },
            ],
          },
        ],
      }),
    });
    // Edit the draft: the survey stage now expects 12 days at most.
    await w.find('[data-testid="pl-stage-survey"] .stage-row').trigger('click');
    await settle();
    const maxDays = w.find('[data-testid="pl-stage-survey"] [data-testid="stage-max-days"] input');
    await maxDays.setValue('12');
    await maxDays.trigger('change');
    await settle();
    // Pick the record and try.
    await w.find('[data-testid="try-record"] .el-select__wrapper').trigger('click');
    await settle(50);
    item('Harbour chiller').click();
    await settle();
    await w.find('[data-testid="try-run"]').trigger('click');
    await settle();
    const tried = calls.find((c) => c.path === '/stages/deal/try')!;
    const body = tried.body as { pipelines: PipelineDef[]; recordId: string };
    expect(body.recordId).toBe('r1');
    expect(body.pipelines).toHaveLength(1);
    expect(body.pipelines[0].stages.find((s) => s.value === 'survey')!.maxDays).toBe(12);
    expect(w.find('[data-testid="try-verdict"]').text()).toContain('could not move to “SURVEY”');
    expect(w.find('[data-testid="gate-item-has_note"]').text()).toContain('“Note” must be filled in');
  });

  it('removing a stage asks where its records go; the plan gets the package and the stage moves', async () => {
    const plan: DeployResult = {
      applied: false,
      version: 8,
      previousVersion: 7,
      hash: 'h',
      steps: [],
      issues: [],
    };
    const { w, calls } = await mountEditor({ plan: () => plan });
    await w.find('[data-testid="pl-stage-bid"] [data-testid="stage-remove"]').trigger('click');
    await settle();
    expect(w.find('[data-testid="pl-moves"]').exists()).toBe(true);
    await w.find('[data-testid="pl-moves"] .el-select__wrapper').trigger('click');
    await settle(50);
    // The newest list with this option: the one the mapping just opened.
    item('SURVEY', true).click();
    await settle();
    await w.find('[data-testid="review-deploy"]').trigger('click');
    await settle(50);
    const planned = calls.find((c) => c.path === '/meta/plan')!;
    const body = planned.body as { package: PackageDef; stageMoves: unknown };
    expect(body.package.pipelines![0].stages.map((s) => s.value)).toEqual(['lead', 'survey', 'won']);
    expect(body.package.objects.map((o) => o.name)).toEqual(['deal', 'account']);
    expect(body.stageMoves).toEqual([{ pipeline: 'direct', from: 'bid', to: 'survey' }]);
    expect(planned.headers).toEqual({ 'If-Match': '"m7"' });
  });
});
