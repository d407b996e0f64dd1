// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import { ApiProblem } from '../../studio/src/api/problem';
import type { DeployResult, HistoryEntry, RecordData, VisibleObject } from '../../studio/src/api/types';
import type { RunOptions } from '../../studio/src/editors/PlanDialog.vue';
import PlanDialog from '../../studio/src/editors/PlanDialog.vue';
import { LANG_KEY } from '../../studio/src/i18n';
import type { ListQuery } from '../../studio/src/api/client';
import { upsertView } from '../../studio/src/lib/views';
import LangSwitch from '../../studio/src/screens/LangSwitch.vue';
import ListView from '../../studio/src/screens/ListView.vue';
import RecordForm from '../../studio/src/screens/RecordForm.vue';
import RecordFormScreen from '../../studio/src/screens/RecordFormScreen.vue';
import RecordPage from '../../studio/src/screens/RecordPage.vue';
import { useSession } from '../../studio/src/stores/session';
import { useUi } from '../../studio/src/stores/ui';
import { ACCOUNT, ALL_TYPES, flush, setup, USERS, type ApiOverrides } from './setup';

/** Waits for promises, timers and re-renders to settle (Element Plus animates with timers). */
const settle = async (ms = 0) => {
  for (let i = 0; i < 4; i++) await flush();
  if (ms) await new Promise((r) => setTimeout(r, ms));
  await flush();
};
const body = () => document.body;
const $ = <E extends Element = HTMLElement>(sel: string) => body().querySelector<E>(sel);
const $$ = (sel: string) => Array.from(body().querySelectorAll<HTMLElement>(sel));
const click = async (el: Element | null | undefined) => {
  expect(el, 'element to click').toBeTruthy();
  (el as HTMLElement).click();
  await settle();
};

/** A router with the end-user routes the screens link to, each screen under test at its own path. */
function routerFor() {
  const blank = { render: () => h('div', { 'data-testid': 'elsewhere' }) };
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/o/:object', name: 'list', component: blank },
      { path: '/o/:object/new', name: 'record-new', component: RecordFormScreen, props: { mode: 'create' } },
      { path: '/o/:object/r/:id', name: 'record', component: RecordPage },
      {
        path: '/o/:object/r/:id/edit',
        name: 'record-edit',
        component: RecordFormScreen,
        props: { mode: 'edit' },
      },
      { path: '/:rest(.*)*', name: 'any', component: blank },
    ],
  });
}
const Host = { render: () => h(RouterView) };

// Dialogs and message boxes are teleported to the body: none may outlive its test.
afterEach(() => {
  document.body.innerHTML = '';
});

// --------------------------------------------------------------------------------------------
describe('plan dialog: what a deploy will do, in the UI language', () => {
  const DRAFT = {
    ...ALL_TYPES,
    fields: ALL_TYPES.fields.map((f) => (f.name === 'price' ? { ...f, precision: 6, scale: 2 } : f)),
  };
  const PLAN: DeployResult = {
    applied: false,
    version: 4,
    previousVersion: 3,
    hash: 'h',
    issues: [],
    steps: [
      { change: { kind: 'createTable', object: 'gadget', columns: ['a', 'b', 'c'] }, ddl: true, sql: ['x'] },
      {
        change: { kind: 'addColumn', object: 'gadget', field: 'due', column: { storage: { pg: 'date' } } },
        ddl: true,
        sql: [],
      },
      {
        change: { kind: 'renameColumn', object: 'gadget', field: 'title', from: 'name', to: 'title' },
        ddl: true,
        sql: [],
      },
      {
        change: { kind: 'retireColumn', object: 'gadget', field: 'old', to: '_retired_1' },
        ddl: true,
        sql: [],
      },
    ],
  };
  const BLOCKED: DeployResult = {
    ...PLAN,
    steps: [
      {
        change: {
          kind: 'alterType',
          object: 'gadget',
          field: 'price',
          from: 'numeric(18,2)',
          to: { pg: 'numeric', precision: 6, scale: 2 },
        },
        ddl: true,
        sql: [],
        blocking: {
          count: 2,
          rows: [
            { id: 'r-1', value: '75000.00' },
            { id: 'r-2', value: null },
          ],
          fixed: false,
        },
      },
      {
        change: {
          kind: 'refused',
          object: 'gadget',
          field: 'qty',
          code: 'META_TYPE_CHANGE',
          params: { from: 'integer', to: 'date' },
        },
        ddl: false,
        sql: [],
      },
    ],
    issues: [
      { pointer: '/objects/0/fields/5', code: 'LOSSY_CHANGE', params: { count: 2 } },
      {
        pointer: '/objects/0/fields/3/type',
        code: 'META_TYPE_CHANGE',
        params: { from: 'integer', to: 'date' },
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
        draft: DRAFT,
        objectIndex: 0,
        defaultComment: 'edit gadget',
        onDeployed: (r: DeployResult) => deployed.push(r),
      },
    });
    return { w, runs, deployed };
  }
  const steps = () => $$('.plan-dialog [data-kind]').map((e) => [e.dataset.kind, e.textContent!.trim()]);
  const deployButton = () => $<HTMLButtonElement>('[data-testid="confirm-deploy"]')!;

  it('plans first: new table, new column, renamed column, removed field, then deploys on confirmation', async () => {
    const { w, runs, deployed } = mountPlan('en', (o) => (o.dryRun ? PLAN : { ...PLAN, applied: true }));
    await settle();
    expect(runs).toEqual([{ dryRun: true, allowLossy: false }]);
    expect(steps()).toEqual([
      ['createTable', 'New table for “Gadget” with 3 column(s)'],
      ['addColumn', 'New column “Due” on “Gadget” (Date)'],
      ['renameColumn', 'Rename column of “Title” on “Gadget”: name → title'],
      [
        'retireColumn',
        'Remove field “old” from “Gadget” (data kept as _retired_1; a rollback brings it back)',
      ],
    ]);
    expect(deployButton().disabled).toBe(false);
    const comment = $<HTMLInputElement>('input[data-testid="deploy-comment"]')!;
    expect(comment.value).toBe('edit gadget');
    await click(deployButton());
    expect(runs.at(-1)).toEqual({ dryRun: false, comment: 'edit gadget', allowLossy: false });
    expect(deployed).toHaveLength(1);
    w.unmount();
  });

  it('a refused type change and the rows that block a conversion, in Chinese; deploy stays off', async () => {
    const { w, runs } = mountPlan('zh-CN', () => BLOCKED);
    await settle();
    const text = $('.plan-dialog')!.textContent!;
    // The step, its blocking rows (values as stored, records linked), the refusal.
    expect(steps()[0]).toEqual([
      'alterType',
      expect.stringContaining('修改“装置”上“价格”的列类型：numeric(18,2) → numeric(6,2)'),
    ]);
    expect(text).toContain('有 2 行数据阻止此步骤');
    expect($$('[data-testid="blocking-value"]').map((e) => e.textContent)).toEqual(['75000.00', '—']);
    expect($<HTMLAnchorElement>('[data-testid="blocking-rows"] a')!.getAttribute('href')).toBe(
      '/o/gadget/r/r-1',
    );
    expect(steps()[1]).toEqual(['refused', '已拒绝：不能把 integer 改为 date。请新建字段并迁移数据。']);
    // Issues name the field and the setting in Chinese, in the studio's words.
    const issues = $$('[data-testid="plan-issues"] li').map((e) => e.textContent);
    expect(issues).toEqual([
      '价格: 有 2 条记录的值无法在此修改后保留（见下方列表）。请先修正这些记录，或勾选“强制转换”。',
      '数量 · 字段类型: 不能把 integer 改为 date。请新建字段并迁移数据。',
    ]);
    expect(text).not.toMatch(/allowLossy|\btype\b/);
    expect(deployButton().disabled).toBe(true);
    // "Convert anyway" plans again with allowLossy.
    await click($('[data-testid="allow-lossy"] input'));
    expect(runs.at(-1)).toEqual({ dryRun: true, allowLossy: true });
    w.unmount();
  });

  it('someone deployed meanwhile: the conflict is explained', async () => {
    const { w } = mountPlan('en', () => {
      throw new ApiProblem(412, 'META_VERSION_CONFLICT', 'Metadata is at version 9.');
    });
    await settle();
    expect($('[data-testid="plan-failure"]')!.textContent).toContain(
      'Someone deployed meanwhile (version 9)',
    );
    expect(deployButton().disabled).toBe(true);
    w.unmount();
  });
});

// --------------------------------------------------------------------------------------------
describe('list view: paging, filters by type, saved views', () => {
  const rows = (from: number, n: number): RecordData[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `g${from + i}`,
      title: `Gadget ${from + i}`,
      price: from + i,
    }));

  async function mountList(api: ApiOverrides = {}, before?: () => void) {
    const pages: ListQuery[] = [];
    const ctx = setup('en', {
      api: {
        page: async (object: string, q: ListQuery) => {
          if (object !== 'gadget') return { data: [], meta: { next_cursor: null, has_more: false } };
          pages.push(q);
          // Two pages: 25 rows, then 3, through the cursor.
          return q.cursor === 'c2'
            ? { data: rows(26, 3), meta: { next_cursor: null, has_more: false } }
            : { data: rows(1, 25), meta: { next_cursor: 'c2', has_more: true } };
        },
        ...api,
      },
    });
    useSession(ctx.pinia).me = { tenant: { slug: 'acme', name: 'Acme' }, userId: USERS[0].id, isAdmin: true };
    before?.();
    const router = routerFor();
    await router.push('/o/gadget');
    const w = ctx.mount(ListView, { props: { object: ALL_TYPES }, global: { plugins: [router] } });
    await settle();
    return { ...ctx, w, pages };
  }

  it('pages with the cursor: Load more appends the next page', async () => {
    const { w, pages } = await mountList();
    expect(w.find('[data-testid="list-count"]').text()).toBe('25 shown · more available');
    expect(pages[0].cursor).toBeUndefined();
    await w.find('[data-testid="load-more"]').trigger('click');
    await settle();
    expect(pages.at(-1)!.cursor).toBe('c2');
    expect(w.find('[data-testid="list-count"]').text()).toBe('28 shown');
    expect(w.find('[data-testid="load-more"]').exists()).toBe(false);
    expect(w.findAll('[data-testid="record-link"]').at(-1)!.text()).toBe('Gadget 28');
    w.unmount();
  });

  it('filters from field types reach the API: number range, picklist, search', async () => {
    const { w, pages } = await mountList();
    await w.find('[data-testid="toggle-filters"]').trigger('click');
    await settle();
    // The default filters: the first picklists, dates and numbers of the object.
    const shown = w.findAll('[data-testid^="filter-"]').map((x) => x.attributes('data-testid'));
    expect(shown).toEqual(expect.arrayContaining(['filter-qty', 'filter-weight', 'filter-price']));
    const min = w.find('[data-testid="filter-price"] [data-testid="filter-min"] input');
    (min.element as HTMLInputElement).value = '100';
    await min.trigger('input');
    await min.trigger('change');
    await settle();
    expect(pages.at(-1)!.filter).toEqual({ price: { gte: 100 } });
    expect(w.find('[data-testid="toggle-filters"]').element.closest('.el-badge')!.textContent).toContain('1');
    await w.find('input[data-testid="list-search"]').setValue('Gad');
    await settle(300); // the search box waits for the typing to stop
    expect(pages.at(-1)!.search).toBe('Gad');
    w.unmount();
  });

  it('a saved view brings back its columns, filters, sort and search', async () => {
    // A view saved earlier (kept per tenant and object), read when the list opens.
    const { w, pages } = await mountList({}, () =>
      upsertView('acme', 'gadget', {
        name: 'Expensive',
        columns: ['title', 'price'],
        filters: { level: { kind: 'options', values: ['advanced'] } },
        filterFields: ['level'],
        sort: '-price',
        search: 'Gad',
      }),
    );
    expect(pages.at(-1)!.filter).toBeUndefined();
    await w.find('[data-testid="views"] .el-select__wrapper').trigger('click');
    await settle();
    await click($$('.el-select-dropdown__item').find((e) => e.textContent === 'Expensive'));
    await settle(300);
    const q = pages.at(-1)!;
    expect(q).toMatchObject({ filter: { level: { in: ['advanced'] } }, sort: '-price', search: 'Gad' });
    expect(w.findAll('th').map((x) => x.text())).toEqual(['Title', 'Price']);
    // Back to all records: the defaults again.
    await w.find('[data-testid="views"] .el-select__wrapper').trigger('click');
    await settle();
    await click($$('.el-select-dropdown__item').find((e) => e.textContent === 'All records'));
    await settle(300);
    expect(pages.at(-1)).toMatchObject({ filter: undefined, sort: '-created_at', search: '' });
    w.unmount();
  });

  it('saving a view keeps what is on screen under a name', async () => {
    const { w } = await mountList();
    await w.find('[data-testid="view-menu"]').trigger('click');
    await settle(50);
    await click($('[data-testid="save-view"]'));
    await settle(50);
    const name = $<HTMLInputElement>('.el-message-box input')!;
    name.value = 'My gadgets';
    name.dispatchEvent(new Event('input'));
    await settle();
    await click($('.el-message-box .el-button--primary'));
    await settle(50);
    const saved = JSON.parse(localStorage.getItem('tessera.views.acme.gadget')!);
    expect(saved).toMatchObject([{ name: 'My gadgets', sort: '-created_at', search: '' }]);
    expect(saved[0].columns).toContain('title');
    w.unmount();
  });
});

// --------------------------------------------------------------------------------------------
describe('record page: details, related lists, field history', () => {
  const DEAL: VisibleObject = {
    name: 'deal',
    label: { en: 'Deal', 'zh-CN': '商机' },
    pluralLabel: { en: 'Deals', 'zh-CN': '商机' },
    nameField: 'name',
    permissions: { create: true, read: true, edit: true, delete: true },
    fields: [
      {
        name: 'name',
        label: { en: 'Name', 'zh-CN': '名称' },
        type: 'text',
        access: { read: true, edit: true },
      },
      {
        name: 'amount',
        label: { en: 'Amount', 'zh-CN': '金额' },
        type: 'currency',
        trackHistory: true,
        access: { read: true, edit: true },
      },
      {
        name: 'account',
        label: { en: 'Account', 'zh-CN': '客户' },
        type: 'lookup',
        target: 'account',
        access: { read: true, edit: true },
      },
    ],
  };
  const ACC = '0190a0a0-0000-7000-8000-000000000001';
  const HISTORY: HistoryEntry[] = [
    { field: 'amount', old: 50000, new: 75000, actor: USERS[1].id, at: '2026-01-02T03:04:05.000Z' },
    {
      field: 'owner',
      old: USERS[1].id,
      new: USERS[0].id,
      actor: USERS[0].id,
      at: '2026-01-01T03:04:05.000Z',
    },
  ];

  async function mountRecord(lang: 'en' | 'zh-CN', path: string, api: ApiOverrides = {}, narrow = false) {
    const ctx = setup(lang, {
      narrow,
      api: {
        get: async (object: string, id: string) => ({
          data:
            object === 'account'
              ? { id, name: 'Acme Ltd', version: 1 }
              : { id, name: 'Big deal', amount: 75000, account: { id: ACC, name: 'Acme Ltd' }, version: 2 },
          body: {},
          etag: object === 'account' ? '"1"' : '"2"',
          status: 200,
        }),
        page: async (object: string) => ({
          data: object === 'deal' ? [{ id: 'd1', name: 'Big deal', amount: 75000, account: ACC }] : [],
          meta: { next_cursor: null, has_more: false },
        }),
        history: async () => ({ data: HISTORY, body: {}, etag: null, status: 200 }),
        ...api,
      },
    });
    ctx.model.set({ version: 3, objects: [DEAL, ACCOUNT as VisibleObject] });
    const router = routerFor();
    await router.push(path);
    const w = ctx.mount(Host, { global: { plugins: [router] } });
    await settle();
    return { ...ctx, w, router };
  }
  const tab = async (w: Awaited<ReturnType<typeof mountRecord>>['w'], i: number) => {
    await w.findAll('.el-tabs__item')[i].trigger('click');
    await settle();
  };

  it('an account lists its deals (children through the lookup)', async () => {
    const { w, calls } = await mountRecord('en', `/o/account/r/${ACC}`);
    expect(w.find('[data-testid="record-title"]').text()).toBe('Acme Ltd');
    expect(w.findAll('.el-tabs__item').map((x) => x.text())).toEqual(['Details', 'Related (1)', 'History']);
    await tab(w, 1);
    const related = w.find('[data-testid="related-deal-account"]');
    expect(related.text()).toContain('Deals');
    expect(related.find('[data-testid="record-link"]').text()).toBe('Big deal');
    const page = calls.find((c) => c.method === 'page' && c.args[0] === 'deal');
    expect((page!.args[1] as ListQuery).filter).toEqual({ account: { eq: ACC } });
    w.unmount();
  });

  it('field history: when, who (by name), which field, old and new values, in Chinese', async () => {
    const { w } = await mountRecord('zh-CN', '/o/deal/r/d1');
    expect(w.find('[data-testid="value-amount"]').text()).toContain('¥75,000.00');
    await tab(w, 1); // no related lists on a deal: Details, History
    await settle();
    const table = w.find('[data-testid="history-table"]');
    expect(table.findAll('[data-testid="history-who"]').map((x) => x.text())).toEqual([
      USERS[1].name,
      USERS[0].name,
    ]);
    expect(table.findAll('[data-testid="history-field"]').map((x) => x.text())).toEqual(['金额', '负责人']);
    expect(table.findAll('[data-testid="history-new"]').map((x) => x.text())).toEqual([
      '¥75,000.00',
      USERS[0].name,
    ]);
    expect(table.text()).toContain('¥50,000.00');
    expect(table.text()).not.toContain(USERS[0].id);
    w.unmount();
  });

  it('on a phone, each change is a card: field, old → new, who', async () => {
    const { w } = await mountRecord('en', '/o/deal/r/d1', {}, true);
    await tab(w, 1);
    await settle();
    const cards = w.findAll('[data-testid="history-table"] .change');
    expect(cards).toHaveLength(2);
    expect(cards[0].text()).toContain('Amount');
    expect(cards[0].text()).toMatch(/CN¥50,000\.00 → CN¥75,000\.00|¥50,000\.00 → ¥75,000\.00/);
    expect(cards[0].find('[data-testid="history-who"]').text()).toBe(USERS[1].name);
    expect(w.find('[data-testid="history-table"] table').exists()).toBe(false);
    w.unmount();
  });

  it('without a tracked field, the history tab says how to turn it on', async () => {
    const { w, model } = await mountRecord('en', '/o/deal/r/d1');
    model.set({
      version: 4,
      objects: [
        { ...DEAL, fields: DEAL.fields.map((f) => ({ ...f, trackHistory: false })) },
        ACCOUNT as VisibleObject,
      ],
    });
    await settle();
    await tab(w, 1);
    expect(w.text()).toContain('No field of this object keeps history.');
    w.unmount();
  });

  it('a delete refused because someone saved meanwhile (412) is explained, and the record reloads', async () => {
    const { w, calls } = await mountRecord('en', '/o/deal/r/d1', {
      remove: async () => {
        throw new ApiProblem(412, 'VERSION_CONFLICT', 'The record is at version 3.', [], {
          currentVersion: 3,
        });
      },
    });
    const gets = () => calls.filter((c) => c.method === 'get' && c.args[0] === 'deal').length;
    const before = gets();
    await w.find('[data-testid="delete-record"]').trigger('click');
    await settle(50);
    await click($('.el-message-box .el-button--primary')); // "Delete?" → Delete
    await settle(50);
    const box = $('.conflict-box')!;
    expect(box.textContent).toContain('Someone else changed this record');
    expect(box.textContent).toContain('now version 3');
    await click(box.querySelector('.el-button--primary'));
    await settle(50);
    expect(gets()).toBe(before + 1);
    w.unmount();
  });
});

// --------------------------------------------------------------------------------------------
describe('edit form: server errors at the field, 412 conflicts', () => {
  const OBJ: VisibleObject = {
    name: 'deal',
    label: { en: 'Deal', 'zh-CN': '商机' },
    pluralLabel: { en: 'Deals', 'zh-CN': '商机' },
    nameField: 'name',
    permissions: { create: true, read: true, edit: true, delete: true },
    fields: [
      {
        name: 'name',
        label: { en: 'Name', 'zh-CN': '名称' },
        type: 'text',
        required: true,
        access: { read: true, edit: true },
      },
      {
        name: 'amount',
        label: { en: 'Amount', 'zh-CN': '金额' },
        type: 'number',
        access: { read: true, edit: true },
      },
    ],
  };

  async function mountForm(lang: 'en' | 'zh-CN', path: string, api: ApiOverrides) {
    let version = 2;
    const ctx = setup(lang, {
      api: {
        get: async (_o: string, id: string) => ({
          data: { id, name: version === 2 ? 'Mine' : 'Theirs', amount: 1, version },
          body: {},
          etag: `"${version}"`,
          status: 200,
        }),
        ...api,
      },
    });
    ctx.model.set({ version: 3, objects: [OBJ] });
    const router = routerFor();
    await router.push(path);
    const w = ctx.mount(Host, { global: { plugins: [router] } });
    await settle();
    return { ...ctx, w, router, bump: () => (version = 3) };
  }

  it('Chinese: the server’s messages appear under their fields', async () => {
    const { w } = await mountForm('zh-CN', '/o/deal/new', {
      create: async () => {
        throw new ApiProblem(422, 'VALIDATION_FAILED', '数据校验未通过。', [
          { pointer: '/name', code: 'REQUIRED', message: '此字段为必填项。' },
          { pointer: '/amount', code: 'TOO_LARGE', message: '不能大于 100。' },
        ]);
      },
    });
    expect(w.find('[data-testid="form-title"]').text()).toBe('新建商机');
    await w.find('[data-testid="save-record"]').trigger('click');
    await settle(150); // the form item shows its error after a short debounce
    expect(w.find('[data-testid="field-name"] .el-form-item__error').text()).toBe('此字段为必填项。');
    expect(w.find('[data-testid="field-amount"] .el-form-item__error').text()).toBe('不能大于 100。');
    expect(w.find('[data-testid="form-error"]').text()).toContain('请修正标出的字段。');
    w.unmount();
  });

  it('a 412 on save is explained, with a reload that shows the other person’s change', async () => {
    // Someone else saves between the form's load and this save.
    const other: { save?: () => void } = {};
    const ctx = await mountForm('en', '/o/deal/r/d1/edit', {
      update: async (_o: string, _id: string, _data: unknown, version?: number) => {
        expect(version).toBe(2); // sent as If-Match
        other.save!();
        throw new ApiProblem(412, 'VERSION_CONFLICT', 'The record is at version 3.', [], {
          currentVersion: 3,
        });
      },
    });
    other.save = ctx.bump;
    const { w } = ctx;
    const input = w.find('[data-testid="field-name"] input');
    expect((input.element as HTMLInputElement).value).toBe('Mine');
    await input.setValue('Mine, edited');
    await w.find('[data-testid="save-record"]').trigger('click');
    await settle(50);
    const box = $('.conflict-box')!;
    expect(box.textContent).toContain('Someone else changed this record');
    expect(box.textContent).toContain('now version 3');
    await click(box.querySelector('.el-button--primary'));
    await settle(50);
    expect((w.find('[data-testid="field-name"] input').element as HTMLInputElement).value).toBe('Theirs');
    w.unmount();
  });
});

// --------------------------------------------------------------------------------------------
describe('language switch', () => {
  it('switches the UI and metadata labels, and is remembered for the next visit', async () => {
    const { mount, ui } = setup('en');
    const Both = {
      render: () =>
        h('div', [h(LangSwitch), h(RecordForm, { object: ALL_TYPES, modelValue: {}, mode: 'create' })]),
    };
    const w = mount(Both);
    await settle();
    expect(w.find('[data-testid="field-title"] label').text()).toBe('Title');
    await w.find('[data-testid="lang-zh"] input').setValue(true);
    await settle();
    expect(ui.lang).toBe('zh-CN');
    expect(w.find('[data-testid="field-title"] label').text()).toBe('标题');
    expect(document.documentElement.lang).toBe('zh-CN');
    // The next visit (a new app) starts in Chinese.
    expect(localStorage.getItem(LANG_KEY)).toBe('zh-CN');
    setActivePinia(createPinia());
    expect(useUi().lang).toBe('zh-CN');
    w.unmount();
  });
});
