// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { RecordData } from '../../studio/src/api/types';
import {
  buildFilter,
  conditionOf,
  emptyFilter,
  filterKindOf,
  type FilterValue,
} from '../../studio/src/lib/filters';
import { deleteView, loadViews, upsertView } from '../../studio/src/lib/views';
import FilterPanel from '../../studio/src/screens/FilterPanel.vue';
import RecordTable from '../../studio/src/screens/RecordTable.vue';
import { formatValue } from '../../studio/src/widgets/format';
import { ACCOUNT, ALL_TYPES, flush, setup } from './setup';

const f = (name: string) => ALL_TYPES.fields.find((x) => x.name === name)!;
const ROW: RecordData = {
  id: '0190a0a0-0000-7000-8000-0000000000aa',
  title: 'Widget',
  notes: 'line',
  body: '<p>x</p>',
  qty: 1200,
  weight: 2.5,
  price: 1234.5,
  share: 35.5,
  active: true,
  due: '2026-12-31',
  seen_at: '2026-01-02T03:04:05.000Z',
  email: 'a@b.cn',
  phone: '+86 10 1234 5678',
  site: 'https://x.cn',
  level: 'advanced',
  tags: ['hot', 'new'],
  owner_account: { id: '0190a0a0-0000-7000-8000-000000000001', name: 'Acme Ltd' },
  parent: '0190a0a0-0000-7000-8000-000000000002',
  code: 'G-0001',
  score: 2,
  children: 4,
};
const objectOf = (n: string) => (n === 'account' ? ACCOUNT : undefined);

describe('display formatters, every field type', () => {
  it('English', () => {
    const fmt = (n: string) => formatValue(f(n), ROW[n], { lang: 'en', objectOf });
    expect(fmt('title')).toBe('Widget');
    expect(fmt('qty')).toBe('1,200');
    expect(fmt('weight')).toBe('2.5');
    expect(fmt('price')).toMatch(/CN¥1,234\.50|¥1,234\.50/);
    expect(fmt('share')).toBe('35.5 %');
    expect(fmt('active')).toBe('Yes');
    expect(fmt('due')).toBe('Dec 31, 2026');
    expect(fmt('seen_at')).toMatch(/2026/);
    expect(fmt('level')).toBe('Advanced');
    expect(fmt('tags')).toBe('Hot, New');
    expect(fmt('owner_account')).toBe('Acme Ltd');
    expect(fmt('parent')).toBe('0190a0a0-0000-7000-8000-000000000002');
    // Read with expand, a lookup left a bare id is a record the user may not read: never its id.
    expect(formatValue(f('parent'), ROW.parent, { lang: 'en', objectOf, expanded: true })).toBe(
      '🔒 No access',
    );
    expect(fmt('code')).toBe('G-0001');
    expect(fmt('children')).toBe('4');
    expect(formatValue(f('level'), null, { lang: 'en' })).toBe('');
  });
  it('Chinese', () => {
    const fmt = (n: string) => formatValue(f(n), ROW[n], { lang: 'zh-CN', objectOf });
    expect(fmt('level')).toBe('高级');
    expect(fmt('tags')).toBe('热门, 新品');
    expect(fmt('active')).toBe('是');
    expect(fmt('price')).toMatch(/¥1,234\.50/);
    expect(fmt('due')).toBe('2026年12月31日');
    expect(formatValue(f('parent'), ROW.parent, { lang: 'zh-CN', objectOf, expanded: true })).toBe(
      '🔒 无权查看',
    );
  });
});

describe('filters built from field types', () => {
  it('picks a control per type', () => {
    const kinds = Object.fromEntries(ALL_TYPES.fields.map((x) => [x.name, filterKindOf(x)]));
    expect(kinds).toMatchObject({
      title: 'text',
      email: 'text',
      code: 'text',
      level: 'options',
      tags: 'options',
      qty: 'range',
      price: 'range',
      share: 'range',
      children: 'range',
      due: 'range',
      seen_at: 'range',
      active: 'bool',
      owner_account: 'lookup',
      parent: 'lookup',
    });
  });
  it('renders conditions in the engine filter language', () => {
    expect(conditionOf(f('level'), { kind: 'options', values: ['basic', 'advanced'] })).toEqual({
      level: { in: ['basic', 'advanced'] },
    });
    expect(conditionOf(f('tags'), { kind: 'options', values: ['hot'] })).toEqual({
      tags: { containsAny: ['hot'] },
    });
    expect(conditionOf(f('due'), { kind: 'range', from: '2026-01-01', to: '2026-12-31' })).toEqual({
      due: { gte: '2026-01-01', lte: '2026-12-31' },
    });
    expect(conditionOf(f('seen_at'), { kind: 'range', from: '2026-01-01', to: '2026-01-31' })).toEqual({
      seen_at: { gte: '2026-01-01T00:00:00Z', lt: '2026-02-01T00:00:00.000Z' },
    });
    expect(conditionOf(f('price'), { kind: 'range', from: 100, to: null })).toEqual({ price: { gte: 100 } });
    expect(conditionOf(f('qty'), { kind: 'range', from: null, to: 5 })).toEqual({ qty: { lte: 5 } });
    expect(conditionOf(f('active'), { kind: 'bool', value: false })).toEqual({ active: { eq: false } });
    expect(conditionOf(f('owner_account'), { kind: 'lookup', id: 'x' })).toEqual({
      owner_account: { eq: 'x' },
    });
    expect(conditionOf(f('title'), { kind: 'text', text: ' wid ' })).toEqual({ title: { contains: 'wid' } });
    for (const x of ALL_TYPES.fields) {
      const e = emptyFilter(x);
      if (e) expect(conditionOf(x, e), x.name).toBeNull();
    }
  });
  it('ANDs the active conditions and skips empty ones', () => {
    const values: Record<string, FilterValue> = {
      level: { kind: 'options', values: ['basic'] },
      price: { kind: 'range', from: null, to: null },
      active: { kind: 'bool', value: true },
    };
    expect(buildFilter(ALL_TYPES.fields, values)).toEqual({
      and: [{ active: { eq: true } }, { level: { in: ['basic'] } }],
    });
    expect(buildFilter(ALL_TYPES.fields, { level: values.level })).toEqual({ level: { in: ['basic'] } });
    expect(buildFilter(ALL_TYPES.fields, {})).toBeUndefined();
  });
});

describe('list generator', () => {
  const columns = ALL_TYPES.fields.map((x) => x.name);

  it('renders a column per field with formatted cells and sortable headers', async () => {
    const { mount } = setup('en');
    const w = mount(RecordTable, {
      props: { object: ALL_TYPES, rows: [ROW], columns, sort: '-created_at', emptyText: 'none' },
    });
    await flush();
    await flush();
    const headers = w.findAll('th').map((h) => h.text());
    expect(headers).toContain('Title');
    expect(headers).toContain('Level');
    expect(headers.length).toBeGreaterThanOrEqual(columns.length);
    const text = w.find('.el-table__body').text();
    for (const v of ['Widget', 'Advanced', 'Hot, New', 'Yes', '35.5 %', 'Dec 31, 2026', 'Acme Ltd', 'G-0001'])
      expect(text, v).toContain(v);
    expect(w.find('[data-testid="record-link"]').text()).toBe('Widget');
    // Multi-picklists cannot be sorted by the engine: no sort caret on that column.
    const sortable = w
      .findAll('th')
      .filter((h) => h.find('.caret-wrapper').exists())
      .map((h) => h.text());
    expect(sortable).toContain('Title');
    expect(sortable).not.toContain('Tags');
    await w.find('[data-testid="record-link"]').trigger('click');
    expect(w.emitted('open')?.[0]).toEqual([ROW]);
    w.unmount();
  });

  it('emits the API sort string when a header is sorted', async () => {
    const { mount } = setup('en');
    const w = mount(RecordTable, { props: { object: ALL_TYPES, rows: [ROW], columns: ['title', 'price'] } });
    await flush();
    const th = w.findAll('th').find((h) => h.text() === 'Price')!;
    await th.find('.ascending').trigger('click');
    expect(w.emitted('sort')?.at(-1)).toEqual(['price']);
    await th.find('.descending').trigger('click');
    expect(w.emitted('sort')?.at(-1)).toEqual(['-price']);
    w.unmount();
  });

  it('on a phone, shows one card per record in the chosen language', async () => {
    const { mount } = setup('zh-CN', { narrow: true });
    const w = mount(RecordTable, {
      props: {
        object: ALL_TYPES,
        rows: [ROW, { ...ROW, id: 'b', title: 'Gizmo', level: 'basic' }],
        columns: ['title', 'level', 'price'],
      },
    });
    await flush();
    const cards = w.findAll('[data-testid="record-row"]');
    expect(cards.length).toBe(2);
    expect(cards[0].find('.card-title').text()).toBe('Widget');
    expect(cards[0].text()).toContain('级别');
    expect(cards[1].text()).toContain('基础');
    w.unmount();
  });

  it('filter panel renders a control per kind and reports values', async () => {
    const { mount } = setup('en');
    let values: Record<string, FilterValue> = {};
    const w = mount(FilterPanel, {
      props: {
        object: ALL_TYPES,
        fields: ['level', 'due', 'price', 'active', 'owner_account', 'title'],
        modelValue: values,
        'onUpdate:modelValue': (v: Record<string, FilterValue>) => (values = v),
      },
    });
    await flush();
    expect(w.find('[data-testid="filter-level"] .el-select').exists()).toBe(true);
    expect(w.find('[data-testid="filter-due"] .el-range-editor').exists()).toBe(true);
    expect(w.findAll('[data-testid="filter-price"] .el-input-number').length).toBe(2);
    expect(w.find('[data-testid="filter-active"] .el-radio-group').exists()).toBe(true);
    expect(w.find('[data-testid="filter-owner_account"] .el-select').exists()).toBe(true);
    expect(w.find('[data-testid="filter-title"] input').exists()).toBe(true);
    await w.find('[data-testid="filter-title"] input').setValue('wid');
    expect(values.title).toEqual({ kind: 'text', text: 'wid' });
    w.unmount();
  });
});

describe('saved views', () => {
  it('are kept per tenant and object', () => {
    localStorage.clear();
    const v = { name: 'Mine', columns: ['title'], filters: {}, filterFields: [], sort: 'title', search: '' };
    upsertView('acme', 'gadget', v);
    upsertView('acme', 'gadget', { ...v, sort: '-title' });
    expect(loadViews('acme', 'gadget')).toEqual([{ ...v, sort: '-title' }]);
    expect(loadViews('other', 'gadget')).toEqual([]);
    expect(deleteView('acme', 'gadget', 'Mine')).toEqual([]);
  });
});
