import { createPinia, setActivePinia, type Pinia } from 'pinia';
import ElementPlus from 'element-plus';
import { mount, type ComponentMountingOptions } from '@vue/test-utils';
import type { Component } from 'vue';
import { API_KEY } from '../../studio/src/api';
import type { Api } from '../../studio/src/api/client';
import type { ObjectDef, PackageDef, VisibleObject } from '../../studio/src/api/types';
import { makeI18n } from '../../studio/src/i18n';
import { useMeta } from '../../studio/src/stores/meta';
import { useModel } from '../../studio/src/stores/model';
import { useUi } from '../../studio/src/stores/ui';

/** An object with one field of every type the engine knows, and a two-section layout. */
export const ALL_TYPES: ObjectDef = {
  name: 'gadget',
  label: { en: 'Gadget', 'zh-CN': '装置' },
  pluralLabel: { en: 'Gadgets', 'zh-CN': '装置' },
  nameField: 'title',
  fields: [
    {
      name: 'title',
      label: { en: 'Title', 'zh-CN': '标题' },
      type: 'text',
      required: true,
      maxLength: 80,
      help: { en: 'What it is called', 'zh-CN': '叫什么' },
    },
    { name: 'notes', label: { en: 'Notes', 'zh-CN': '备注' }, type: 'textarea' },
    { name: 'body', label: { en: 'Body', 'zh-CN': '正文' }, type: 'rich_text' },
    { name: 'qty', label: { en: 'Quantity', 'zh-CN': '数量' }, type: 'integer' },
    { name: 'weight', label: { en: 'Weight', 'zh-CN': '重量' }, type: 'number', precision: 10, scale: 3 },
    { name: 'price', label: { en: 'Price', 'zh-CN': '价格' }, type: 'currency', currencyCode: 'CNY' },
    { name: 'share', label: { en: 'Share', 'zh-CN': '占比' }, type: 'percent' },
    { name: 'active', label: { en: 'Active', 'zh-CN': '启用' }, type: 'boolean' },
    { name: 'due', label: { en: 'Due', 'zh-CN': '到期日' }, type: 'date' },
    { name: 'seen_at', label: { en: 'Seen at', 'zh-CN': '查看时间' }, type: 'datetime' },
    { name: 'email', label: { en: 'Email', 'zh-CN': '邮箱' }, type: 'email' },
    { name: 'phone', label: { en: 'Phone', 'zh-CN': '电话' }, type: 'phone' },
    { name: 'site', label: { en: 'Site', 'zh-CN': '网址' }, type: 'url' },
    {
      name: 'level',
      label: { en: 'Level', 'zh-CN': '级别' },
      type: 'picklist',
      options: [
        { value: 'basic', label: { en: 'Basic', 'zh-CN': '基础' }, order: 1 },
        { value: 'advanced', label: { en: 'Advanced', 'zh-CN': '高级' }, order: 2 },
        { value: 'legacy', label: { en: 'Legacy', 'zh-CN': '旧版' }, order: 3, active: false },
      ],
    },
    {
      name: 'tags',
      label: { en: 'Tags', 'zh-CN': '标签' },
      type: 'multi_picklist',
      options: [
        { value: 'hot', label: { en: 'Hot', 'zh-CN': '热门' } },
        { value: 'new', label: { en: 'New', 'zh-CN': '新品' } },
      ],
    },
    { name: 'owner_account', label: { en: 'Account', 'zh-CN': '客户' }, type: 'lookup', target: 'account' },
    { name: 'parent', label: { en: 'Parent', 'zh-CN': '上级' }, type: 'master_detail', target: 'account' },
    { name: 'reviewer', label: { en: 'Reviewer', 'zh-CN': '审核人' }, type: 'user' },
    { name: 'code', label: { en: 'Code', 'zh-CN': '编号' }, type: 'auto_number', format: 'G-{0000}' },
    {
      name: 'score',
      label: { en: 'Score', 'zh-CN': '评分' },
      type: 'formula',
      returnType: 'number',
      expression: { '+': [1, 1] },
    },
    {
      name: 'children',
      label: { en: 'Children', 'zh-CN': '子项数' },
      type: 'rollup',
      summary: { object: 'gadget', via: 'parent', fn: 'count' },
    },
  ],
  layout: {
    sections: [
      {
        label: { en: 'Basics', 'zh-CN': '基本信息' },
        columns: 2,
        fields: ['title', 'level', 'due', 'price'],
      },
      { label: { en: 'More', 'zh-CN': '更多' }, columns: 1, fields: ['notes', 'code'] },
    ],
  },
};

export const ACCOUNT: ObjectDef = {
  name: 'account',
  label: { en: 'Account', 'zh-CN': '客户' },
  pluralLabel: { en: 'Accounts', 'zh-CN': '客户' },
  nameField: 'name',
  fields: [{ name: 'name', label: { en: 'Account name', 'zh-CN': '客户名称' }, type: 'text' }],
};

export const PKG: PackageDef = { objects: [ALL_TYPES, ACCOUNT] };

/** Users the fake API knows by name (GET /users/lookup). */
export const USERS = [
  { id: '0190a0a0-0000-7000-8000-0000000000c1', name: '陈静 (Sales Rep, East)' },
  { id: '0190a0a0-0000-7000-8000-0000000000c2', name: 'Li Hua' },
];

/** A fake API: lookups search a fixed list of accounts, users by name; every call is recorded. */
export function fakeApi(calls: { method: string; args: unknown[] }[] = []): Api {
  const accounts = [
    { id: '0190a0a0-0000-7000-8000-000000000001', name: 'Acme Ltd' },
    { id: '0190a0a0-0000-7000-8000-000000000002', name: 'Beta Co' },
  ];
  const rec =
    (method: string) =>
    (...args: unknown[]) => {
      calls.push({ method, args });
    };
  return {
    page: async (object: string, q: { filter?: Record<string, { contains?: string }> }) => {
      rec('page')(object, q);
      const needle = q.filter?.name?.contains?.toLowerCase() ?? '';
      return {
        data: accounts.filter((a) => a.name.toLowerCase().includes(needle)),
        meta: { next_cursor: null, has_more: false },
      };
    },
    userNames: async (by: { ids?: string[]; q?: string }) => {
      rec('userNames')(by);
      const data = by.ids
        ? USERS.filter((u) => by.ids!.includes(u.id))
        : USERS.filter((u) => u.name.toLowerCase().startsWith((by.q ?? '').toLowerCase()));
      return { data, body: {}, etag: null, status: 200 };
    },
    get: async (object: string, id: string) => {
      rec('get')(object, id);
      return { data: accounts.find((a) => a.id === id) ?? { id }, body: {}, etag: '"1"', status: 200 };
    },
  } as unknown as Api;
}

/** Methods that replace the fake API's own (or add to them); their calls are recorded too. */
export type ApiOverrides = Record<string, (...args: never[]) => unknown>;

export function setup(lang: 'en' | 'zh-CN' = 'en', opts: { narrow?: boolean; api?: ApiOverrides } = {}) {
  localStorage.clear();
  const pinia: Pinia = createPinia();
  setActivePinia(pinia);
  const ui = useUi(pinia);
  ui.setLang(lang);
  ui.narrow = !!opts.narrow;
  const meta = useMeta(pinia);
  meta.pkg = PKG;
  meta.version = 3;
  // End-user screens read the visible model: plain definitions there allow everything.
  const model = useModel(pinia);
  model.set({ version: 3, objects: PKG.objects as VisibleObject[] });
  const calls: { method: string; args: unknown[] }[] = [];
  const api = fakeApi(calls);
  for (const [name, fn] of Object.entries(opts.api ?? {}))
    (api as unknown as Record<string, unknown>)[name] = (...args: never[]) => {
      calls.push({ method: name, args });
      return fn(...args);
    };
  const i18n = makeI18n(lang);
  const doMount = <C extends Component>(
    c: C,
    options: ComponentMountingOptions<C> = {} as ComponentMountingOptions<C>,
  ) =>
    mount(c, {
      ...options,
      global: {
        plugins: [pinia, i18n, ElementPlus, ...(options.global?.plugins ?? [])],
        provide: { [API_KEY as symbol]: api },
        stubs: { 'router-link': { template: '<a><slot /></a>' } },
      },
      attachTo: document.body,
    } as ComponentMountingOptions<C>);
  return { pinia, ui, meta, model, api, calls, mount: doMount };
}

export const flush = () => new Promise((r) => setTimeout(r, 0));
