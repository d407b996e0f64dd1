// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { FIELD_TYPE_NAMES } from '../../engine/src/fields/registry';
import { errorsByField } from '../../studio/src/api/problem';
import type { FieldDef, RecordData } from '../../studio/src/api/types';
import { toPayload, defaultsOf } from '../../studio/src/lib/record';
import { resolveSections } from '../../studio/src/lib/layout';
import RecordForm from '../../studio/src/screens/RecordForm.vue';
import { WIDGETS, widgetIdFor } from '../../studio/src/widgets/registry';
import { ALL_TYPES, flush, setup } from './setup';

const field = (name: string) => ALL_TYPES.fields.find((f) => f.name === name)!;

/** Which Element Plus control each field type must render as. */
const EXPECTED: Record<string, string> = {
  title: 'input.el-input__inner',
  notes: 'textarea',
  body: 'textarea',
  qty: '.el-input-number',
  weight: '.el-input-number',
  price: '.el-input-number',
  share: '.el-input-number',
  active: '.el-switch',
  due: '.el-date-editor',
  seen_at: '.el-date-editor',
  email: 'input[type=email]',
  phone: 'input[type=tel]',
  site: 'input[type=url]',
  level: '.el-select',
  tags: '.el-select',
  owner_account: '.el-select',
  parent: '.el-select',
};

describe('widget registry', () => {
  it('has a widget for every field type of the engine', () => {
    for (const type of FIELD_TYPE_NAMES) {
      const id = widgetIdFor({ name: 'x', label: { en: 'x', 'zh-CN': 'x' }, type } as FieldDef);
      expect(WIDGETS[id], type).toBeTruthy();
    }
    expect(widgetIdFor(field('code'))).toBe('readonly');
    expect(widgetIdFor(field('score'))).toBe('readonly');
    expect(widgetIdFor(field('children'))).toBe('readonly');
    expect(widgetIdFor(field('qty'))).toBe('number');
    expect(widgetIdFor(field('tags'))).toBe('multi-select');
    expect(widgetIdFor(field('parent'))).toBe('lookup');
  });
});

describe('form generator', () => {
  it('renders every writable field with its widget, sections from the layout first', async () => {
    const { mount } = setup('en');
    const w = mount(RecordForm, { props: { object: ALL_TYPES, modelValue: {}, mode: 'create' } });
    await flush();
    for (const [name, selector] of Object.entries(EXPECTED)) {
      const item = w.find(`[data-testid="field-${name}"]`);
      expect(item.exists(), name).toBe(true);
      expect(item.find(selector).exists(), `${name} → ${selector}`).toBe(true);
    }
    // Computed fields have no value before the first save: not on the create form.
    for (const name of ['code', 'score', 'children'])
      expect(w.find(`[data-testid="field-${name}"]`).exists(), name).toBe(false);
    const titles = w.findAll('.section-title').map((h) => h.text());
    expect(titles).toEqual(['Basics', 'More', 'Other fields']);
    const firstSection = w
      .findAll('.section')[0]
      .findAll('[data-testid^="field-"]')
      .map((x) => x.attributes('data-testid'));
    expect(firstSection).toEqual(['field-title', 'field-level', 'field-due', 'field-price']);
    // Required mark and help text.
    expect(w.find('[data-testid="field-title"]').classes()).toContain('is-required');
    expect(w.find('[data-testid="field-title"]').text()).toContain('What it is called');
    // Currency and percent show their unit.
    expect(w.find('[data-testid="field-price"]').text()).toContain('CNY');
    expect(w.find('[data-testid="field-share"]').text()).toContain('%');
    w.unmount();
  });

  it('shows computed fields read-only on the edit form, formatted', async () => {
    const { mount } = setup('en');
    const w = mount(RecordForm, {
      props: { object: ALL_TYPES, modelValue: { code: 'G-0007', score: 2, children: 3 }, mode: 'edit' },
    });
    await flush();
    expect(w.find('[data-testid="field-code"] .readonly').text()).toBe('G-0007');
    expect(w.find('[data-testid="field-score"] .readonly').text()).toBe('2');
    expect(w.find('[data-testid="field-children"] .readonly').text()).toBe('3');
    w.unmount();
  });

  it('labels fields in the chosen language', async () => {
    const { mount } = setup('zh-CN');
    const w = mount(RecordForm, { props: { object: ALL_TYPES, modelValue: {}, mode: 'create' } });
    await flush();
    expect(w.find('[data-testid="field-title"] label').text()).toBe('标题');
    expect(w.findAll('.section-title').map((h) => h.text())).toEqual(['基本信息', '更多', '其他字段']);
    w.unmount();
  });

  it('shows server errors at the field they point at', async () => {
    const { mount } = setup('en');
    const errors = errorsByField([
      { pointer: '/title', code: 'REQUIRED', message: 'This field is required.' },
      { pointer: '/price', code: 'TOO_MANY_DECIMALS', message: 'At most 2 decimal places.' },
      { pointer: '', code: 'X', message: 'general' },
    ]);
    expect(errors['']).toBe('general');
    const w = mount(RecordForm, { props: { object: ALL_TYPES, modelValue: {}, errors, mode: 'create' } });
    await flush();
    expect(w.find('[data-testid="field-title"] .el-form-item__error').text()).toBe('This field is required.');
    expect(w.find('[data-testid="field-price"] .el-form-item__error').text()).toBe(
      'At most 2 decimal places.',
    );
    expect(w.find('[data-testid="field-level"] .el-form-item__error').exists()).toBe(false);
    w.unmount();
  });

  it('emits typed values: text, number, switch', async () => {
    const { mount } = setup('en');
    let value: RecordData = {};
    const w = mount(RecordForm, {
      props: {
        object: ALL_TYPES,
        modelValue: value,
        mode: 'create',
        'onUpdate:modelValue': (v: RecordData) => (value = v),
      },
    });
    await flush();
    await w.find('[data-testid="field-title"] input').setValue('Widget');
    expect(value.title).toBe('Widget');
    await w.setProps({ modelValue: value });
    await w.find('[data-testid="field-active"] .el-switch').trigger('click');
    expect(value.active).toBe(true);
    await w.setProps({ modelValue: value });
    const qty = w.find('[data-testid="field-qty"] input');
    (qty.element as HTMLInputElement).value = '12';
    await qty.trigger('input');
    await qty.trigger('change');
    await flush();
    expect(value.qty).toBe(12);
    w.unmount();
  });

  it('lookup widget names the current value and searches the target by name', async () => {
    const { mount, calls } = setup('en');
    const w = mount(RecordForm, {
      props: {
        object: ALL_TYPES,
        modelValue: { owner_account: '0190a0a0-0000-7000-8000-000000000002' },
        mode: 'edit',
      },
    });
    await flush();
    await flush();
    expect(calls.some((c) => c.method === 'get' && c.args[0] === 'account')).toBe(true);
    expect(w.find('[data-testid="field-owner_account"]').text()).toContain('Beta Co');
    w.unmount();
  });
});

describe('payloads', () => {
  it('create: writable fields with values; lookups as ids', () => {
    const body = toPayload(ALL_TYPES, {
      title: 'A',
      notes: '',
      owner_account: { id: 'x1', name: 'Acme' },
      code: 'G-1',
      tags: [],
    });
    expect(body).toEqual({ title: 'A', owner_account: 'x1' });
  });
  it('edit: only what changed; cleared values become null', () => {
    const before = {
      id: '1',
      title: 'A',
      price: 10,
      owner_account: { id: 'x1', name: 'Acme' },
      level: 'basic',
    };
    const body = toPayload(ALL_TYPES, { ...before, price: 12, level: null, owner_account: 'x1' }, before);
    expect(body).toEqual({ price: 12, level: null });
  });
  it('defaults fill a new form', () => {
    const o = { ...ALL_TYPES, fields: [{ ...ALL_TYPES.fields[13], default: 'basic' }] };
    expect(defaultsOf(o)).toEqual({ level: 'basic' });
  });
  it('fields the layout forgot still get a section', () => {
    const sections = resolveSections(ALL_TYPES, { en: 'Other', 'zh-CN': '其他' });
    expect(sections.flatMap((s) => s.fields).length).toBe(ALL_TYPES.fields.length);
  });
});
