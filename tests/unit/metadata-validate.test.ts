import { describe, expect, it } from 'vitest';
import { renderIssues } from '../../engine/src/core/errors.js';
import type { FieldDef, PackageDef } from '../../engine/src/core/model.js';
import { assignIds } from '../../engine/src/metadata/ids.js';
import { validatePackage } from '../../engine/src/metadata/validate.js';
import { field, l, object, opts, salesPackage } from '../helpers/packages.js';

const issuesOf = (pkg: unknown) => {
  const r = validatePackage(pkg);
  if (r.ok) return [];
  return r.issues.map((i) => ({ pointer: i.pointer, code: i.code }));
};
const withField = (f: FieldDef): PackageDef => ({ objects: [object('thing', [field('name', 'text'), f])] });

describe('metadata validation', () => {
  it('accepts the sales package', () => {
    expect(validatePackage(salesPackage()).ok).toBe(true);
  });

  it.each([
    ['quote', 'bad"name', 'META_BAD_NAME'],
    ['semicolon', 'x;drop', 'META_BAD_NAME'],
    ['uppercase', 'Thing', 'META_BAD_NAME'],
    ['leading digit', '9lives', 'META_BAD_NAME'],
    ['41 chars', 'a'.repeat(41), 'META_BAD_NAME'],
    ['unicode', '客户', 'META_BAD_NAME'],
    ['reserved select', 'select', 'META_RESERVED_NAME'],
    ['reserved user', 'user', 'META_RESERVED_NAME'],
    ['reserved order', 'order', 'META_RESERVED_NAME'],
  ])('refuses an object name with %s', (_why, name, code) => {
    const found = issuesOf({
      objects: [object('ok_one', [field('name', 'text')]), object(name, [field('name', 'text')])],
    });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((i) => i.pointer === '/objects/1/name')).toBe(true);
    // The JSON Schema pattern and the ident check agree on what is a bad name.
    expect(found.some((i) => i.code === code || (code === 'META_BAD_NAME' && i.code === 'BAD_FORMAT'))).toBe(
      true,
    );
  });

  it.each([
    ['id', 'META_RESERVED_NAME'],
    ['version', 'META_RESERVED_NAME'],
    ['select', 'META_RESERVED_NAME'],
    ['a b', 'BAD_FORMAT'],
    ["o'brien", 'BAD_FORMAT'],
    ['Name', 'BAD_FORMAT'],
  ])('refuses a field named %s with a pointer to it', (name, code) => {
    expect(issuesOf(withField(field(name, 'text')))).toContainEqual({
      pointer: '/objects/0/fields/1/name',
      code,
    });
  });

  it('reports duplicates, unknown targets, bad settings and unknown keys with pointers', () => {
    const pkg: PackageDef = {
      objects: [
        object('a', [
          field('name', 'text'),
          field('name', 'text'),
          field('link', 'lookup', { target: 'nowhere' }),
        ]),
        object('b', [
          field('amount', 'number', { precision: 4, scale: 6 }),
          field('qty', 'integer', { min: 5, max: 1 }),
          field('pick', 'picklist', { options: opts('x', 'x') }),
          field('no', 'auto_number', { format: 'N-{YYYY}' }),
          field('md', 'master_detail', { target: 'b' }),
          field('big', 'text', { default: 'x'.repeat(300) }),
          field('tags', 'multi_picklist', { options: opts('t'), indexed: true }),
        ]),
        object('a', [field('name', 'text')]),
      ],
    };
    const found = issuesOf(pkg);
    expect(found).toEqual(
      expect.arrayContaining([
        { pointer: '/objects/2/name', code: 'META_DUPLICATE_NAME' },
        { pointer: '/objects/0/fields/1/name', code: 'META_DUPLICATE_NAME' },
        { pointer: '/objects/0/fields/2/target', code: 'META_UNKNOWN_TARGET' },
        { pointer: '/objects/1/fields/0/scale', code: 'META_SCALE_GT_PRECISION' },
        { pointer: '/objects/1/fields/1/min', code: 'META_MIN_GT_MAX' },
        { pointer: '/objects/1/fields/2/options/1/value', code: 'META_DUPLICATE_OPTION' },
        { pointer: '/objects/1/fields/3/format', code: 'META_AUTONUMBER_SEQUENCE' },
        { pointer: '/objects/1/fields/4/target', code: 'META_MASTER_DETAIL_SELF' },
        { pointer: '/objects/1/fields/5/default', code: 'META_BAD_DEFAULT' },
        { pointer: '/objects/1/fields/6/indexed', code: 'META_NOT_INDEXABLE' },
      ]),
    );
  });

  it('refuses settings of another type and unknown properties (never ignores them)', () => {
    expect(issuesOf(withField(field('n', 'integer', { maxLength: 10 })))).toContainEqual({
      pointer: '/objects/0/fields/1/maxLength',
      code: 'UNKNOWN_FIELD',
    });
    expect(issuesOf(withField({ ...field('n', 'text'), colour: 'red' } as FieldDef))).toContainEqual({
      pointer: '/objects/0/fields/1/colour',
      code: 'UNKNOWN_FIELD',
    });
    expect(issuesOf({ objects: [{ ...object('x', [field('name', 'text')]), extra: 1 }] })).toContainEqual({
      pointer: '/objects/0/extra',
      code: 'UNKNOWN_FIELD',
    });
    expect(
      issuesOf(withField({ ...field('n', 'text'), type: 'colour' } as unknown as FieldDef)).length,
    ).toBeGreaterThan(0);
    expect(issuesOf(withField(field('p', 'picklist')))).toContainEqual({
      pointer: '/objects/0/fields/1/options',
      code: 'REQUIRED',
    });
  });

  it('says "items", not "characters", for too many validation rules; a bad default in both languages', () => {
    const rules = Array.from({ length: 101 }, (_, i) => ({
      name: `r${i}`,
      condition: { '==': [{ var: 'name' }, 'x'] },
      message: l('x'),
    }));
    const r = validatePackage({
      objects: [object('thing', [field('name', 'text')], { validationRules: rules })],
    });
    expect(r.ok).toBe(false);
    const issues = r.ok ? [] : r.issues;
    const msgs = renderIssues(
      issues.filter((i) => i.pointer === '/objects/0/validationRules'),
      'en',
    ).map((i) => i.message);
    expect(msgs).toEqual(['At most 100 items.']);
    const d = validatePackage(withField(field('n', 'integer', { default: 'ten' })));
    const zh = renderIssues(d.ok ? [] : d.issues, 'zh-CN').map((i) => i.message);
    expect(zh).toEqual(['默认值对此字段无效：应为整数。']);
  });

  it('refuses missing labels and bad language texts', () => {
    expect(issuesOf({ objects: [{ name: 'x', pluralLabel: l('xs'), fields: [] }] })).toContainEqual({
      pointer: '/objects/0/label',
      code: 'REQUIRED',
    });
    expect(
      issuesOf({ objects: [{ name: 'x', label: { en: 'X' }, pluralLabel: l('xs'), fields: [] }] }),
    ).toContainEqual({
      pointer: '/objects/0/label/zh-CN',
      code: 'REQUIRED',
    });
  });

  it('refuses indexes on unknown or unsortable fields, and a bad nameField', () => {
    const found = issuesOf({
      objects: [
        object('x', [field('name', 'text'), field('body', 'rich_text')], {
          indexes: [{ fields: ['nope'] }, { fields: ['body'] }],
          nameField: 'body',
        }),
      ],
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { pointer: '/objects/0/indexes/0/fields/0', code: 'META_UNKNOWN_FIELD' },
        { pointer: '/objects/0/indexes/1/fields/0', code: 'META_NOT_INDEXABLE' },
        { pointer: '/objects/0/nameField', code: 'META_NAME_FIELD' },
      ]),
    );
  });

  it('renders messages in English and Chinese', () => {
    const r = validatePackage(withField(field('select', 'text')));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const en = renderIssues(r.issues, 'en');
    const zh = renderIssues(r.issues, 'zh-CN');
    expect(en[0]).toMatchObject({ pointer: '/objects/0/fields/1/name', code: 'META_RESERVED_NAME' });
    expect(en[0].message).toContain('"select" is reserved');
    expect(zh[0].message).toContain('保留字');
    expect(zh[0].message).not.toBe(en[0].message);
  });

  const SEED = { tenant: '7d1e2c1a-0000-4000-8000-000000000001', baseVersion: 0 };

  it('assignIds keeps ids of same-named objects and fields and mints new ones otherwise', () => {
    const first = assignIds(salesPackage(), null, SEED);
    const ids = first.objects.flatMap((o) => [o.id, ...o.fields.map((f) => f.id)]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id!)),
    ).toBe(true);
    const next = salesPackage();
    next.objects[0].fields.push(field('website', 'url'));
    const second = assignIds(next, first, { ...SEED, baseVersion: 1 });
    expect(second.objects[0].id).toBe(first.objects[0].id);
    expect(second.objects[0].fields[0].id).toBe(first.objects[0].fields[0].id);
    expect(first.objects[0].fields.map((f) => f.id)).not.toContain(second.objects[0].fields.at(-1)!.id);
    expect(next.objects[0].id).toBeUndefined(); // the input is not changed
  });

  it('assignIds mints the same ids for the same tenant, base version and package, and others otherwise', () => {
    const ids = (p: PackageDef) => p.objects.flatMap((o) => [o.id, ...o.fields.map((f) => f.id)]);
    const a = assignIds(salesPackage(), null, SEED);
    expect(ids(assignIds(salesPackage(), null, SEED))).toEqual(ids(a));
    // Another base version or another tenant: none of the ids repeat.
    for (const seed of [
      { ...SEED, baseVersion: 1 },
      { ...SEED, tenant: '7d1e2c1a-0000-4000-8000-000000000002' },
    ]) {
      const b = ids(assignIds(salesPackage(), null, seed));
      expect(b.filter((id) => ids(a).includes(id))).toEqual([]);
    }
    // Two fields of the same name in two objects get different ids.
    const names = a.objects.map((o) => o.fields.find((f) => f.name === 'name')?.id).filter(Boolean);
    expect(new Set(names).size).toBe(names.length);
  });

  it('refuses a duplicated id', () => {
    const pkg = assignIds(salesPackage(), null, SEED);
    pkg.objects[1].fields[0].id = pkg.objects[0].fields[0].id;
    expect(issuesOf(pkg)).toContainEqual({ pointer: '/objects', code: 'META_DUPLICATE_ID' });
  });
});
