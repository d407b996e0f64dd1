// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import { VueDraggable } from 'vue-draggable-plus';
import { ApiProblem } from '../../studio/src/api/problem';
import type { RecordData, VisibleObject } from '../../studio/src/api/types';
import KanbanBoard from '../../studio/src/pipeline/KanbanBoard.vue';
import PathBar from '../../studio/src/pipeline/PathBar.vue';
import type { Checklist, StagesInfo } from '../../studio/src/pipeline/types';
import RecordFormScreen from '../../studio/src/screens/RecordFormScreen.vue';
import { ACCOUNT, flush, setup } from './setup';

/**
 * The stages half of the studio against a fake API that answers like the engine (docs/api.md
 * "Stages"): the path bar, the kanban board (a refusal puts the card back), and the create form's
 * business type.
 */
const settle = async (ms = 0) => {
  for (let i = 0; i < 4; i++) await flush();
  if (ms) await new Promise((r) => setTimeout(r, ms));
  await flush();
};
const $ = <E extends Element = HTMLElement>(sel: string) => document.body.querySelector<E>(sel);
const $$ = (sel: string) => Array.from(document.body.querySelectorAll<HTMLElement>(sel));
afterEach(() => {
  document.body.innerHTML = '';
});

const l = (en: string, zh: string) => ({ en, 'zh-CN': zh });
const opt = (value: string, en: string, zh: string) => ({ value, label: l(en, zh) });
const rw = { read: true as const, edit: true };
const DEAL: VisibleObject = {
  name: 'deal',
  label: l('Deal', '商机'),
  pluralLabel: l('Deals', '商机'),
  nameField: 'name',
  permissions: { create: true, read: true, edit: true, delete: true },
  stages: true,
  fields: [
    { name: 'name', label: l('Name', '名称'), type: 'text', required: true, access: rw },
    {
      name: 'stage',
      label: l('Stage', '阶段'),
      type: 'picklist',
      access: rw,
      options: [
        opt('lead', 'Lead', '线索'),
        opt('survey', 'Site survey', '现场勘察'),
        opt('bid', 'Bid', '投标'),
        opt('won', 'Won', '赢单'),
        opt('lost', 'Lost', '输单'),
      ],
    },
    { name: 'amount', label: l('Amount', '金额'), type: 'currency', currencyCode: 'CNY', access: rw },
    { name: 'close_date', label: l('Close date', '成交日期'), type: 'date', access: rw },
    {
      name: 'source',
      label: l('Source', '来源'),
      type: 'picklist',
      access: rw,
      options: [
        opt('web', 'Website', '官网'),
        opt('partner', 'Partner', '渠道'),
        opt('fair', 'Fair', '展会'),
      ],
    },
    { name: 'partner', label: l('Channel partner', '渠道商'), type: 'text', access: rw },
    { name: 'account', label: l('Account', '客户'), type: 'lookup', target: 'account', access: rw },
  ],
  layout: {
    sections: [{ label: l('Deal', '商机'), columns: 2, fields: ['name', 'account', 'amount', 'stage'] }],
  },
};

const INFO: StagesInfo = {
  object: 'deal',
  stageField: 'stage',
  businessTypes: [
    {
      name: 'direct',
      label: l('Direct sale', '直销'),
      description: l('Sold to end customers', '面向最终客户'),
      default: false,
      pipeline: 'direct',
      picklists: { source: ['web', 'fair'] },
      required: [],
      layout: {
        sections: [
          {
            label: l('Direct', '直销'),
            columns: 2,
            fields: ['name', 'account', 'amount', 'stage', 'source'],
          },
        ],
      },
    },
    {
      name: 'channel',
      label: l('Distribution', '分销'),
      description: l('Through a partner', '通过渠道商'),
      default: true,
      pipeline: 'channel',
      picklists: { source: ['partner'] },
      required: ['partner'],
      layout: {
        sections: [
          {
            label: l('Channel', '分销'),
            columns: 2,
            fields: ['name', 'partner', 'amount', 'stage', 'source'],
          },
        ],
      },
    },
  ],
  pipelines: [
    {
      name: 'direct',
      label: l('Direct sales', '直销流程'),
      field: 'stage',
      allowBack: true,
      allowSkip: false,
      stages: [
        stage(
          'lead',
          'Lead',
          '线索',
          'open',
          'Qualify. <img src=x onerror="alert(1)"> **Ask for the budget.**',
        ),
        stage('survey', 'Site survey', '现场勘察', 'open', null, 14),
        stage('bid', 'Bid', '投标', 'open'),
        stage('won', 'Won', '赢单', 'won'),
        stage('lost', 'Lost', '输单', 'lost'),
      ],
    },
    {
      name: 'channel',
      label: l('Distribution', '分销流程'),
      field: 'stage',
      allowBack: true,
      allowSkip: false,
      stages: [stage('lead', 'Lead', '线索', 'open'), stage('won', 'Won', '赢单', 'won')],
    },
  ],
};

function stage(
  value: string,
  en: string,
  zh: string,
  category: 'open' | 'won' | 'lost',
  guidance: string | null = null,
  maxDays: number | null = null,
) {
  return {
    value,
    label: l(en, zh),
    category,
    probability: null,
    forecastCategory: null,
    guidance: guidance ? l(guidance, guidance) : null,
    maxDays,
    gate: [],
  };
}

const SURVEY_ITEMS = (visitMet: boolean, lang: 'en' | 'zh-CN') => [
  {
    name: 'site_visit',
    kind: 'related_records',
    label: l('A site survey visit', '已有现场勘察拜访'),
    met: visitMet,
    code: visitMet ? 'GATE_RELATED_RECORDS_MET' : 'GATE_RELATED_RECORDS',
    why:
      lang === 'en'
        ? `“Site survey” needs at least 1 record(s) of Activities; found ${visitMet ? 1 : 0}.`
        : `进入“现场勘察”需要至少 1 条活动记录，目前有 ${visitMet ? 1 : 0} 条。`,
  },
  {
    name: 'decision_maker',
    kind: 'field_required',
    label: l('Decision maker named', '已填写决策人'),
    met: false,
    code: 'GATE_FIELD_REQUIRED',
    why:
      lang === 'en'
        ? '“Decision maker” must be filled in before “Site survey”.'
        : '进入“现场勘察”前必须填写“决策人”。',
  },
];

const checklistOf = (lang: 'en' | 'zh-CN', to = 'survey'): Checklist => ({
  pipeline: 'direct',
  businessType: 'direct',
  from: 'lead',
  to,
  allowed: false,
  refusal: null,
  stages: [{ value: 'survey', label: l('Site survey', '现场勘察'), items: SURVEY_ITEMS(true, lang) }],
});

/** The 422 the engine answers a PATCH into a stage whose gate is not met. */
const gateRefusal = (lang: 'en' | 'zh-CN') =>
  new ApiProblem(
    422,
    'STAGE_GATE',
    lang === 'en'
      ? 'The record cannot move to this stage: 1 condition(s) are not met; see errors.'
      : '记录无法进入该阶段。',
    SURVEY_ITEMS(true, lang)
      .filter((i) => !i.met)
      .map((i) => ({
        pointer: '/stage',
        code: i.code,
        message: i.why,
        detail: { stage: 'survey', item: i.name, kind: i.kind, label: i.label },
      })),
  );

/** A fake `call` for the stages routes; the rest of the fake API comes from setup(). */
function stagesCall(calls: string[], lang: 'en' | 'zh-CN', totals: Record<string, unknown>[] = []) {
  return async (method: string, path: string) => {
    calls.push(`${method} ${path}`);
    if (method === 'GET' && path === '/stages/deal') return { data: INFO, body: {}, etag: null, status: 200 };
    const gates = /^\/data\/deal\/([^/]+)\/gates(?:\?to=(\w+))?$/.exec(path);
    if (method === 'GET' && gates)
      return { data: checklistOf(lang, gates[2] ?? 'survey'), body: {}, etag: null, status: 200 };
    if (method === 'GET' && path.endsWith('/stage-history'))
      return { data: [], body: {}, etag: null, status: 200 };
    if (method === 'POST' && path === '/data/deal/aggregate')
      return { data: totals, body: {}, etag: null, status: 200 };
    throw new ApiProblem(404, 'ROUTE_NOT_FOUND', path);
  };
}

// --------------------------------------------------------------------------------------------
describe('path bar', () => {
  const RECORD: RecordData = {
    id: 'r1',
    name: 'Harbour chiller',
    stage: 'lead',
    business_type: 'direct',
    days_in_stage: 17,
    stale: true,
    version: 4,
  };

  async function mountBar(lang: 'en' | 'zh-CN', update: (...a: unknown[]) => unknown) {
    const paths: string[] = [];
    const ctx = setup(lang, { api: { call: stagesCall(paths, lang), update } });
    ctx.model.set({ version: 3, objects: [DEAL, ACCOUNT as VisibleObject] });
    const moved: unknown[] = [];
    const w = ctx.mount(PathBar, {
      props: { object: DEAL, record: RECORD, version: 4, onMoved: (r: unknown) => moved.push(r) },
    });
    await settle();
    return { ...ctx, w, paths, moved };
  }

  it('shows the pipeline, the current stage, days in stage, stale, safe guidance and the next checklist', async () => {
    const { w, paths } = await mountBar('en', async () => ({}));
    const steps = w.findAll('[data-testid^="path-stage-"]');
    expect(steps.map((s) => s.text())).toEqual(['Lead', 'Site survey', 'Bid', 'Won', 'Lost']);
    expect(w.find('[data-testid="path-stage-lead"]').attributes('data-current')).toBe('true');
    expect(w.find('[data-testid="path-days"]').text()).toBe('17 day(s) in this stage');
    expect(w.find('[data-testid="path-stale"]').exists()).toBe(true);
    const guidance = w.find('[data-testid="path-guidance"]');
    expect(guidance.find('strong').text()).toBe('Ask for the budget.');
    expect(guidance.find('img').exists()).toBe(false); // the HTML in it is text, not markup
    expect(guidance.text()).toContain('<img src=x');
    expect(paths).toContain('GET /data/deal/r1/gates');
    expect(w.find('[data-testid="path-target"]').text()).toBe('To move to “Site survey”');
    expect(w.find('[data-testid="gate-item-site_visit"]').attributes('data-met')).toBe('true');
    expect(w.find('[data-testid="gate-item-decision_maker"]').attributes('data-met')).toBe('false');
  });

  it('picking a stage asks for its checklist; moving runs the PATCH and shows the unmet items of a refusal', async () => {
    const updates: unknown[][] = [];
    const { w, paths, moved } = await mountBar('zh-CN', async (...a: unknown[]) => {
      updates.push(a);
      throw gateRefusal('zh-CN');
    });
    await w.find('[data-testid="path-stage-bid"] button').trigger('click');
    await settle();
    expect(paths).toContain('GET /data/deal/r1/gates?to=bid');
    await w.find('[data-testid="path-stage-survey"] button').trigger('click');
    await settle();
    await w.find('[data-testid="path-move"]').trigger('click');
    await settle();
    // The same write any client sends: the stage field, If-Match the version on screen.
    expect(updates).toEqual([['deal', 'r1', { stage: 'survey' }, 4]]);
    const refusal = w.find('[data-testid="path-refusal"]');
    expect(refusal.text()).toContain('未推进：该阶段还有 1 项条件未满足。');
    expect(refusal.find('[data-testid="gate-item-decision_maker"]').text()).toContain(
      '进入“现场勘察”前必须填写“决策人”。',
    );
    expect(refusal.find('[data-testid="gate-item-site_visit"]').exists()).toBe(false);
    expect(moved).toEqual([]);
  });

  it('a move the gate lets through tells the page', async () => {
    const { w, moved } = await mountBar('en', async () => ({
      data: { ...RECORD, stage: 'survey', version: 5 },
      body: {},
      etag: '"5"',
      status: 200,
    }));
    await w.find('[data-testid="path-move"]').trigger('click');
    await settle();
    expect(moved).toHaveLength(1);
    expect(w.find('[data-testid="path-refusal"]').exists()).toBe(false);
  });
});

// --------------------------------------------------------------------------------------------
describe('kanban board', () => {
  const CARDS: Record<string, RecordData[]> = {
    lead: [
      {
        id: 'c1',
        name: 'Harbour chiller',
        stage: 'lead',
        amount: 1200000,
        close_date: '2027-03-31',
        version: 2,
        days_in_stage: 3,
        stale: false,
      },
      {
        id: 'c2',
        name: 'Airport fans',
        stage: 'lead',
        amount: 300000,
        version: 1,
        days_in_stage: 30,
        stale: true,
      },
    ],
    survey: [{ id: 'c3', name: 'Mall retrofit', stage: 'survey', amount: 500000, version: 7 }],
  };
  const TOTALS = [
    { stage: 'lead', count: 2, sum_amount: 1500000 },
    { stage: 'survey', count: 1, sum_amount: 500000 },
  ];

  async function mountBoard(lang: 'en' | 'zh-CN', update: (...a: unknown[]) => unknown, narrow = false) {
    const paths: string[] = [];
    const ctx = setup(lang, {
      narrow,
      api: {
        call: stagesCall(paths, lang, TOTALS),
        update,
        page: async (_o: string, q: { filter?: { and?: Record<string, { eq?: string }>[] } }) => {
          const s = q.filter?.and?.find((x) => x.stage)?.stage?.eq ?? '';
          return {
            data: (CARDS[s] ?? []).map((c) => ({ ...c })),
            meta: { next_cursor: null, has_more: false },
          };
        },
      },
    });
    ctx.model.set({ version: 3, objects: [DEAL, ACCOUNT as VisibleObject] });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/:rest(.*)*', name: 'record', component: { render: () => h('div') } }],
    });
    const w = ctx.mount(KanbanBoard, {
      props: { object: DEAL, filter: { amount: { gt: 0 } }, search: 'a' },
      global: { plugins: [router] },
    });
    await settle();
    return { ...ctx, w, paths };
  }
  const column = (stage: string) => $(`[data-testid="column-${stage}"]`)!;
  const cardsIn = (stage: string) =>
    Array.from(column(stage).querySelectorAll<HTMLElement>('article.card')).map((c) => c.dataset.name);

  it('columns by stage of the default pipeline, with counts, sums and key fields; the list filter and search apply', async () => {
    const { calls } = await mountBoard('en', async () => ({}));
    // The user's default type is Distribution: its pipeline first; Direct sales is one click away.
    expect($('[data-testid="kanban-pipeline"] .is-active')!.textContent).toContain('Distribution');
    ($('[data-testid="kanban-pipeline-direct"] input') as HTMLInputElement).click();
    await settle();
    expect($$('[data-testid^="column-"]').map((c) => c.dataset.testid)).toEqual(
      expect.arrayContaining(['column-lead', 'column-survey', 'column-bid', 'column-won', 'column-lost']),
    );
    expect(column('lead').querySelector('[data-testid="column-count"]')!.textContent).toBe('2');
    expect(column('lead').querySelector('[data-testid="column-sum"]')!.textContent).toContain('1,500,000');
    expect(cardsIn('lead')).toEqual(['Harbour chiller', 'Airport fans']);
    expect(column('lead').querySelector('[data-testid="card-amount"]')!.textContent).toContain('1,200,000');
    expect(column('lead').querySelector('[data-testid="card-close_date"]')!.textContent).toBe('Mar 31, 2027');
    expect(column('lead').querySelectorAll('[data-testid="card-stale"]')).toHaveLength(1);
    const pages = calls
      .filter((c) => c.method === 'page')
      .map((c) => c.args[1] as { filter: unknown; search: string });
    expect(pages.at(-1)!.search).toBe('a');
    expect(JSON.stringify(pages.at(-1)!.filter)).toContain('"business_type":{"in":["direct"]}');
    expect(JSON.stringify(pages.at(-1)!.filter)).toContain('"amount":{"gt":0}');
  });

  it('a drop the gate refuses puts the card back where it was and shows the checklist', async () => {
    const updates: unknown[][] = [];
    const { w } = await mountBoard('en', async (...a: unknown[]) => {
      updates.push(a);
      throw gateRefusal('en');
    });
    ($('[data-testid="kanban-pipeline-direct"] input') as HTMLInputElement).click();
    await settle();
    // What SortableJS does on a drop: the lists change (v-model), then start/add events.
    const lists = w.findAllComponents(VueDraggable);
    const [from, to] = [lists[0], lists[1]];
    const fromCards = [...(from.props('modelValue') as RecordData[])];
    const toCards = [...(to.props('modelValue') as RecordData[])];
    const el = (c: typeof from) => c.element as HTMLElement;
    from.vm.$emit('start', { oldIndex: 0, from: el(from) });
    const [card] = fromCards.splice(0, 1);
    toCards.splice(1, 0, card);
    from.vm.$emit('update:modelValue', fromCards);
    to.vm.$emit('update:modelValue', toCards);
    to.vm.$emit('add', { newIndex: 1, from: el(from), to: el(to) });
    await settle(50);
    expect(updates).toEqual([['deal', 'c1', { stage: 'survey' }, 2]]);
    expect(cardsIn('lead')).toEqual(['Harbour chiller', 'Airport fans']);
    expect(cardsIn('survey')).toEqual(['Mall retrofit']);
    expect(column('lead').querySelector('[data-testid="column-count"]')!.textContent).toBe('2');
    expect(column('survey').querySelector('[data-testid="column-count"]')!.textContent).toBe('1');
    const dialog = $('[data-testid="kanban-refusal"]')!;
    expect(dialog.textContent).toContain('“Harbour chiller” cannot move to “Site survey” yet');
    expect(dialog.querySelector('[data-testid="gate-item-decision_maker"]')!.textContent).toContain(
      '“Decision maker” must be filled in before “Site survey”.',
    );
  });

  it('Move to on a card (a phone: one column at a time) moves it when the gate passes', async () => {
    const { w } = await mountBoard(
      'zh-CN',
      async (_o: unknown, id: unknown, data: Record<string, unknown>) => ({
        data: { ...CARDS.lead.find((c) => c.id === id), ...data, version: 3 },
        body: {},
        etag: '"3"',
        status: 200,
      }),
      true,
    );
    ($('[data-testid="kanban-pipeline-direct"] input') as HTMLInputElement).click();
    await settle();
    // One column at a time, with a stage picker.
    expect($$('section[data-testid^="column-"]')).toHaveLength(1);
    expect($('[data-testid="kanban-stage-picker"]')).toBeTruthy();
    await w.find('[data-testid="card-move-c2"]').trigger('click');
    await settle(50);
    ($('[data-testid="move-c2-to-bid"]') as HTMLElement).click();
    await settle(50);
    expect(cardsIn('lead')).toEqual(['Harbour chiller']);
    expect(column('lead').querySelector('[data-testid="column-count"]')!.textContent).toBe('1');
    expect($('[data-testid="kanban-refusal"]')?.offsetParent ?? null).toBeNull();
    // Swipe left: the next column.
    const cols = $('.columns')!;
    cols.dispatchEvent(Object.assign(new Event('touchstart'), { touches: [{ clientX: 300 }] }));
    cols.dispatchEvent(Object.assign(new Event('touchend'), { changedTouches: [{ clientX: 100 }] }));
    await settle();
    expect($$('section[data-testid^="column-"]').map((c) => c.dataset.testid)).toEqual(['column-survey']);
  });
});

// --------------------------------------------------------------------------------------------
describe('create form: the business type first', () => {
  async function mountNew(lang: 'en' | 'zh-CN', create: (...a: unknown[]) => unknown) {
    const paths: string[] = [];
    const ctx = setup(lang, { api: { call: stagesCall(paths, lang), create } });
    ctx.model.set({ version: 3, objects: [DEAL, ACCOUNT as VisibleObject] });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        {
          path: '/o/:object/new',
          name: 'record-new',
          component: RecordFormScreen,
          props: { mode: 'create' },
        },
        { path: '/:rest(.*)*', name: 'record', component: { render: () => h('div') } },
      ],
    });
    await router.push('/o/deal/new');
    const w = ctx.mount({ render: () => h(RouterView) }, { global: { plugins: [router] } });
    await settle();
    return { ...ctx, w };
  }
  const optionsOf = async (w: Awaited<ReturnType<typeof mountNew>>['w'], field: string) => {
    await w.find(`[data-testid="field-${field}"] .el-select__wrapper`).trigger('click');
    await settle(50);
    const texts = $$('.el-select-dropdown__item')
      .filter(
        (x) =>
          x.offsetParent !== null ||
          x.closest('.el-popper')?.getAttribute('style')?.includes('display: none') === false,
      )
      .map((x) => x.textContent!.trim());
    return texts;
  };

  it("starts on the profile's default type, whose layout, options and required fields the form follows", async () => {
    const { w } = await mountNew('en', async () => ({}));
    expect($('[data-testid="business-type-channel"]')!.getAttribute('aria-checked')).toBe('true');
    expect($('[data-testid="business-type-channel"]')!.textContent).toContain('Your default');
    // Distribution's layout: the partner, required by the type; no account.
    expect(w.find('[data-testid="field-partner"]').exists()).toBe(true);
    expect(w.find('[data-testid="field-partner"]').classes()).toContain('is-required');
    expect(w.find('[data-testid="field-account"]').exists()).toBe(false);
    const sources = await optionsOf(w, 'source');
    expect(sources).toContain('Partner');
    expect(sources).not.toContain('Website');
  });

  it('choosing another type changes the form, and the create names the type', async () => {
    const creates: unknown[][] = [];
    const { w } = await mountNew('zh-CN', async (...a: unknown[]) => {
      creates.push(a);
      return { data: { id: 'new1' }, body: {}, etag: '"1"', status: 201 };
    });
    await w.find('[data-testid="business-type-direct"]').trigger('click');
    await settle();
    expect(w.find('[data-testid="field-partner"]').exists()).toBe(false);
    expect(w.find('[data-testid="field-account"]').exists()).toBe(true);
    expect(w.find('[data-testid="field-partner"]').exists()).toBe(false);
    const stages = await optionsOf(w, 'stage');
    expect(stages).toEqual(expect.arrayContaining(['线索', '现场勘察', '投标', '赢单', '输单']));
    await w.find('[data-testid="field-name"] input').setValue('港口冷水机组');
    await w.find('[data-testid="save-record"]').trigger('click');
    await settle();
    expect(creates).toHaveLength(1);
    expect(creates[0][0]).toBe('deal');
    expect(creates[0][1]).toMatchObject({ name: '港口冷水机组', business_type: 'direct' });
  });
});
