import { describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { emptySnapshot } from '../../engine/src/db/snapshot.js';
import type { CompiledModel } from '../../engine/src/metadata/compile.js';
import type { SchemaChange } from '../../engine/src/schema-sync/changes.js';
import {
  fieldIndexName,
  fkName,
  ownerIndexName,
  retiredName,
  uniqueIndexName,
} from '../../engine/src/schema-sync/names.js';
import { plan } from '../../engine/src/schema-sync/plan.js';
import { applyToSnapshot, compiled, deployed, kinds } from '../fixtures/snapshot.js';
import { field, l, object, opts } from '../helpers/packages.js';

function base(): PackageDef {
  return {
    objects: [
      object('account', [
        field('name', 'text', { required: true }),
        field('industry', 'picklist', { options: opts('it', 'energy') }),
        field('employees', 'integer'),
      ]),
      object('deal', [
        field('name', 'text', { maxLength: 120 }),
        field('amount', 'number', { precision: 12, scale: 2 }),
        field('account', 'lookup', { target: 'account' }),
        field('notes', 'text'),
        field('flag', 'boolean'),
        field('due', 'date'),
        field('at', 'datetime'),
      ]),
    ],
  };
}

/** Plans `edit` of the deployed base package; returns the changes and the state after them. */
function step(
  from: { model: CompiledModel; snap: ReturnType<typeof deployed>['snap'] },
  edit: (p: PackageDef) => void,
) {
  const pkg = structuredClone(from.model.pkg);
  edit(pkg);
  const next = compiled(pkg, from.model);
  const { changes } = plan(from.model, next, from.snap);
  const after = { model: next, snap: applyToSnapshot(from.snap, changes) };
  return { changes, next, after };
}

const obj = (p: PackageDef, name: string) => p.objects.find((o) => o.name === name)!;
const fld = (p: PackageDef, o: string, f: string) => obj(p, o).fields.find((x) => x.name === f)!;
const only = <K extends SchemaChange['kind']>(changes: SchemaChange[], kind: K) => {
  expect(kinds(changes)).toEqual([kind]);
  return changes[0] as Extract<SchemaChange, { kind: K }>;
};
/** Object.assign where an undefined value removes the key (as JSON would). */
function assign(target: object, patch: object) {
  const t = target as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch))
    if (v === undefined) delete t[k];
    else t[k] = v;
}
/** A second plan on top of the first one's result is empty. */
const settled = (s: { model: CompiledModel; snap: ReturnType<typeof deployed>['snap'] }) =>
  expect(plan(s.model, s.model, s.snap).changes).toEqual([]);

describe('planner', () => {
  it('creates tables, owner indexes, lookup index and foreign key from nothing; a second plan is empty', () => {
    const model = compiled(base());
    const { changes } = plan(null, model, emptySnapshot());
    expect(kinds(changes)).toEqual([
      'createTable',
      'createTable',
      'addIndex',
      'addIndex',
      'addIndex',
      'addForeignKey',
    ]);
    const deal = changes.find((c) => c.kind === 'createTable' && c.object === 'deal') as Extract<
      SchemaChange,
      { kind: 'createTable' }
    >;
    expect(deal.columns.map((c) => c.name)).toEqual([
      'name',
      'amount',
      'account',
      'notes',
      'flag',
      'due',
      'at',
    ]);
    expect(deal.columns.find((c) => c.name === 'amount')!.storage).toEqual({
      pg: 'numeric',
      precision: 12,
      scale: 2,
    });
    const dealId = model.objects.get('deal')!.id;
    const accountField = model.objects.get('deal')!.fields.get('account')!;
    expect(
      changes
        .filter((c) => c.kind === 'addIndex')
        .map((c) => (c as { name: string }).name)
        .sort(),
    ).toEqual(
      [
        ownerIndexName(model.objects.get('account')!.id),
        ownerIndexName(dealId),
        fieldIndexName(accountField.id),
      ].sort(),
    );
    const fk = changes.at(-1) as Extract<SchemaChange, { kind: 'addForeignKey' }>;
    expect(fk).toMatchObject({
      name: fkName(accountField.id),
      table: 'deal',
      column: 'account',
      refTable: 'account',
      onDelete: 'restrict',
    });
    settled({ model, snap: applyToSnapshot(emptySnapshot(), changes) });
  });

  it('adds a column (nullable, catalog only)', () => {
    const s = step(deployed(base()), (p) => obj(p, 'deal').fields.push(field('website', 'url')));
    const c = only(s.changes, 'addColumn');
    expect(c).toMatchObject({
      object: 'deal',
      field: 'website',
      table: 'deal',
      column: { name: 'website', storage: { pg: 'text' } },
    });
    settled(s.after);
  });

  it('renames a column when the field keeps its id under a new name', () => {
    const d = deployed(base());
    const s = step(d, (p) => (fld(p, 'deal', 'notes').name = 'remarks'));
    const c = only(s.changes, 'renameColumn');
    expect(c).toMatchObject({ table: 'deal', from: 'notes', to: 'remarks', field: 'remarks' });
    expect(s.next.objects.get('deal')!.fields.get('remarks')!.id).toBe(
      d.model.objects.get('deal')!.fields.get('notes')!.id,
    );
    settled(s.after);
  });

  it('treats a same-named field with a new id as a new field (old one retired)', () => {
    const d = deployed(base());
    const s = step(d, (p) => (fld(p, 'deal', 'notes').id = '11111111-2222-4333-8444-555555555555'));
    expect(kinds(s.changes)).toEqual(['retireColumn', 'addColumn']);
    settled(s.after);
  });

  it('renames a table when the object keeps its id; lookups follow without touching the foreign key', () => {
    const d = deployed(base());
    const s = step(d, (p) => {
      obj(p, 'account').name = 'company';
      fld(p, 'deal', 'account').target = 'company';
    });
    const c = only(s.changes, 'renameTable');
    expect(c).toMatchObject({ from: 'account', to: 'company' });
    settled(s.after);
  });

  it('retires a removed column to _r_<id> and restores it from the snapshot', () => {
    const d = deployed(base());
    const notesId = d.model.objects.get('deal')!.fields.get('notes')!.id;
    const s = step(
      d,
      (p) => (obj(p, 'deal').fields = obj(p, 'deal').fields.filter((f) => f.name !== 'notes')),
    );
    const c = only(s.changes, 'retireColumn');
    expect(c).toMatchObject({ table: 'deal', column: 'notes', to: retiredName(notesId) });
    expect(s.after.snap.tables.get('deal')!.has(retiredName(notesId))).toBe(true);
    settled(s.after);
    // Rollback: the earlier package (with the field's id) comes back.
    const back = compiled(d.model.pkg, s.after.model);
    const restore = plan(s.after.model, back, s.after.snap).changes;
    expect(only(restore, 'restoreColumn')).toMatchObject({ from: retiredName(notesId), to: 'notes' });
    settled({ model: back, snap: applyToSnapshot(s.after.snap, restore) });
  });

  it('retires a removed object (its foreign keys and indexes go) and restores it with them', () => {
    const d = deployed(base());
    const dealId = d.model.objects.get('deal')!.id;
    const s = step(d, (p) => (p.objects = p.objects.filter((o) => o.name !== 'deal')));
    expect(kinds(s.changes)).toEqual(['dropForeignKey', 'dropIndex', 'dropIndex', 'retireTable']);
    expect(s.changes.at(-1)).toMatchObject({ table: 'deal', to: retiredName(dealId) });
    settled(s.after);
    const back = compiled(d.model.pkg, s.after.model);
    const restore = plan(s.after.model, back, s.after.snap).changes;
    expect(kinds(restore)).toEqual(['restoreTable', 'addIndex', 'addIndex', 'addForeignKey']);
    expect(restore[0]).toMatchObject({ from: retiredName(dealId), to: 'deal' });
    settled({ model: back, snap: applyToSnapshot(s.after.snap, restore) });
  });

  it.each([
    ['integer → number', 'account', 'employees', { type: 'number' as const }, 'lossless'],
    ['number → wider number', 'deal', 'amount', { precision: 16, scale: 2 }, 'lossless'],
    ['date → datetime', 'deal', 'due', { type: 'datetime' as const }, 'lossless'],
    [
      'text → multi_picklist',
      'deal',
      'notes',
      { type: 'multi_picklist' as const, options: opts('a'), maxLength: undefined },
      'lossless',
    ],
    [
      'number → integer',
      'deal',
      'amount',
      { type: 'integer' as const, precision: undefined, scale: undefined },
      'checked',
    ],
    ['text → number', 'deal', 'notes', { type: 'number' as const, maxLength: undefined }, 'checked'],
    ['text → date', 'deal', 'notes', { type: 'date' as const, maxLength: undefined }, 'checked'],
    ['number → more decimals, fewer digits', 'deal', 'amount', { precision: 12, scale: 4 }, 'checked'],
    ['datetime → date', 'deal', 'at', { type: 'date' as const }, 'checked'],
  ])('changes type in place: %s (%s)', (_name, o, f, patch, risk) => {
    const s = step(deployed(base()), (p) => assign(fld(p, o, f), patch));
    const c = only(s.changes, 'alterType');
    expect(c.risk).toBe(risk);
    expect(c.column).toBe(f);
    settled(s.after);
  });

  it('text → textarea and picklist → text need no DDL (same column type)', () => {
    const d = deployed(base());
    const s = step(d, (p) => (fld(p, 'deal', 'notes').type = 'textarea'));
    expect(s.changes).toEqual([]);
    const s2 = step(d, (p) => {
      const f = fld(p, 'account', 'industry');
      f.type = 'text';
      delete f.options;
      f.maxLength = 1000;
    });
    expect(s2.changes.filter((c) => c.kind !== 'narrowText')).toEqual([]);
  });

  it('a shorter text limit is a checked narrowText step; a longer one is nothing', () => {
    const d = deployed(base());
    const s = step(d, (p) => (fld(p, 'deal', 'name').maxLength = 10));
    expect(only(s.changes, 'narrowText')).toMatchObject({ column: 'name', maxLength: 10 });
    expect(step(d, (p) => (fld(p, 'deal', 'name').maxLength = 500)).changes).toEqual([]);
  });

  it.each([
    ['boolean → date', 'flag', { type: 'date' as const }],
    ['date → boolean', 'due', { type: 'boolean' as const }],
    ['lookup → integer', 'account', { type: 'integer' as const, target: undefined }],
  ])('refuses an unsupported type change: %s, pointing into the package', (_name, f, patch) => {
    const s = step(deployed(base()), (p) => assign(fld(p, 'deal', f), patch));
    const refused = s.changes.filter((c) => c.kind === 'refused') as Extract<
      SchemaChange,
      { kind: 'refused' }
    >[];
    expect(refused).toHaveLength(1);
    expect(refused[0].code).toBe('META_TYPE_CHANGE');
    const fi = base().objects[1].fields.findIndex((x) => x.name === f);
    expect(refused[0].pointer).toBe(`/objects/1/fields/${fi}/type`);
    expect(s.changes[0].kind).toBe('refused'); // refusals come first
  });

  it('reports picklist option changes as a metadata-only step', () => {
    const s = step(deployed(base()), (p) => {
      const f = fld(p, 'account', 'industry');
      f.options = [...opts('it', 'retail')];
    });
    expect(only(s.changes, 'picklistChange')).toMatchObject({
      field: 'industry',
      added: ['retail'],
      removed: ['energy'],
    });
    const s2 = step(deployed(base()), (p) => {
      fld(p, 'account', 'industry').options![1].active = false;
    });
    expect(only(s2.changes, 'picklistChange')).toMatchObject({
      added: [],
      removed: [],
      deactivated: ['energy'],
    });
  });

  it('adds and drops single-field, unique and composite indexes', () => {
    const d = deployed(base());
    const dueId = d.model.objects.get('deal')!.fields.get('due')!.id;
    const s = step(d, (p) => (fld(p, 'deal', 'due').indexed = true));
    expect(only(s.changes, 'addIndex')).toMatchObject({
      name: fieldIndexName(dueId),
      columns: ['due'],
      unique: false,
    });
    settled(s.after);
    const s2 = step(s.after, (p) => (fld(p, 'deal', 'due').indexed = false));
    expect(only(s2.changes, 'dropIndex')).toMatchObject({ name: fieldIndexName(dueId) });
    settled(s2.after);
    const s3 = step(d, (p) => (fld(p, 'deal', 'name').unique = true));
    expect(only(s3.changes, 'addIndex')).toMatchObject({
      name: uniqueIndexName(s3.next.objects.get('deal')!.fields.get('name')!.id),
      unique: true,
    });
    const s4 = step(d, (p) => (obj(p, 'deal').indexes = [{ fields: ['due', 'amount'], unique: true }]));
    expect(only(s4.changes, 'addIndex')).toMatchObject({ columns: ['due', 'amount'], unique: true });
    settled(s4.after);
    const s5 = step(s4.after, (p) => (obj(p, 'deal').indexes = []));
    expect(kinds(s5.changes)).toEqual(['dropIndex']);
  });

  it('adds a lookup (column, index, foreign key), changes its delete rule, and drops it', () => {
    const d = deployed(base());
    const s = step(d, (p) => obj(p, 'account').fields.push(field('parent', 'lookup', { target: 'account' })));
    expect(kinds(s.changes)).toEqual(['addColumn', 'addIndex', 'addForeignKey']);
    expect(s.changes[2]).toMatchObject({
      table: 'account',
      column: 'parent',
      refTable: 'account',
      onDelete: 'restrict',
    });
    settled(s.after);
    const s2 = step(s.after, (p) => (fld(p, 'account', 'parent').onDelete = 'set_null'));
    expect(kinds(s2.changes)).toEqual(['dropForeignKey', 'addForeignKey']);
    expect(s2.changes[1]).toMatchObject({ onDelete: 'set_null' });
    settled(s2.after);
    const s3 = step(
      s2.after,
      (p) => (obj(p, 'account').fields = obj(p, 'account').fields.filter((f) => f.name !== 'parent')),
    );
    expect(kinds(s3.changes)).toEqual(['dropForeignKey', 'dropIndex', 'retireColumn']);
    settled(s3.after);
  });

  it('a label, help or layout change plans nothing', () => {
    const d = deployed(base());
    const s = step(d, (p) => {
      obj(p, 'deal').label = l('Deal', '交易');
      fld(p, 'deal', 'notes').help = l('Anything', '任何');
      fld(p, 'deal', 'notes').label = l('Notes', '备注');
      obj(p, 'deal').layout = { sections: [{ fields: ['name', 'notes'] }] };
    });
    expect(s.changes).toEqual([]);
  });

  it('swapping two field names by id is planned without collisions', () => {
    const d = deployed(base());
    const s = step(d, (p) => {
      fld(p, 'deal', 'notes').name = 'tmp_x';
      fld(p, 'deal', 'name').name = 'notes';
      fld(p, 'deal', 'tmp_x').name = 'name';
    });
    // Must be realisable in order: applying it to the catalog model must not collide.
    expect(() => applyToSnapshot(d.snap, s.changes)).not.toThrow();
    settled(s.after);
  });

  it('swapping two object names by id is planned without collisions', () => {
    const d = deployed(base());
    const s = step(d, (p) => {
      obj(p, 'account').name = 'tmp_x';
      obj(p, 'deal').name = 'account';
      obj(p, 'tmp_x').name = 'deal';
      fld(p, 'account', 'account').target = 'deal';
    });
    expect(() => applyToSnapshot(d.snap, s.changes)).not.toThrow();
    expect(s.after.snap.tables.get('account')!.has('amount')).toBe(true);
    expect(s.after.snap.tables.get('deal')!.has('employees')).toBe(true);
    settled(s.after);
  });

  it('orders steps so drops and retirements run before creations', () => {
    const d = deployed(base());
    const s = step(d, (p) => {
      p.objects = p.objects.filter((o) => o.name !== 'deal');
      p.objects.push(
        object('deal', [field('title', 'text')], { id: '11111111-2222-4333-8444-555555555555' }),
      );
    });
    // A new object under a retired one's name: the old table is renamed away first.
    expect(kinds(s.changes)).toEqual([
      'dropForeignKey',
      'dropIndex',
      'dropIndex',
      'retireTable',
      'createTable',
      'addIndex',
    ]);
    settled(s.after);
  });
});
