import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalFlowDef } from '../../engine/src/core/approval-model.js';
import { approvalPackage, makeUsers, type As } from '../helpers/approvals.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';

/**
 * The flow editor's "try on a record" with an undeployed draft: the draft replaces the deployed
 * flow for that preview only, is checked as a deploy would check it (pointers into the body), and
 * a brand-new flow can be tried before its first deploy. Nothing is stored.
 */
let te: TestEngine;
let admin: TestTenant;
let as: Record<string, As>;
let ids: Record<string, string>;
let basic = '';
const auth = () => approvalPackage().approvalFlows![0];

beforeAll(async () => {
  te = await startEngine();
  admin = await te.tenant({ ...approvalPackage(), approvalFlows: [], queues: [] }, 'draftpv');
  ({ as, ids } = await makeUsers(te, admin, {
    rep1: ['rep', 'rep'],
    mgr: ['region_manager', 'rep'],
    finance1: ['staff', 'rep'],
    legal1: ['staff', 'rep'],
    boss: ['director', 'rep'],
  }));
  const d = await admin.post('/api/v1/meta/deploy', { package: approvalPackage() });
  expect(d.status, JSON.stringify(d.body)).toBe(201);
  const r = await as.rep1('post', '/api/v1/data/auth_request', {
    name: 'R',
    level: 'basic',
    amount: 20000,
    reviewer: ids.mgr,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  basic = r.body.data.id as string;
});
afterAll(() => te?.close());

const preview = (name: string, body: object) =>
  admin.post(`/api/v1/meta/approval-flows/${name}/preview`, { recordId: basic, ...body });
const route = (steps: { name: string; skipped: boolean }[]) => steps.map((s) => [s.name, s.skipped]);

describe('preview of a draft flow', () => {
  it('routes the record by the draft, not the deployed flow, and stores nothing', async () => {
    const version = (await admin.get('/api/v1/meta')).body.data.version as number;
    const deployed = await preview('auth', {});
    expect(route(deployed.body.data.steps)).toEqual([
      ['review', false],
      ['finance_legal', true],
      ['director', false],
    ]);
    // The draft drops the skip of finance and legal, and the director step goes first.
    const f = auth();
    const draft: ApprovalFlowDef = {
      ...f,
      steps: [f.steps[2], { ...f.steps[1], skipIf: undefined }, f.steps[0]],
    };
    const r = await preview('auth', { flow: JSON.parse(JSON.stringify(draft)) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(route(r.body.data.steps)).toEqual([
      ['director', false],
      ['finance_legal', false],
      ['review', false],
    ]);
    expect(r.body.data.steps[0].approvers).toEqual([{ id: ids.boss, name: 'boss name' }]);
    expect((await admin.get('/api/v1/meta')).body.data.version).toBe(version);
    expect((await preview('auth', {})).body.data.steps[0].name).toBe('review');
  });

  it('tries a flow that was never deployed', async () => {
    const draft: ApprovalFlowDef = {
      name: 'fresh',
      label: { en: 'Fresh', 'zh-CN': '新流程' },
      object: 'auth_request',
      priority: 1,
      steps: [
        {
          name: 'only',
          label: { en: 'Only', 'zh-CN': '唯一' },
          approvers: [{ kind: 'role', role: 'director' }],
        },
      ],
    };
    const r = await preview('fresh', { flow: draft });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data.applies).toBe(true);
    // With the lowest priority it is the flow a submit would start.
    expect(r.body.data.chosenFlow).toBe('fresh');
    expect(r.body.data.steps[0].approvers).toEqual([{ id: ids.boss, name: 'boss name' }]);
  });

  it('refuses a draft a deploy would refuse, with pointers into the body', async () => {
    const f = auth();
    const bad = { ...f, steps: [{ ...f.steps[0], approvers: [{ kind: 'role', role: 'nobody_here' }] }] };
    const r = await preview('auth', { flow: bad });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('METADATA_INVALID');
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({ pointer: '/flow/steps/0/approvers/0/role', code: 'APPROVAL_UNKNOWN_ROLE' }),
    );
    const shape = await preview('auth', { flow: { ...f, steps: [] } });
    expect(shape.status).toBe(422);
    expect((shape.body.errors as { pointer: string }[]).some((e) => e.pointer.startsWith('/flow'))).toBe(
      true,
    );
    // The draft must be the flow the path names.
    const other = await preview('auth', { flow: { ...f, name: 'other' } });
    expect(other.status).toBe(400);
    expect(other.body.detail).toContain('"flow"');
  });
});
