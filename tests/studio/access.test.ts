// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { FieldDef, RecordData, VisibleObject } from '../../studio/src/api/types';
import { canEditField, expandable, OWNER_FIELD, permissionsOf } from '../../studio/src/lib/access';
import { defaultsOf, toPayload } from '../../studio/src/lib/record';
import ListView from '../../studio/src/screens/ListView.vue';
import RecordDetails from '../../studio/src/screens/RecordDetails.vue';
import RecordForm from '../../studio/src/screens/RecordForm.vue';
import RecordTable from '../../studio/src/screens/RecordTable.vue';
import LookupWidget from '../../studio/src/widgets/LookupWidget.vue';
import UserLookupWidget from '../../studio/src/widgets/UserLookupWidget.vue';
import { ACCOUNT, flush, setup, USERS } from './setup';

/** What GET /meta/objects gives a sales rep: one read-only field, no delete, a lookup to a hidden object. */
const field = (f: FieldDef, edit = true) => ({ ...f, access: { read: true as const, edit } });
const DEAL: VisibleObject = {
  name: 'deal',
  label: { en: 'Deal', 'zh-CN': '商机' },
  pluralLabel: { en: 'Deals', 'zh-CN': '商机' },
  nameField: 'name',
  permissions: { create: true, read: true, edit: true, delete: false },
  fields: [
    field({ name: 'name', label: { en: 'Name', 'zh-CN': '名称' }, type: 'text', required: true }),
    field({ name: 'tax_id', label: { en: 'Tax ID', 'zh-CN': '税号' }, type: 'text', default: 'X' }, false),
    field({
      name: 'level',
      label: { en: 'Level', 'zh-CN': '级别' },
      type: 'picklist',
      default: 'a',
      options: [{ value: 'a', label: { en: 'A', 'zh-CN': '甲' } }],
    }),
    field({ name: 'account', label: { en: 'Account', 'zh-CN': '客户' }, type: 'lookup', target: 'account' }),
    field({ name: 'secret', label: { en: 'Secret', 'zh-CN': '机密' }, type: 'lookup', target: 'vault' }),
  ],
};
const [rep, director] = USERS;
const rows: RecordData[] = [
  { id: 'r1', name: 'One', owner: rep.id },
  { id: 'r2', name: 'Two', owner: director.id },
  { id: 'r3', name: 'Three', owner: rep.id },
];

describe('permissions and field access from /meta/objects', () => {
  it('reads object permissions and field access, allowing everything on plain definitions', () => {
    expect(permissionsOf(DEAL)).toEqual({ create: true, read: true, edit: true, delete: false });
    expect(permissionsOf(ACCOUNT).delete).toBe(true);
    expect(permissionsOf(undefined).read).toBe(false);
    expect(DEAL.fields.filter(canEditField).map((f) => f.name)).toEqual([
      'name',
      'level',
      'account',
      'secret',
    ]);
    // Lookups to objects the user cannot read are not expanded (the engine would refuse).
    const visible = (n: string) => (n === 'account' ? ACCOUNT : undefined);
    expect(expandable(DEAL, ['name', 'account', 'secret', 'owner'], visible)).toEqual(['account']);
  });

  it('never sends or defaults a read-only field', () => {
    expect(defaultsOf(DEAL)).toEqual({ level: 'a' });
    expect(toPayload(DEAL, { name: 'N', tax_id: 'T', level: 'a' })).toEqual({ name: 'N', level: 'a' });
    const before = { id: 'r1', name: 'N', tax_id: 'T' };
    expect(toPayload(DEAL, { ...before, name: 'M', tax_id: 'U' }, before)).toEqual({ name: 'M' });
  });

  it('form: read-only fields are left out on create and disabled on edit; the owner shows by name', async () => {
    const { mount, model } = setup('en');
    model.set({ version: 3, objects: [DEAL, ACCOUNT as VisibleObject] });
    const create = mount(RecordForm, { props: { object: DEAL, modelValue: {}, mode: 'create' } });
    await flush();
    expect(create.find('[data-testid="field-name"]').exists()).toBe(true);
    expect(create.find('[data-testid="field-tax_id"]').exists()).toBe(false);
    expect(create.find('[data-testid="field-owner"]').exists()).toBe(false);
    create.unmount();

    const edit = mount(RecordForm, {
      props: { object: DEAL, modelValue: { id: 'r1', name: 'N', tax_id: 'T', owner: rep.id }, mode: 'edit' },
    });
    await flush();
    await flush();
    expect(edit.find('[data-testid="field-tax_id"] input').attributes('disabled')).toBeDefined();
    expect(edit.find('[data-testid="field-name"] input').attributes('disabled')).toBeUndefined();
    expect(edit.find('[data-testid="field-owner"]').text()).toContain('陈静');
    edit.unmount();
  });
});

describe('people by name', () => {
  it('list: owners of a page are named in one request, and the owner column is not sortable', async () => {
    const { mount, calls } = setup('en');
    const w = mount(RecordTable, { props: { object: DEAL, rows, columns: ['name', 'owner'] } });
    await flush();
    await flush();
    const lookups = calls.filter((c) => c.method === 'userNames');
    expect(lookups).toHaveLength(1);
    expect((lookups[0].args[0] as { ids: string[] }).ids.sort()).toEqual([rep.id, director.id].sort());
    const owners = w.findAll('[data-testid="cell-owner"]').map((c) => c.text());
    expect(owners).toEqual([rep.name, director.name, rep.name]);
    const owner = w.findAll('th').find((h) => h.text() === 'Owner')!;
    expect(owner.find('.caret-wrapper').exists()).toBe(false);
    // Names are remembered: another page with the same owners asks nothing.
    await w.setProps({ rows: [...rows].reverse() });
    await flush();
    expect(calls.filter((c) => c.method === 'userNames')).toHaveLength(1);
    w.unmount();
  });

  it('record details: owner, creator and last editor by name', async () => {
    const { mount, calls } = setup('zh-CN');
    const w = mount(RecordDetails, {
      props: {
        object: DEAL,
        record: {
          id: 'r1',
          name: 'One',
          owner: rep.id,
          created_by: rep.id,
          updated_by: director.id,
          version: 2,
        },
      },
    });
    await flush();
    await flush();
    expect(calls.filter((c) => c.method === 'userNames')).toHaveLength(1);
    expect(w.find('[data-testid="value-owner"]').text()).toContain('陈静');
    expect(w.find('[data-testid="value-owner"]').text()).toContain('负责人');
    expect(w.find('[data-testid="value-updated_by"]').text()).toContain(director.name);
    w.unmount();
  });

  it('the user lookup widget searches names with q', async () => {
    const { mount, calls } = setup('en');
    const w = mount(UserLookupWidget, { props: { field: OWNER_FIELD, modelValue: null } });
    await w.find('.el-select__wrapper').trigger('click');
    await flush();
    await flush();
    expect(calls.find((c) => c.method === 'userNames')?.args[0]).toEqual({ q: '' });
    const input = w.find('input');
    await input.setValue('Li');
    await new Promise((r) => setTimeout(r, 400)); // the select debounces remote searches
    expect(calls.filter((c) => c.method === 'userNames').at(-1)?.args[0]).toEqual({ q: 'Li' });
    w.unmount();
  });
});

describe('record lookup widget', () => {
  const ACCOUNT_FIELD: FieldDef = {
    name: 'account',
    label: { en: 'Account', 'zh-CN': '客户' },
    type: 'lookup',
    target: 'account',
  };
  const acme = '0190a0a0-0000-7000-8000-000000000001';
  /** The options of this select's own list (the dropdown is teleported to the body). */
  const optionTexts = (w: { find(s: string): { attributes(a: string): string | undefined } }) => {
    const list = document.getElementById(w.find('input').attributes('aria-controls') ?? '');
    return [...(list?.querySelectorAll('.el-select-dropdown__item') ?? [])].map((e) => e.textContent);
  };

  it('names its value with one GET, then searches the name field as the user types', async () => {
    const { mount, calls } = setup('en');
    const w = mount(LookupWidget, { props: { field: ACCOUNT_FIELD, modelValue: acme } });
    await flush();
    expect(calls.filter((c) => c.method === 'get')).toEqual([{ method: 'get', args: ['account', acme] }]);
    await flush();
    expect(w.find('.el-select__placeholder').text()).toBe('Acme Ltd');
    await w.find('.el-select__wrapper').trigger('click');
    await flush();
    await flush();
    await w.find('input').setValue('bet');
    await new Promise((r) => setTimeout(r, 400)); // the select debounces remote searches
    const last = calls.filter((c) => c.method === 'page').at(-1)!;
    expect(last.args).toEqual([
      'account',
      expect.objectContaining({ filter: { name: { contains: 'bet' } }, limit: 20 }),
    ]);
    // The current value stays named beside the new results.
    expect(optionTexts(w)).toEqual(expect.arrayContaining(['Acme Ltd', 'Beta Co']));
    w.unmount();
  });
});

describe('list view', () => {
  const mountList = async (object: VisibleObject) => {
    const { mount, model, calls } = setup('en');
    model.set({ version: 3, objects: [object, ACCOUNT as VisibleObject] });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/:rest(.*)*', name: 'any', component: { template: '<div />' } }],
    });
    const w = mount(ListView, { props: { object }, global: { plugins: [router] } });
    await flush();
    await flush();
    return { w, calls };
  };

  it('offers New only with the create permission, and expands only readable lookups', async () => {
    const { w, calls } = await mountList(DEAL);
    expect(w.find('[data-testid="new-record"]').exists()).toBe(true);
    const page = calls.find((c) => c.method === 'page' && c.args[0] === 'deal');
    expect((page?.args[1] as { expand: string[] }).expand).toEqual(['account']);
    expect(w.findAll('th').map((h) => h.text())).toContain('Owner');
    w.unmount();

    const readOnly = await mountList({ ...DEAL, permissions: { ...DEAL.permissions, create: false } });
    expect(readOnly.w.find('[data-testid="new-record"]').exists()).toBe(false);
    readOnly.w.unmount();
  });
});
