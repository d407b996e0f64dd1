import { describe, expect, it } from 'vitest';
import type { LayoutDef, PackageDef } from '../../engine/src/core/model.js';
import { validatePackage } from '../../engine/src/metadata/validate.js';
import { standardPackage } from '../../engine/src/tenancy/standard-package.js';
import { field, object } from '../helpers/packages.js';

const pkgWith = (layout: unknown): PackageDef => ({
  objects: [
    object('deal', [field('name', 'text'), field('amount', 'currency')], { layout: layout as LayoutDef }),
    object('note', [field('body', 'text'), field('deal', 'lookup', { target: 'deal' })]),
  ],
});
const issuesOf = (pkg: unknown) => {
  const r = validatePackage(pkg);
  return r.ok ? [] : r.issues.map((i) => `${i.pointer} ${i.code}`);
};

describe('typed layouts', () => {
  it('the standard package and a complete layout are valid', () => {
    expect(issuesOf(standardPackage())).toEqual([]);
    expect(
      issuesOf(
        pkgWith({
          sections: [{ columns: 1, collapsed: false, fields: ['name', 'owner'] }],
          relatedLists: [{ object: 'note', field: 'deal', columns: ['body'], sort: '-created_at', limit: 5 }],
          compact: { fields: ['amount'] },
          x_tool: { anything: true },
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['an unknown key', { tabs: [] }, '/objects/0/layout'],
    ['sections that are not a list', { sections: {} }, '/objects/0/layout/sections'],
    ['a section without fields', { sections: [{ columns: 2 }] }, '/objects/0/layout/sections/0/fields'],
    ['five columns', { sections: [{ columns: 5, fields: [] }] }, '/objects/0/layout/sections/0/columns'],
    [
      'a field that is not a name',
      { sections: [{ fields: ['Name!'] }] },
      '/objects/0/layout/sections/0/fields/0',
    ],
    [
      'a half-translated label',
      { sections: [{ label: { en: 'x' }, fields: [] }] },
      '/objects/0/layout/sections/0/label',
    ],
    [
      'a related list without its lookup',
      { relatedLists: [{ object: 'note' }] },
      '/objects/0/layout/relatedLists/0/field',
    ],
  ])('refuses %s with a pointer', (_why, layout, at) => {
    const issues = issuesOf(pkgWith(layout));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.some((i) => i.startsWith(at))).toBe(true);
  });

  it('names a missing field, a field placed twice, a related list through the wrong field', () => {
    expect(
      issuesOf(
        pkgWith({
          sections: [{ fields: ['name', 'nope'] }, { fields: ['name'] }],
          relatedLists: [
            { object: 'note', field: 'body' },
            { object: 'ghost', field: 'deal' },
          ],
          compact: { fields: ['amount', 'gone'] },
        }),
      ).sort(),
    ).toEqual([
      '/objects/0/layout/compact/fields/1 META_UNKNOWN_FIELD',
      '/objects/0/layout/relatedLists/0/field META_RELATED_LIST_VIA',
      '/objects/0/layout/relatedLists/1/object META_UNKNOWN_TARGET',
      '/objects/0/layout/sections/0/fields/1 META_UNKNOWN_FIELD',
      '/objects/0/layout/sections/1/fields/0 META_LAYOUT_TWICE',
    ]);
  });
});

describe('format version', () => {
  it('a package without one is version 1, and keeps it', () => {
    const r = validatePackage(pkgWith({}));
    expect(r.ok && r.pkg.formatVersion).toBe(1);
  });
  it('refuses a newer format and a version that is not a positive integer', () => {
    expect(issuesOf({ ...pkgWith({}), formatVersion: 2 })).toEqual(['/formatVersion META_FORMAT_VERSION']);
    expect(issuesOf({ ...pkgWith({}), formatVersion: 0 })[0]).toMatch(/^\/formatVersion /);
    expect(issuesOf({ ...pkgWith({}), formatVersion: '1' })[0]).toMatch(/^\/formatVersion /);
  });
});
