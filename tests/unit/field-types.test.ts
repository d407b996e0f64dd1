import { describe, expect, it } from 'vitest';
import { createAjv } from '../../engine/src/core/ajv.js';
import { MESSAGES } from '../../engine/src/core/messages.js';
import type { FieldDef, FieldTypeName, JsonValue } from '../../engine/src/core/model.js';
import { FIELD_TYPES, FIELD_TYPE_NAMES, withDefaults } from '../../engine/src/fields/registry.js';
import { validatePackage } from '../../engine/src/metadata/validate.js';
import { formatStorage, parseFormatted } from '../../engine/src/schema-sync/pg-types.js';
import { field, object, opts } from '../helpers/packages.js';

/** Per type: a definition, a value it must accept and values it must refuse. */
const SAMPLES: Record<FieldTypeName, { def: Partial<FieldDef>; good: JsonValue[]; bad: JsonValue[] }> = {
  text: { def: { maxLength: 5 }, good: ['abc', '12345', '客户名称'], bad: [1, 'abcdef', true, ['a']] },
  textarea: { def: {}, good: ['line 1\nline 2'], bad: [1, 'x'.repeat(32_769)] },
  rich_text: { def: {}, good: ['<p>hi</p>'], bad: [false] },
  integer: { def: { min: 0, max: 10 }, good: [0, 10], bad: [-1, 11, 1.5, '3'] },
  number: { def: { precision: 6, scale: 2 }, good: [1234.56, -0.5, 0], bad: [10000, 1.234, '1'] },
  currency: { def: {}, good: [99.99], bad: [1.001, 'CNY 1'] },
  percent: { def: {}, good: [35.5, 100], bad: [1000, 'x'] },
  boolean: { def: {}, good: [true, false], bad: [0, 'true'] },
  date: {
    def: {},
    good: ['2026-02-28'],
    bad: ['2026-02-30', '28/02/2026', '2026-02-28T00:00:00Z', 20260228],
  },
  datetime: {
    def: {},
    good: ['2026-02-28T10:00:00Z', '2026-02-28T10:00:00+08:00'],
    bad: ['2026-02-28', 'yesterday'],
  },
  email: { def: {}, good: ['a@b.cn'], bad: ['not-an-email', 'a@'] },
  phone: { def: {}, good: ['+86 138 0013 8000', '(010) 1234-5678 转 12'], bad: ['call me', '12'] },
  url: {
    def: {},
    good: ['https://example.com/x?y=1'],
    bad: ['ftp://x.y', 'javascript:alert(1)', 'example.com'],
  },
  picklist: { def: { options: opts('a', 'b') }, good: ['a'], bad: ['c', ['a'], 'A'] },
  multi_picklist: { def: { options: opts('a', 'b') }, good: [['a', 'b'], []], bad: [['a', 'a'], ['c'], 'a'] },
  lookup: { def: { target: 'thing' }, good: ['0f8fad5b-d9cb-469f-a165-70867728950e'], bad: ['123', 5] },
  master_detail: { def: { target: 'other' }, good: ['0f8fad5b-d9cb-469f-a165-70867728950e'], bad: ['x'] },
  user: { def: {}, good: ['0f8fad5b-d9cb-469f-a165-70867728950e'], bad: ['admin', 5, { id: 'x' }] },
  auto_number: { def: { format: 'INV-{YYYY}-{0000}' }, good: ['INV-2026-0001'], bad: [1] },
  formula: { def: { returnType: 'number', expression: { '+': [1, 2] } }, good: [3], bad: ['3'] },
  rollup: { def: { summary: { object: 'other', via: 'parent', fn: 'count' } }, good: [4], bad: ['4'] },
};

const ajv = createAjv();

describe('field type registry', () => {
  it('has a sample for every type (so a new type needs a test)', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...FIELD_TYPE_NAMES].sort());
  });

  describe.each(FIELD_TYPE_NAMES)('%s', (name) => {
    const t = FIELD_TYPES[name];
    const def = withDefaults({ ...field('f', name), ...SAMPLES[name].def } as FieldDef);

    it('has labels in both languages and a widget', () => {
      expect(t.name).toBe(name);
      expect(t.label.en.length).toBeGreaterThan(0);
      expect(t.label['zh-CN'].length).toBeGreaterThan(0);
      expect(t.label['zh-CN']).not.toBe(t.label.en);
      expect(t.widget.length).toBeGreaterThan(0);
    });

    it('has a storage that round-trips through format_type()', () => {
      const s = t.storage(def);
      expect(parseFormatted(formatStorage(s))).toEqual(
        s.pg === 'numeric'
          ? { pg: 'numeric', precision: s.precision ?? 18, scale: s.scale ?? 2 }
          : { pg: s.pg },
      );
    });

    it('accepts a good value and refuses bad ones', () => {
      const v = ajv.compile(t.valueSchema(def));
      for (const good of SAMPLES[name].good)
        expect(v(good), `${name} should accept ${JSON.stringify(good)}`).toBe(true);
      for (const bad of SAMPLES[name].bad)
        expect(v(bad), `${name} should refuse ${JSON.stringify(bad)}`).toBe(false);
    });

    it('offers only operators, aggregates and flags that fit', () => {
      expect(t.operators.length).toBeGreaterThan(0);
      expect(t.operators).toContain('isNull');
      if (t.groupable) expect(t.sortable).toBe(true);
      if (!t.writable) expect(['auto_number', 'formula', 'rollup']).toContain(name);
      if (t.aggregates.includes('sum')) expect(['number', 'integer']).toContain(t.operand);
    });

    it('validates as part of a package with its sample settings', () => {
      const f = { ...field('f', name), ...SAMPLES[name].def } as FieldDef;
      const pkg = {
        objects: [
          object('thing', [field('name', 'text'), f]),
          object('other', [field('name', 'text'), field('parent', 'lookup', { target: 'thing' })]),
        ],
      };
      const r = validatePackage(pkg);
      expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
    });
  });

  it('every message exists in both languages with the same placeholders', () => {
    for (const [code, m] of Object.entries(MESSAGES)) {
      const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
      expect(m['zh-CN'], code).toBeTruthy();
      expect(ph(m['zh-CN']), code).toEqual(ph(m.en));
    }
  });
});
