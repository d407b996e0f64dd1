import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalApprovedGateItem } from '../../engine/src/processes/approvals/gate-item.js';
import { dbRoleOf } from '../../engine/src/tenancy/tenants.js';
import { approvalPackage, makeUsers, type As } from '../helpers/approvals.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';

/** The `approval_approved` gate item on its own, then as a stage gate through the API. */
let te: TestEngine;
let admin: TestTenant;
let as: Record<string, As>;
let ids: Record<string, string>;

beforeAll(async () => {
  te = await startEngine();
  admin = await te.tenant({ ...approvalPackage(), approvalFlows: [], queues: [] }, 'gate');
  ({ as, ids } = await makeUsers(te, admin, {
    rep1: ['rep', 'rep'],
    mgr: ['region_manager', 'rep'],
    finance1: ['staff', 'rep'],
    legal1: ['staff', 'rep'],
  }));
  expect((await admin.post('/api/v1/meta/deploy', { package: approvalPackage() })).status).toBe(201);
});
afterAll(() => te?.close());

async function evaluate(
  recordId: string,
  since: Date | null,
  def = { kind: 'approval_approved', flow: 'auth' },
) {
  const tenant = (await te.engine.tenants.findBySlug('gate'))!;
  const model = await te.engine.models.get(tenant.id);
  const object = model.objects.get('auth_request')!;
  const item = approvalApprovedGateItem.compile(def, 'contract_approved', model, object);
  return te.engine.db.tenant.read(dbRoleOf(tenant), (db) =>
    item.evaluate({ db, schema: tenant.schema, object, recordId, since, lock: false }),
  );
}

describe('gate item approval_approved', () => {
  it('is met once the record’s approval is approved, since the stage was entered', async () => {
    const c = await as.rep1('post', '/api/v1/data/auth_request', {
      name: 'G',
      reviewer: ids.mgr,
      level: 'basic',
      amount: 1,
    });
    const id = c.body.data.id as string;
    expect(await evaluate(id, null)).toMatchObject({
      met: false,
      code: 'GATE_APPROVAL_NEEDED',
      details: { status: null },
    });
    const s = await as.rep1('post', `/api/v1/data/auth_request/${id}/approvals`, {});
    expect((await evaluate(id, null)).details).toMatchObject({
      status: 'pending',
      requestId: s.body.data.id,
    });
    await as.mgr('post', `/api/v1/approvals/${s.body.data.id}/decisions`, { action: 'approve' });
    expect(await evaluate(id, new Date(Date.now() - 3_600_000))).toMatchObject({
      met: true,
      code: 'GATE_APPROVAL_APPROVED',
    });
    // approved before the record entered its stage: not for this stage, unless `since: ever`
    const later = new Date(Date.now() + 60_000);
    expect((await evaluate(id, later)).met).toBe(false);
    expect(
      (await evaluate(id, later, { kind: 'approval_approved', flow: 'auth', since: 'ever' } as never)).met,
    ).toBe(true);
  });

  it('checks at deploy that the flow exists for the object', () => {
    const pkg = approvalPackage();
    const object = pkg.objects.find((o) => o.name === 'auth_request')!;
    expect(
      approvalApprovedGateItem.checkAtDeploy(
        { kind: 'approval_approved', flow: 'nope' },
        { pkg, object, pointer: '/p' },
      ),
    ).toEqual([expect.objectContaining({ pointer: '/p/flow', code: 'APPROVAL_FLOW_NOT_FOUND' })]);
    expect(
      approvalApprovedGateItem.checkAtDeploy(
        { kind: 'approval_approved', flow: 'auth' },
        { pkg, object, pointer: '/p' },
      ),
    ).toEqual([]);
  });
});

describe('as a stage gate', () => {
  it('refuses the stage move until the approval is approved since the record entered its stage', async () => {
    const pkg = approvalPackage();
    const o = pkg.objects.find((x) => x.name === 'auth_request')!;
    o.fields.push({
      name: 'stage',
      label: { en: 'Stage', 'zh-CN': '阶段' },
      type: 'picklist',
      default: 'draft',
      options: [
        { value: 'draft', label: { en: 'Draft', 'zh-CN': '草稿' }, order: 1 },
        { value: 'signing', label: { en: 'Signing', 'zh-CN': '合同签订' }, order: 2 },
      ],
    });
    pkg.pipelines = [
      {
        name: 'main',
        object: 'auth_request',
        label: { en: 'Main', 'zh-CN': '主流程' },
        field: 'stage',
        stages: [
          { value: 'draft', probability: 10 },
          {
            value: 'signing',
            probability: 90,
            gate: [{ kind: 'approval_approved', name: 'approved', flow: 'auth' }],
          },
        ],
      },
    ] as never;
    const d = await admin.post('/api/v1/meta/deploy', { package: pkg });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    const c = await as.rep1('post', '/api/v1/data/auth_request', {
      name: 'Gate',
      reviewer: ids.mgr,
      level: 'basic',
      amount: 1,
    });
    const id = c.body.data.id as string;
    const move = () => as.rep1('patch', `/api/v1/data/auth_request/${id}`, { stage: 'signing' });
    const refused = await move();
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('STAGE_GATE');
    expect(refused.body.errors.map((e: { code: string }) => e.code)).toContain('GATE_APPROVAL_NEEDED');
    const s = await as.rep1('post', `/api/v1/data/auth_request/${id}/approvals`, {});
    await as.mgr('post', `/api/v1/approvals/${s.body.data.id}/decisions`, { action: 'approve' });
    const ok = await move();
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.data.stage).toBe('signing');
    // a gate naming a flow the object does not have is refused at deploy
    (pkg.pipelines as unknown as { stages: { gate?: { flow?: string }[] }[] }[])[0].stages[1].gate![0].flow =
      'nope';
    const bad = await admin.post('/api/v1/meta/deploy', { package: pkg });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({
      pointer: '/pipelines/0/stages/1/gate/0/flow',
      code: 'APPROVAL_FLOW_NOT_FOUND',
    });
  });
});
