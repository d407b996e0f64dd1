// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProblem } from '../../studio/src/api/problem';
import type { DeployResult } from '../../studio/src/api/types';
import type { RunOptions } from '../../studio/src/editors/PlanDialog.vue';
import PlanDialog from '../../studio/src/editors/PlanDialog.vue';
import RecordDetails from '../../studio/src/screens/RecordDetails.vue';
import RecordForm from '../../studio/src/screens/RecordForm.vue';
import RecordTable from '../../studio/src/screens/RecordTable.vue';
import { widgetIdFor } from '../../studio/src/widgets/registry';
import { ALL_TYPES, flush, setup, USERS } from './setup';

/**
 * The plan dialog shows what a deploy hides (with row counts, a consent per field) and its
 * warnings, deploys exactly the plan reviewed (expectPlan) and plans again when it changed;
 * user fields get the user picker and show people by name.
 */
const settle = async () => {
  for (let i = 0; i < 4; i++) await flush();
  await new Promise((r) => setTimeout(r, 0));
  await flush();
};
const $ = <E extends Element = HTMLElement>(sel: string) => document.body.querySelector<E>(sel);
const $$ = (sel: string) => Array.from(document.body.querySelectorAll<HTMLElement>(sel));
const click = async (el: Element | null | undefined) => {
  expect(el, 'element to click').toBeTruthy();
  (el as HTMLElement).click();
  await settle();
};
afterEach(() => {
  document.body.innerHTML = '';
});

const L = (en: string, zh: string) => ({ en, 'zh-CN': zh });
const PLAN: DeployResult = {
  applied: false,
  version: 4,
  previousVersion: 3,
  hash: 'h',
  planHash: '0123456789abcdef0123456789abcdef',
  issues: [],
  steps: [
    { change: { kind: 'retireColumn', object: 'gadget', field: 'notes', to: '_r_1' }, ddl: true, sql: [] },
    { change: { kind: 'retireColumn', object: 'gadget', field: 'site', to: '_r_2' }, ddl: true, sql: [] },
  ],
  retired: [
    {
      object: 'gadget',
      field: 'notes',
      label: L('Notes', '备注'),
      objectLabel: L('Gadget', '装置'),
      rows: 12,
      confirm: 'retire:gadget.notes',
      needsConfirmation: true,
      confirmed: false,
    },
    {
      object: 'gadget',
      field: 'site',
      label: L('Site', '网址'),
      objectLabel: L('Gadget', '装置'),
      rows: 0,
      confirm: 'retire:gadget.site',
      needsConfirmation: false,
      confirmed: false,
    },
  ],
  warnings: [
    {
      pointer: '/objects/0/fields/0/required',
      code: 'REQUIRED_NOT_EDITABLE',
      params: { object: L('Gadget', '装置'), field: L('Title', '标题'), profiles: L('“Clerk”', '“文员”') },
      message: 'server text',
    },
  ],
};

function mountPlan(lang: 'en' | 'zh-CN', answer: (o: RunOptions) => DeployResult) {
  const runs: RunOptions[] = [];
  const deployed: DeployResult[] = [];
  const { mount } = setup(lang);
  const w = mount(PlanDialog, {
    props: {
      modelValue: true,
      run: async (o: RunOptions) => (runs.push(o), answer(o)),
      draft: ALL_TYPES,
      objectIndex: 0,
      onDeployed: (r: DeployResult) => deployed.push(r),
    },
  });
  return { w, runs, deployed };
}
const deployButton = () => $<HTMLButtonElement>('[data-testid="confirm-deploy"]')!;
const retiredRows = () =>
  $$('[data-testid="plan-retired"] li').map((e) => e.textContent!.replace(/\s+/g, ' ').trim());

describe('plan dialog: data a deploy hides, warnings, the plan reviewed', () => {
  it('lists retired fields with their row counts; deploy waits for consent and sends it with the plan hash', async () => {
    const { w, runs, deployed } = mountPlan('en', (o) => (o.dryRun ? PLAN : { ...PLAN, applied: true }));
    await settle();
    expect(retiredRows()).toEqual([
      '“Notes” of “Gadget” · 12 record(s) hold a value',
      '“Site” of “Gadget” · no record holds a value: nothing to confirm',
    ]);
    // Only the field holding values asks for consent.
    expect($$('[data-testid="plan-retired"] .el-checkbox')).toHaveLength(1);
    expect(deployButton().disabled).toBe(true);
    await click($('[data-testid="confirm-retire:gadget.notes"] input'));
    expect(deployButton().disabled).toBe(false);
    await click(deployButton());
    expect(runs.at(-1)).toEqual({
      dryRun: false,
      allowLossy: false,
      expectPlan: PLAN.planHash,
      confirm: ['retire:gadget.notes'],
    });
    expect(deployed).toHaveLength(1);
    // The warning, in the UI language from its params.
    expect($('[data-testid="plan-warnings"] li')!.textContent).toContain(
      'Field “Title” of “Gadget” is required, but profile(s) “Clerk” may create',
    );
    w.unmount();
  });

  it('in Chinese: the hidden data and the warning', async () => {
    const { w } = mountPlan('zh-CN', () => PLAN);
    await settle();
    expect(retiredRows()).toEqual([
      '“装置”的“备注” · 12 条记录有值',
      '“装置”的“网址” · 没有记录有值：无需确认',
    ]);
    expect($('[data-testid="plan-retired"] h4')!.textContent).toBe('将被隐藏的数据');
    const warning = $('[data-testid="plan-warnings"] li')!.textContent!;
    expect(warning).toContain('“装置”的字段“标题”为必填，但简档 “文员” 可以新建');
    expect(warning).not.toMatch(/[A-Za-z]{4,}/);
    w.unmount();
  });

  it('a plan without retirements deploys at once, with its hash and no confirmations', async () => {
    const plain: DeployResult = { ...PLAN, retired: [], warnings: [] };
    const { w, runs } = mountPlan('en', () => plain);
    await settle();
    expect($('[data-testid="plan-retired"]')).toBeNull();
    expect($('[data-testid="plan-warnings"]')).toBeNull();
    await click(deployButton());
    expect(runs.at(-1)).toEqual({ dryRun: false, allowLossy: false, expectPlan: PLAN.planHash });
    w.unmount();
  });

  it('when the plan changed meanwhile, nothing is deployed: it plans again and says why', async () => {
    let deploys = 0;
    const { w, runs, deployed } = mountPlan('en', (o) => {
      if (o.dryRun) return { ...PLAN, retired: [], planHash: deploys ? 'f'.repeat(32) : PLAN.planHash };
      deploys++;
      throw new ApiProblem(409, 'PLAN_CHANGED', 'changed', [], { planHash: 'f'.repeat(32) });
    });
    await settle();
    await click(deployButton());
    await settle();
    expect(deployed).toHaveLength(0);
    expect(runs.map((r) => r.dryRun)).toEqual([true, false, true]);
    expect($('[data-testid="plan-replanned"]')!.textContent).toContain('changed since you reviewed it');
    // The next deploy carries the new plan's hash.
    await click(deployButton());
    expect(runs.filter((r) => !r.dryRun).at(-1)!.expectPlan).toBe('f'.repeat(32));
    w.unmount();
  });
});

describe('user fields in the studio', () => {
  const reviewer = ALL_TYPES.fields.find((f) => f.name === 'reviewer')!;

  it('the widget registry gives a user field the user picker, which searches people by name', async () => {
    expect(widgetIdFor(reviewer)).toBe('user');
    const { mount, calls } = setup('en');
    const w = mount(RecordForm, { props: { object: ALL_TYPES, modelValue: {}, mode: 'create' } });
    await settle();
    const item = w.find('[data-testid="field-reviewer"]');
    expect(item.exists()).toBe(true);
    expect(item.text()).toContain('Reviewer');
    await item.find('.el-select__wrapper').trigger('click');
    await settle();
    expect(calls.some((c) => c.method === 'userNames' && (c.args[0] as { q?: string }).q === '')).toBe(true);
    expect($$('.el-select-dropdown__item').map((e) => e.textContent!.trim())).toEqual(
      expect.arrayContaining(USERS.map((u) => u.name)),
    );
    w.unmount();
  });

  it('shows people by name on the record page and in lists', async () => {
    const { mount } = setup('zh-CN');
    const record = { id: 'r1', title: 'G', reviewer: USERS[1].id, owner: USERS[0].id };
    const d = mount(RecordDetails, { props: { object: ALL_TYPES, record } });
    await settle();
    expect(d.find('[data-testid="value-reviewer"]').text()).toContain('Li Hua');
    d.unmount();
    const t = mount(RecordTable, {
      props: { object: ALL_TYPES, rows: [record], columns: ['title', 'reviewer'] },
    });
    await settle();
    expect(t.find('[data-testid="cell-reviewer"]').text()).toBe('Li Hua');
    t.unmount();
  });
});
