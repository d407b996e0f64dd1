import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import type { ObjectDef, PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts } from '../helpers/packages.js';
import { currentMeta, deploy, rows, schemaState } from '../fixtures/meta.js';

/**
 * What a user previews is what is applied (issue 10 item 10), a deploy that hides data needs
 * consent (item 9), and the plan warns about required fields a creating profile cannot edit
 * (item 7).
 */
function basePackage(): PackageDef {
  return {
    name: 'plan-test',
    objects: [
      object('item', [
        field('name', 'text', { required: true }),
        field('notes', 'text'),
        field('tags', 'multi_picklist', { options: opts('a', 'b') }),
        field('spare', 'text'),
        field('empty', 'text'),
      ]),
      object('tag', [field('label', 'text'), field('item', 'lookup', { target: 'item' })]),
    ],
    profiles: [
      {
        name: 'clerk',
        label: l('Clerk', '文员'),
        objects: { item: { create: true, read: true, edit: true } },
        fields: { item: { spare: 'read' } },
      },
    ],
  };
}

/** A new object with lookups, a unique field and a composite index: everything that mints names. */
const visit = (): ObjectDef =>
  object(
    'visit',
    [
      field('subject', 'text', { required: true }),
      field('code', 'text', { unique: true }),
      field('item', 'lookup', { target: 'item', onDelete: 'set_null' }),
      field('day', 'date'),
    ],
    { indexes: [{ fields: ['item', 'day'] }] },
  );

let te: TestEngine;
let n = 0;
const fresh = () => te.tenant(basePackage(), `dp${++n}`);
const ok = (r: request.Response, status = 201) => expect(r.status, JSON.stringify(r.body)).toBe(status);
const plan = (t: TestTenant, pkg: unknown, extra: Record<string, unknown> = {}) =>
  t.post('/api/v1/meta/plan', { package: pkg, ...extra });

beforeAll(async () => {
  te = await startEngine();
});
afterAll(() => te?.close());

/** Everything a refused deploy must leave alone. */
async function state(t: TestTenant) {
  const meta = await currentMeta(t);
  return {
    version: meta.version,
    pkg: meta.package,
    schema: await schemaState(te, t),
    items: await rows(te, t, 'item'),
  };
}

describe('the plan previewed is the plan that runs', () => {
  it('a dry run and the deploy of the same body have the same ids, names, SQL and hashes', async () => {
    const t = await fresh();
    const body = { ...basePackage(), objects: [...basePackage().objects, visit()] };
    const preview = await plan(t, body);
    ok(preview, 200);
    const again = await plan(t, body);
    ok(again, 200);
    const applied = await deploy(t, body, { expectPlan: preview.body.data.planHash });
    ok(applied);
    for (const r of [again, applied]) {
      expect(r.body.data.steps).toEqual(preview.body.data.steps);
      expect(r.body.data.hash).toBe(preview.body.data.hash);
      expect(r.body.data.planHash).toBe(preview.body.data.planHash);
    }
    const kinds = (preview.body.data.steps as { change: { kind: string } }[]).map((s) => s.change.kind);
    expect(kinds).toEqual(expect.arrayContaining(['createTable', 'addIndex', 'addForeignKey']));
    // The ids the preview promised are the ids now deployed, and the names in the catalog derive from them.
    const visitDef = (await currentMeta(t)).package.objects.find((o) => o.name === 'visit')!;
    const created = (preview.body.data.steps as { change: { kind: string; objectId?: string } }[]).find(
      (s) => s.change.kind === 'createTable',
    )!;
    expect(created.change.objectId).toBe(visitDef.id);
    const fkNames = (await schemaState(te, t)).foreignKeys.map(([name]) => name);
    const planned = (preview.body.data.steps as { change: { kind: string; name?: string } }[])
      .filter((s) => s.change.kind === 'addForeignKey')
      .map((s) => s.change.name);
    expect(fkNames).toEqual(expect.arrayContaining(planned));
  });

  it('refuses a deploy with a stale plan hash after someone else deployed, and changes nothing', async () => {
    const t = await fresh();
    const mine = { ...basePackage(), objects: [...basePackage().objects, visit()] };
    const preview = await plan(t, mine);
    ok(preview, 200);
    // Meanwhile someone adds a field to item.
    const theirs = basePackage();
    theirs.objects[0].fields.push(field('colour', 'text'));
    ok(await deploy(t, theirs));
    const before = await state(t);
    for (const lang of ['en', 'zh-CN']) {
      const r = await deploy(t, mine, { expectPlan: preview.body.data.planHash }).set(
        'Accept-Language',
        lang,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.code).toBe('PLAN_CHANGED');
      expect(r.body.planHash).not.toBe(preview.body.data.planHash);
      expect(r.body.detail).toMatch(lang === 'en' ? /plan again/ : /重新生成计划/);
    }
    expect(await state(t)).toEqual(before);
  });

  it('deploys when nothing changed in between, with or without the hash', async () => {
    const t = await fresh();
    const body = basePackage();
    body.objects[0].fields.push(field('size', 'integer', { indexed: true }));
    const preview = await plan(t, body);
    ok(preview, 200);
    const r = await deploy(t, body, { expectPlan: preview.body.data.planHash });
    ok(r);
    expect(r.body.data.planHash).toBe(preview.body.data.planHash);
  });

  it('refuses a malformed expectPlan', async () => {
    const t = await fresh();
    const r = await deploy(t, basePackage(), { expectPlan: 'nope' });
    expect(r.status).toBe(400);
  });
});

describe('a deploy that hides data needs consent', () => {
  /** PUT /meta/objects/item with the fields given (the studio's object editor does this). */
  const putItem = async (t: TestTenant, keep: string[], extra: Record<string, unknown> = {}, query = '') => {
    const item = (await currentMeta(t)).package.objects.find((o) => o.name === 'item')!;
    return t.put(`/api/v1/meta/objects/item${query}`, {
      ...item,
      fields: item.fields.filter((f) => keep.includes(f.name)),
      ...extra,
    });
  };

  it('lists every retired field with the rows holding a value, and refuses without confirmation in both languages', async () => {
    const t = await fresh();
    const seeded = await t.post('/api/v1/data/item/batch', {
      records: [
        { name: 'a', notes: 'one', tags: ['a'] },
        { name: 'b', notes: 'two', tags: [] },
        { name: 'c' },
      ],
    });
    ok(seeded, 200);
    const keep = ['name', 'spare'];
    const preview = await putItem(t, keep, {}, '?dryRun=true');
    ok(preview, 200);
    const retired = preview.body.data.retired as {
      confirm: string;
      rows: number;
      needsConfirmation: boolean;
    }[];
    expect(retired.map((r) => [r.confirm, r.rows, r.needsConfirmation])).toEqual([
      ['retire:item.notes', 2, true],
      ['retire:item.tags', 1, true],
      ['retire:item.empty', 0, false],
    ]);

    const before = await state(t);
    for (const lang of ['en', 'zh-CN']) {
      const r = await putItem(t, keep, {}, `?locale=${lang}`);
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.code).toBe('CONFIRMATION_REQUIRED');
      expect(r.body.missing).toEqual(['retire:item.notes', 'retire:item.tags']);
      expect(r.body.errors.map((e: { code: string }) => e.code)).toEqual([
        'RETIRE_FIELD_HAS_DATA',
        'RETIRE_FIELD_HAS_DATA',
      ]);
      const first = r.body.errors[0].message as string;
      expect(first).toContain(lang === 'en' ? 'hides its values in 2 record(s)' : '隐藏 2 条记录中的值');
      expect(first).toContain('retire:item.notes');
    }
    // One confirmation of two is not enough.
    const half = await putItem(t, keep, { confirm: ['retire:item.notes'] });
    expect(half.status).toBe(409);
    expect(half.body.missing).toEqual(['retire:item.tags']);
    expect(await state(t)).toEqual(before);

    const done = await putItem(t, keep, { confirm: ['retire:item.notes', 'retire:item.tags'] });
    ok(done);
    expect(done.body.data.retired.map((r: { confirmed: boolean }) => r.confirmed)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('retiring fields that hold no value needs no confirmation', async () => {
    const t = await fresh();
    ok(await t.post('/api/v1/data/item', { name: 'a', tags: [] }));
    ok(await putItem(t, ['name', 'notes', 'spare']));
  });

  it('removing an object with records needs "retire:<object>"; a rollback that retires fields needs it too', async () => {
    const t = await fresh();
    const item = await t.post('/api/v1/data/item', { name: 'a' });
    ok(item);
    ok(await t.post('/api/v1/data/tag', { label: 'x', item: item.body.data.id }));
    const del = await t.del('/api/v1/meta/objects/tag');
    expect(del.status, JSON.stringify(del.body)).toBe(409);
    expect(del.body.missing).toEqual(['retire:tag']);
    expect(del.body.errors[0].code).toBe('RETIRE_OBJECT_HAS_DATA');
    ok(await t.del('/api/v1/meta/objects/tag').send({ confirm: ['retire:tag'] }));

    // Version 1 has no "colour": rolling back to it hides the colours written since.
    const v = (await currentMeta(t)).version;
    const withColour = (await currentMeta(t)).package;
    withColour.objects[0].fields.push(field('colour', 'text'));
    ok(await deploy(t, withColour));
    ok(await t.patch(`/api/v1/data/item/${item.body.data.id}`, { colour: 'red' }), 200);
    const back = await t.post(`/api/v1/meta/rollback/${v}`, {});
    expect(back.status, JSON.stringify(back.body)).toBe(409);
    expect(back.body.missing).toEqual(['retire:item.colour']);
    ok(await t.post(`/api/v1/meta/rollback/${v}`, { confirm: ['retire:item.colour'] }));
  });

  it('refuses a malformed confirm list', async () => {
    const t = await fresh();
    for (const confirm of ['retire:item.notes', [1], ['drop:item'], ['retire:Item.x']]) {
      const r = await deploy(t, basePackage(), { confirm });
      expect(r.status, JSON.stringify(confirm)).toBe(400);
    }
  });
});

describe('plan warnings', () => {
  it('warns about a required field a profile with create access cannot edit, in both languages', async () => {
    const t = await fresh();
    const body = basePackage();
    body.objects[0].fields[3].required = true; // spare: the clerk may only read it
    const warningsOf = async (pkg: PackageDef, lang: string) => {
      const r = await plan(t, pkg).set('Accept-Language', lang);
      ok(r, 200);
      return r.body.data.warnings as {
        pointer: string;
        code: string;
        message: string;
        detail: { profiles: string[] };
      }[];
    };
    const en = await warningsOf(body, 'en');
    expect(en).toEqual([
      {
        pointer: '/objects/0/fields/3/required',
        code: 'REQUIRED_NOT_EDITABLE',
        message: expect.stringContaining('“Clerk”'),
        detail: { object: 'item', field: 'spare', profiles: ['clerk'] },
      },
    ]);
    const zh = await warningsOf(body, 'zh-CN');
    expect(zh[0].message).toContain('“文员”');
    expect(zh[0].message).toMatch(/必填/);
    // The deploy goes through and says the same.
    const applied = await deploy(t, body);
    ok(applied);
    expect(applied.body.data.warnings.map((w: { code: string }) => w.code)).toEqual([
      'REQUIRED_NOT_EDITABLE',
    ]);

    // Conditionally required: warned too; with a default the creates succeed, so no warning.
    const cond = basePackage();
    cond.objects[0].fields[3].requiredIf = { '==': [{ var: 'name' }, 'x'] };
    expect((await warningsOf(cond, 'en')).map((w) => w.code)).toEqual(['REQUIRED_IF_NOT_EDITABLE']);
    const withDefault = basePackage();
    Object.assign(withDefault.objects[0].fields[3], { required: true, default: 'n/a' });
    expect(await warningsOf(withDefault, 'en')).toEqual([]);
    expect(await warningsOf(basePackage(), 'en')).toEqual([]);
  });
});
