// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import type { DeployResult, PackageDef } from '../../studio/src/api/types';
import type { ApprovalFlowDef } from '../../engine/src/core/approval-model';
import FlowEditor from '../../studio/src/approvals/setup/FlowEditor.vue';
import type { FlowPreview } from '../../studio/src/approvals/setup/preview';
import { ACCOUNT, ALL_TYPES, flush, setup } from './setup';

/** The flow editor: deploy issues land at the inputs they point to; "try on a record" shows the route. */
const l = (en: string, zh = en) => ({ en, 'zh-CN': zh });
const settle = async (ms = 0) => {
  for (let i = 0; i < 4; i++) await flush();
  if (ms) await new Promise((r) => setTimeout(r, ms));
  await flush();
};
afterEach(() => {
  document.body.innerHTML = '';
});

const FLOW: ApprovalFlowDef = {
  name: 'gadget_flow',
  label: l('Gadget approval', '装置审批'),
  object: 'gadget',
  statusField: 'level',
  steps: [
    { name: 'boss', label: l('Boss', '老板'), approvers: [{ kind: 'role', role: 'boss' }] },
    {
      name: 'reviewer',
      label: l('Reviewer', '审核人'),
      approvers: [{ kind: 'field', field: 'reviewer' }],
      skipIf: { '==': [{ var: 'level' }, 'basic'] },
    },
  ],
};
const PKG: PackageDef = {
  objects: [ALL_TYPES, ACCOUNT],
  roles: [{ name: 'boss', label: l('Boss', '老板') }],
  approvalFlows: [{ ...FLOW, object: 'account', name: 'other' }, FLOW],
};

async function mountEditor(
  lang: 'en' | 'zh-CN',
  answers: { plan?: () => DeployResult; preview?: () => FlowPreview },
) {
  const calls: { method: string; path: string; body: unknown; headers: unknown }[] = [];
  const ctx = setup(lang, {
    api: {
      call: async (method: string, path: string, body: unknown, headers: unknown) => {
        calls.push({ method, path, body, headers });
        if (path === '/meta/plan') return { data: answers.plan!(), body: {}, etag: null, status: 200 };
        if (path === '/meta/approval-flows/gadget_flow/preview')
          return { data: answers.preview!(), body: {}, etag: null, status: 200 };
        throw new Error(`unexpected ${method} ${path}`);
      },
      users: async () => ({ data: [], body: {}, etag: null, status: 200 }),
      page: async () => ({
        data: [{ id: 'r1', title: 'Blue gadget' }],
        meta: { next_cursor: null, has_more: false },
      }),
    },
  });
  ctx.meta.pkg = PKG;
  ctx.meta.version = 7;
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/setup/approvals/:object/:name', name: 'setup-approval-flow', component: FlowEditor },
      { path: '/:rest(.*)*', name: 'setup-approvals', component: { render: () => h('div') } },
    ],
  });
  await router.push('/setup/approvals/gadget/gadget_flow');
  const w = ctx.mount({ render: () => h(RouterView) }, { global: { plugins: [router] } });
  await settle();
  return { ...ctx, w, calls };
}

describe('approval flow editor', () => {
  it('plans the package with the edited flow; each issue shows at its input', async () => {
    const plan: DeployResult = {
      applied: false,
      version: 8,
      previousVersion: 7,
      hash: 'h',
      steps: [],
      issues: [
        {
          pointer: '/approvalFlows/1/statusField',
          code: 'APPROVAL_STATUS_FIELD',
          message: 'The status field needs the approval options.',
        },
        {
          pointer: '/approvalFlows/1/steps/0/approvers/0/role',
          code: 'APPROVAL_UNKNOWN_ROLE',
          message: 'There is no role boss.',
        },
        // Another flow's issue stays in the plan dialog only.
        { pointer: '/approvalFlows/0/statusField', code: 'X', message: 'Not this flow.' },
      ],
    };
    const { w, calls } = await mountEditor('en', { plan: () => plan });
    await w.find('input[data-testid="flow-label-en"]').setValue('Gadget sign-off');
    await settle();
    await w.find('[data-testid="review-deploy"]').trigger('click');
    await settle(50);

    const planned = calls.find((c) => c.path === '/meta/plan')!;
    const body = planned.body as { package: PackageDef };
    expect(body.package.approvalFlows!.map((f) => f.name)).toEqual(['other', 'gadget_flow']);
    expect(body.package.approvalFlows![1]).toEqual({ ...FLOW, label: l('Gadget sign-off', '装置审批') });
    expect(planned.headers).toEqual({ 'If-Match': '"m7"' });

    expect(w.find('[data-testid="flow-issues"]').exists()).toBe(true);
    const errorAt = (testid: string) =>
      w
        .find(`[data-testid="${testid}"]`)
        .element.closest('.el-form-item')!
        .querySelector('.el-form-item__error')?.textContent;
    await expect.poll(() => errorAt('flow-status-field')).toContain('needs the approval options');
    expect(w.text()).not.toContain('Not this flow.');
    // The step says it has a problem while folded; opened, the role picker shows it.
    expect(w.find('[data-testid="step-0"] [data-testid="step-has-error"]').exists()).toBe(true);
    expect(w.find('[data-testid="step-1"] [data-testid="step-has-error"]').exists()).toBe(false);
    await w.find('[data-testid="step-0"] .step-row').trigger('click');
    await settle();
    await expect.poll(() => errorAt('approver-role')).toContain('There is no role boss.');

    // Editing the value an issue points at takes the issue away; the others stay.
    await w.find('[data-testid="flow-status-field"] .el-select__wrapper').trigger('click');
    await settle(50);
    Array.from(document.querySelectorAll<HTMLElement>('.el-select-dropdown__item'))
      .filter((x) => x.textContent?.includes('Title'))
      .at(-1)!
      .click();
    await settle(50);
    await expect.poll(() => errorAt('flow-status-field') ?? '').toBe('');
    expect(errorAt('approver-role')).toContain('There is no role boss.');
  });

  it('moves steps with the arrows and deploys them in that order', async () => {
    const plan: DeployResult = {
      applied: false,
      version: 8,
      previousVersion: 7,
      hash: 'h',
      steps: [],
      issues: [],
    };
    const { w, calls } = await mountEditor('en', { plan: () => plan });
    await w.find('[data-testid="step-1"] [data-testid="step-up"]').trigger('click');
    await settle();
    expect(w.findAll('[data-testid^="step-"][data-name]').map((x) => x.attributes('data-name'))).toEqual([
      'reviewer',
      'boss',
    ]);
    await w.find('[data-testid="review-deploy"]').trigger('click');
    await settle(50);
    const body = calls.find((c) => c.path === '/meta/plan')!.body as { package: PackageDef };
    expect(body.package.approvalFlows![1].steps.map((s) => s.name)).toEqual(['reviewer', 'boss']);
  });

  it('picks a related field hop by hop and actions per event', async () => {
    const plan: DeployResult = {
      applied: false,
      version: 8,
      previousVersion: 7,
      hash: 'h',
      steps: [],
      issues: [],
    };
    const { w, calls } = await mountEditor('en', { plan: () => plan });
    const option = (text: string) =>
      Array.from(document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')).filter((x) =>
        x.textContent?.includes(text),
      );
    const choose = async (select: string, text: string) => {
      await w.find(`${select} .el-select__wrapper`).trigger('click');
      await settle(50);
      option(text).at(-1)!.click();
      await settle();
    };
    await w.find('[data-testid="step-0"] .step-row').trigger('click');
    await settle();
    // The boss step's approver becomes the owner of the gadget's account.
    await choose('[data-testid="step-0"] [data-testid="approver-kind"]', 'User field on a related record');
    await choose('[data-testid="step-0"] [data-testid="approver-path-0"]', 'Account →');
    await choose('[data-testid="step-0"] [data-testid="approver-path-1"]', 'Owner');
    // When approved: set the level, and notify the owner.
    await w.find('[data-testid="add-action-approved"]').trigger('click');
    await settle(20);
    (document.querySelector('[data-testid="add-action-approved-field_update"]') as HTMLElement).click();
    await settle();
    await choose('[data-testid="action-approved-0-set-add"]', 'Level');
    await choose('[data-testid="action-approved-0-set-level"]', 'Advanced');
    await w.find('[data-testid="review-deploy"]').trigger('click');
    await settle(50);
    const body = calls.find((c) => c.path === '/meta/plan')!.body as { package: PackageDef };
    const flow = body.package.approvalFlows![1];
    expect(flow.steps[0].approvers).toEqual([{ kind: 'related_field', path: ['owner_account', 'owner'] }]);
    expect(flow.actions).toEqual({ approved: [{ kind: 'field_update', set: { level: 'advanced' } }] });
  });

  it('deletes a flow through the plan: the package goes without it', async () => {
    const plan: DeployResult = {
      applied: false,
      version: 8,
      previousVersion: 7,
      hash: 'h',
      steps: [],
      issues: [],
    };
    const { w, calls } = await mountEditor('en', { plan: () => plan });
    await w.find('[data-testid="flow-delete"]').trigger('click');
    await settle(50);
    (document.querySelector('.el-message-box__btns .el-button--primary') as HTMLElement).click();
    await settle(50);
    const body = calls.find((c) => c.path === '/meta/plan')!.body as {
      package: PackageDef;
      comment?: string;
    };
    expect(body.package.approvalFlows!.map((f) => f.name)).toEqual(['other']);
  });

  it('shows the route of a record in Chinese: skipped steps with why, approvers by source', async () => {
    const preview: FlowPreview = {
      flow: { name: 'gadget_flow', label: FLOW.label, object: 'gadget' },
      recordId: 'r1',
      applies: true,
      why: null,
      chosenFlow: 'gadget_flow',
      steps: [
        {
          index: 0,
          name: 'boss',
          label: l('Boss', '老板'),
          mode: 'any',
          skipped: false,
          why: null,
          approvers: [{ id: 'u1', name: '王总' }],
          sources: [{ describe: l('role Boss', '角色 老板'), users: [{ id: 'u1', name: '王总' }] }],
          submitterExcluded: true,
          noApprovers: false,
        },
        {
          index: 1,
          name: 'reviewer',
          label: l('Reviewer', '审核人'),
          mode: 'any',
          skipped: true,
          why: l('Its skip condition holds for this record.', '此记录满足该步骤的跳过条件。'),
          approvers: [],
          sources: [],
          submitterExcluded: false,
          noApprovers: false,
        },
      ],
    };
    const { w, calls } = await mountEditor('zh-CN', { preview: () => preview });
    await w.find('[data-testid="try-record"] .el-select__wrapper').trigger('click');
    await settle(50);
    Array.from(document.querySelectorAll<HTMLElement>('.el-select-dropdown__item'))
      .find((x) => x.textContent?.includes('Blue gadget'))!
      .click();
    await settle();
    await w.find('[data-testid="try-run"]').trigger('click');
    await settle();
    // The draft goes along: the route is the editor's, deployed or not.
    const sent = calls.find((c) => c.path.endsWith('/preview'))!.body as {
      recordId: string;
      flow: ApprovalFlowDef;
    };
    expect(sent.recordId).toBe('r1');
    expect(sent.flow).toEqual(FLOW);
    const result = w.find('[data-testid="try-result"]');
    expect(result.find('[data-testid="try-applies"]').text()).toBe('此流程适用于该记录。');
    expect(result.find('[data-testid="try-chosen"]').text()).toBe('提交时将启动：装置审批');
    const boss = result.find('[data-testid="try-step-boss"]');
    expect(boss.attributes('data-skipped')).toBe('false');
    expect(boss.find('[data-testid="try-approvers"]').text()).toContain('王总');
    expect(boss.text()).toContain('角色 老板');
    expect(boss.text()).toContain('不允许自己审批');
    const reviewer = result.find('[data-testid="try-step-reviewer"]');
    expect(reviewer.attributes('data-skipped')).toBe('true');
    expect(reviewer.find('[data-testid="try-why"]').text()).toBe('此记录满足该步骤的跳过条件。');
  });
});
