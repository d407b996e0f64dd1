import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object } from '../helpers/packages.js';

/** Typed layouts checked at deploy, the format version, ids written back, room for process lists. */
function formatPackage(): PackageDef {
  return {
    name: 'format',
    objects: [
      object(
        'project',
        [field('name', 'text', { required: true }), field('code', 'text'), field('budget', 'currency')],
        {
          layout: {
            sections: [{ label: l('Main', '基本'), columns: 2, fields: ['name', 'code', 'owner'] }],
            relatedLists: [
              { object: 'task', field: 'project', columns: ['title', 'done'], sort: '-created_at' },
            ],
            compact: { fields: ['name', 'budget'] },
          },
        },
      ),
      object('task', [
        field('title', 'text', { required: true }),
        field('done', 'boolean'),
        field('project', 'lookup', { target: 'project' }),
      ]),
    ],
  };
}

let te: TestEngine;
let t: TestTenant;
beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(formatPackage(), 'fmt');
});
afterAll(() => te?.close());

const current = async () =>
  (await t.get('/api/v1/meta').expect(200)).body.data as { version: number; package: PackageDef };
const deploy = (pkg: unknown) => t.post('/api/v1/meta/deploy', { package: pkg });
const issues = (r: request.Response) =>
  (r.body.errors as { pointer: string; code: string }[]).map((e) => `${e.pointer} ${e.code}`).sort();

describe('typed layouts', () => {
  it('a layout naming a missing field is refused with the pointer, and nothing changes', async () => {
    const before = await current();
    const pkg = formatPackage();
    pkg.objects[0].layout!.sections![0].fields.push('nope');
    pkg.objects[0].layout!.compact!.fields.push('ghost');
    pkg.objects[0].layout!.relatedLists![0].columns!.push('missing');
    const r = await deploy(pkg);
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(issues(r)).toEqual([
      '/objects/0/layout/compact/fields/2 META_UNKNOWN_FIELD',
      '/objects/0/layout/relatedLists/0/columns/2 META_UNKNOWN_FIELD',
      '/objects/0/layout/sections/0/fields/3 META_UNKNOWN_FIELD',
    ]);
    expect(r.body.errors.find((e: { pointer: string }) => e.pointer.endsWith('fields/3')).message).toBe(
      'Field "nope" does not exist on "project".',
    );
    expect((await current()).version).toBe(before.version);
  });

  it('a layout of the wrong shape, a field placed twice or a related list without a lookup is refused', async () => {
    const pkg = formatPackage();
    const layout = pkg.objects[0].layout as Record<string, unknown>;
    layout.sections = [{ fields: ['name', 'name'] }];
    layout.relatedLists = [{ object: 'task', field: 'title' }];
    const r = await deploy(pkg);
    expect(r.status).toBe(422);
    expect(issues(r)).toEqual([
      '/objects/0/layout/relatedLists/0/field META_RELATED_LIST_VIA',
      '/objects/0/layout/sections/0/fields/1 META_LAYOUT_TWICE',
    ]);
    const shape = formatPackage();
    (shape.objects[0].layout as Record<string, unknown>).tabs = [];
    (shape.objects[0].layout!.sections![0] as Record<string, unknown>).columns = 'two';
    const s = await deploy(shape);
    expect(s.status).toBe(422);
    expect(issues(s)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/objects\/0\/layout/),
        expect.stringMatching(/columns/),
      ]),
    );
  });

  it('renaming a field the layout still names is refused (the next test renames both)', async () => {
    const { package: pkg } = await current();
    const f = pkg.objects[0].fields.find((x) => x.name === 'code')!;
    f.name = 'project_code';
    const r = await deploy(pkg);
    expect(r.status).toBe(422);
    expect(issues(r)).toEqual(['/objects/0/layout/sections/0/fields/1 META_UNKNOWN_FIELD']);
  });
});

describe('formatVersion and ids written back', () => {
  it('a package without formatVersion is version 1; GET /meta returns it with every id the engine assigned', async () => {
    const { package: pkg } = await current();
    expect(pkg.formatVersion).toBe(1);
    for (const o of pkg.objects) {
      expect(o.id).toMatch(/^[0-9a-f-]{36}$/);
      for (const f of o.fields) expect(f.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('a format this engine does not know is refused', async () => {
    const r = await deploy({ ...formatPackage(), formatVersion: 2 });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ pointer: '/formatVersion', code: 'META_FORMAT_VERSION' });
  });

  it('export, rename a field in the JSON, deploy: a rename, and the data is kept', async () => {
    const rec = (await t.post('/api/v1/data/project', { name: 'Apollo', code: 'AP-1' }).expect(201)).body
      .data;
    const exported = JSON.parse(JSON.stringify((await current()).package)) as PackageDef;
    const project = exported.objects.find((o) => o.name === 'project')!;
    project.fields.find((f) => f.name === 'code')!.name = 'project_code';
    project.layout!.sections![0].fields = project.layout!.sections![0].fields.map((n) =>
      n === 'code' ? 'project_code' : n,
    );
    const plan = await t.post('/api/v1/meta/plan', { package: exported });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    const kinds = (plan.body.data.steps as { change: { kind: string } }[]).map((s) => s.change.kind);
    expect(kinds).toContain('renameColumn');
    expect(kinds).not.toContain('retireColumn');
    const r = await deploy(exported);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const got = (await t.get(`/api/v1/data/project/${rec.id}`).expect(200)).body.data;
    expect(got.project_code).toBe('AP-1');
    expect(got.code).toBeUndefined();
  });
});

describe('room for process features', () => {
  it('businessTypes, pipelines, approvalFlows, automations and pools deploy and come back', async () => {
    const { package: pkg } = await current();
    const next = {
      ...pkg,
      businessTypes: [{ name: 'internal', object: 'project', label: l('Internal', '内部') }],
      // pipelines (tests/integration/stages.test.ts) and approval flows are real now: a minimal flow
      approvalFlows: [
        {
          name: 'big_budget',
          object: 'project',
          label: l('Big budget', '大预算'),
          steps: [{ name: 'manager', label: l('Manager', '上级'), approvers: [{ kind: 'manager' }] }],
        },
      ],
      automations: [{ name: 'remind_owner', object: 'task' }],
      pools: [{ name: 'unassigned', object: 'task' }],
    };
    const r = await deploy(next);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const back = (await current()).package;
    expect(back.businessTypes).toEqual([
      { name: 'internal', object: 'project', label: l('Internal', '内部') },
    ]);
    expect(back.approvalFlows?.map((f) => f.name)).toEqual(['big_budget']);
    expect(back.pools).toEqual([{ name: 'unassigned', object: 'task' }]);
  });

  it('need a name (the shape is checked first)', async () => {
    const { package: pkg } = await current();
    const r = await deploy({
      ...pkg,
      automations: [
        { name: 'a', object: 'nope' },
        { name: 'a', object: 'project' },
      ],
      pools: [{ object: 'task' }],
    });
    expect(r.status).toBe(422);
    expect(issues(r)).toEqual(['/pools/0/name REQUIRED']);
  });

  it('are checked for objects and duplicates once the shape is right', async () => {
    const { package: pkg } = await current();
    const r = await deploy({
      ...pkg,
      automations: [
        { name: 'a', object: 'nope' },
        { name: 'a', object: 'project' },
      ],
    });
    expect(r.status).toBe(422);
    expect(issues(r)).toEqual([
      '/automations/0/object META_UNKNOWN_TARGET',
      '/automations/1/name META_DUPLICATE_NAME',
    ]);
  });
});
