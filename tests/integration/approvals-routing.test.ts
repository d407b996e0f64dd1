import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { approvalPackage, makeUsers, type As } from '../helpers/approvals.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { l } from '../helpers/packages.js';
import { ALLOW_ALL } from '../../engine/src/records/access.js';
import { dbRoleOf } from '../../engine/src/tenancy/tenants.js';
import type { EscalationJob } from '../../engine/src/processes/approvals/escalation.js';

let te: TestEngine;
let admin: TestTenant;
let as: Record<string, As>;
let ids: Record<string, string>;

/** Flows that exercise each approver kind and mode, one step each (selected by `flow`). */
function routingPackage(): PackageDef {
  const pkg = approvalPackage();
  const step = (approvers: object[], extra: object = {}) => [
    { name: 's', label: l('S'), approvers, ...extra },
  ];
  pkg.objects.push({
    name: 'quote',
    label: l('Quote', '报价'),
    pluralLabel: l('Quotes', '报价'),
    fields: [
      { name: 'name', label: l('Name'), type: 'text', required: true },
      { name: 'discount', label: l('Discount'), type: 'number', precision: 5, scale: 2 },
      { name: 'reviewer', label: l('Reviewer'), type: 'user' },
      { name: 'approval_status', label: l('Approval'), type: 'text' },
    ],
  });
  pkg.profiles![0].objects!.quote = { create: true, read: true, edit: true };
  pkg.approvalFlows = [
    ...pkg.approvalFlows!,
    {
      name: 'big_discount',
      label: l('Big discount', '大折扣'),
      object: 'quote',
      start: { on: 'condition', condition: { '>': [{ var: 'discount' }, 20] } },
      statusField: 'approval_status',
      lock: { mode: 'fields', fields: ['discount'] },
      steps: [{ name: 'sd', label: l('Sales director'), approvers: [{ kind: 'field', field: 'reviewer' }] }],
    },
    {
      name: 'mgr1',
      label: l('Manager'),
      object: 'auth_request',
      priority: 200,
      steps: step([{ kind: 'manager' }]) as never,
    },
    {
      name: 'mgr2',
      label: l('Manager 2'),
      object: 'auth_request',
      priority: 200,
      steps: step([{ kind: 'manager', levels: 2 }]) as never,
    },
    {
      name: 'pm',
      label: l('PM'),
      object: 'auth_request',
      priority: 200,
      steps: step([{ kind: 'related_field', path: ['product_line', 'product_manager'] }]) as never,
    },
    {
      name: 'prof',
      label: l('Profile'),
      object: 'auth_request',
      priority: 200,
      steps: step([{ kind: 'profile', profile: 'rep' }], { allowSelfApproval: true }) as never,
    },
    {
      name: 'first',
      label: l('First'),
      object: 'auth_request',
      priority: 200,
      steps: step([{ kind: 'user', users: ['finance1', 'legal1'] }], { mode: 'first' }) as never,
    },
    {
      name: 'any',
      label: l('Any'),
      object: 'auth_request',
      priority: 200,
      steps: step([{ kind: 'user', users: ['finance1', 'legal1'] }]) as never,
    },
    {
      name: 'due_notify',
      label: l('Due notify'),
      object: 'auth_request',
      priority: 200,
      steps: step([{ kind: 'user', users: ['finance1'] }], {
        dueHours: 2,
        escalation: { action: 'notify' },
      }) as never,
    },
    {
      name: 'due_reassign',
      label: l('Due reassign'),
      object: 'auth_request',
      priority: 200,
      steps: step([{ kind: 'user', users: ['finance1'] }], {
        dueHours: 1,
        escalation: { action: 'reassign_to_manager' },
      }) as never,
    },
    {
      name: 'many',
      label: l('Many'),
      object: 'auth_request',
      priority: 200,
      steps: step([{ kind: 'role', role: 'staff' }], { mode: 'first' }) as never,
    },
  ];
  return pkg;
}

beforeAll(async () => {
  te = await startEngine();
  admin = await te.tenant({ ...approvalPackage(), approvalFlows: [], queues: [] }, 'routing');
  ({ as, ids } = await makeUsers(te, admin, {
    rep1: ['rep', 'rep'],
    mgr: ['region_manager', 'rep'],
    mgr_b: ['region_manager', 'rep'],
    boss: ['director', 'rep'],
    finance1: ['staff', 'rep'],
    legal1: ['staff', 'rep'],
    pm: ['staff', 'rep'],
  }));
  const r = await admin.post('/api/v1/meta/deploy', { package: routingPackage() });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
});
afterAll(() => te?.close());

const setManager = (user: string, manager: string | null) =>
  te.engine.db.knex
    .withSchema(admin.schema)
    .table('_users')
    .where('id', ids[user])
    .update({ manager: manager && ids[manager] });

async function submitFlow(flow: string, data: Record<string, unknown> = {}, by = 'rep1') {
  const c = await as[by]('post', '/api/v1/data/auth_request', { name: flow, ...data });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const s = await as[by]('post', `/api/v1/data/auth_request/${c.body.data.id}/approvals`, { flow });
  return s;
}
const approverIds = (r: { body: { data: { approvers: { id: string; status: string }[] } } }) =>
  r.body.data.approvers
    .filter((a) => a.status === 'pending')
    .map((a) => a.id)
    .sort();

describe('approver kinds', () => {
  it("owner's manager: the user's manager, else every user of the parent role; n levels up", async () => {
    // no manager set: rep1's role rep → parent region_manager → both region managers
    let s = await submitFlow('mgr1');
    expect(approverIds(s)).toEqual([ids.mgr, ids.mgr_b].sort());
    await setManager('rep1', 'mgr');
    s = await submitFlow('mgr1');
    expect(approverIds(s)).toEqual([ids.mgr]);
    // two levels: mgr has no manager → region_manager's parent role director → boss
    s = await submitFlow('mgr2');
    expect(approverIds(s)).toEqual([ids.boss]);
    await setManager('mgr', 'legal1');
    s = await submitFlow('mgr2');
    expect(approverIds(s)).toEqual([ids.legal1]);
    await setManager('mgr', null);
    await setManager('rep1', null);
  });

  it('a user field on a related record (the product line’s product manager)', async () => {
    const pl = await admin.post('/api/v1/data/product_line', { name: 'Line', product_manager: ids.pm });
    const s = await submitFlow('pm', { product_line: pl.body.data.id });
    expect(approverIds(s)).toEqual([ids.pm]);
    // no product line: no approver, nothing changed (no request, no lock)
    const c = await as.rep1('post', '/api/v1/data/auth_request', { name: 'none' });
    const s2 = await as.rep1('post', `/api/v1/data/auth_request/${c.body.data.id}/approvals`, { flow: 'pm' });
    expect(s2.status).toBe(422);
    expect(s2.body.code).toBe('APPROVAL_NO_APPROVERS');
    expect(
      (await as.rep1('get', `/api/v1/data/auth_request/${c.body.data.id}/approvals`)).body.data.rounds,
    ).toEqual([]);
    expect(
      (await as.rep1('patch', `/api/v1/data/auth_request/${c.body.data.id}`, { notes: 'free' })).status,
    ).toBe(200);
  });

  it('users with a profile, the submitter included when the step allows self-approval', async () => {
    const s = await submitFlow('prof');
    expect(approverIds(s)).toContain(ids.rep1);
    const r = await as.rep1('post', `/api/v1/approvals/${s.body.data.id}/decisions`, { action: 'approve' });
    expect(r.body.data.status).toBe('approved');
  });
});

describe('modes', () => {
  it('first response: a rejection decides at once', async () => {
    const s = await submitFlow('first');
    const r = await as.legal1('post', `/api/v1/approvals/${s.body.data.id}/decisions`, { action: 'reject' });
    expect(r.body.data.status).toBe('rejected');
    expect(
      (await as.finance1('post', `/api/v1/approvals/${s.body.data.id}/decisions`, { action: 'approve' }))
        .status,
    ).toBe(409);
  });

  it('any: one rejection leaves the other to decide; one approval decides', async () => {
    const s = await submitFlow('any');
    const r1 = await as.legal1('post', `/api/v1/approvals/${s.body.data.id}/decisions`, { action: 'reject' });
    expect(r1.body.data.status).toBe('pending');
    const r2 = await as.finance1('post', `/api/v1/approvals/${s.body.data.id}/decisions`, {
      action: 'approve',
    });
    expect(r2.body.data.status).toBe('approved');
    // both rejecting rejects
    const s2 = await submitFlow('any');
    await as.legal1('post', `/api/v1/approvals/${s2.body.data.id}/decisions`, { action: 'reject' });
    const r3 = await as.finance1('post', `/api/v1/approvals/${s2.body.data.id}/decisions`, {
      action: 'reject',
    });
    expect(r3.body.data.status).toBe('rejected');
  });
});

describe('races', () => {
  it('50 concurrent decisions on one step: exactly one outcome, the others a clear 409', async () => {
    const s = await submitFlow('many');
    expect(s.status).toBe(201);
    const id = s.body.data.id as string;
    const staff = ['finance1', 'legal1', 'pm'];
    const calls = Array.from({ length: 50 }, (_, i) =>
      as[staff[i % 3]]('post', `/api/v1/approvals/${id}/decisions`, {
        action: i % 2 ? 'approve' : 'reject',
        comment: `call ${i}`,
      }).then((r) => r),
    );
    const results = await Promise.all(calls);
    const ok = results.filter((r) => r.status === 200);
    const conflicts = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(49);
    expect(new Set(conflicts.map((r) => r.body.code))).toEqual(
      new Set(
        conflicts
          .map((r) => r.body.code)
          .filter((c) => c === 'APPROVAL_NOT_PENDING' || c === 'APPROVAL_ALREADY_DECIDED'),
      ),
    );
    const final = (await as.rep1('get', `/api/v1/approvals/${id}`)).body.data;
    expect(final.status).toBe(ok[0].body.data.status);
    const decisions = final.decisions.filter(
      (d: { action: string }) => d.action === 'approve' || d.action === 'reject',
    );
    expect(decisions).toHaveLength(1);
  });
});

describe('flows that start themselves', () => {
  it('starts when the condition turns true (on create or update), not while it stays true; locks only the listed fields', async () => {
    const q = await as.rep1('post', '/api/v1/data/quote', { name: 'Q', discount: 10, reviewer: ids.boss });
    expect(q.status).toBe(201);
    const id = q.body.data.id as string;
    expect((await as.rep1('get', `/api/v1/data/quote/${id}/approvals`)).body.data.status).toBeNull();
    expect((await as.rep1('patch', `/api/v1/data/quote/${id}`, { discount: 30 })).status).toBe(200);
    const state = (await as.rep1('get', `/api/v1/data/quote/${id}/approvals`)).body.data;
    expect(state.status).toBe('pending');
    expect(state.rounds[0].submitter.id).toBe(ids.rep1);
    expect((await as.rep1('get', `/api/v1/data/quote/${id}`)).body.data.approval_status).toBe('pending');
    // only the discount is locked, and the record's approval state says so
    expect(state.lock).toEqual({ mode: 'fields', fields: ['discount'], exempt: false });
    expect((await as.rep1('patch', `/api/v1/data/quote/${id}`, { discount: 5 })).status).toBe(423);
    expect((await as.rep1('patch', `/api/v1/data/quote/${id}`, { name: 'Q2' })).status).toBe(200);
    await as.boss('post', `/api/v1/approvals/${state.current.requestId}/decisions`, { action: 'approve' });
    expect((await as.rep1('patch', `/api/v1/data/quote/${id}`, { discount: 40 })).status).toBe(200);
    expect((await as.rep1('get', `/api/v1/data/quote/${id}/approvals`)).body.data.rounds).toHaveLength(1);
    // created above the threshold: starts at once
    const q2 = await as.rep1('post', '/api/v1/data/quote', { name: 'Q3', discount: 50, reviewer: ids.boss });
    expect((await as.rep1('get', `/api/v1/data/quote/${q2.body.data.id}/approvals`)).body.data.status).toBe(
      'pending',
    );
  });
});

describe('escalation of overdue steps', () => {
  async function systemScope() {
    const tenant = (await te.engine.tenants.findBySlug('routing'))!;
    return {
      tenantId: tenant.id,
      schema: tenant.schema,
      actor: '00000000-0000-0000-0000-000000000000',
      model: await te.engine.models.get(tenant.id),
      access: ALLOW_ALL,
      dbRole: dbRoleOf(tenant),
    };
  }
  const overdue = (requestId: string) =>
    te.engine.db.knex
      .withSchema(admin.schema)
      .table('_approval_requests')
      .where('id', requestId)
      .update({ step_due_at: new Date(Date.now() - 60_000) });

  it('schedules the step when it is entered, notifies once it is due, once', async () => {
    const scheduled: { job: EscalationJob; runAt: Date }[] = [];
    te.engine.approvals.setScheduler(async (_t, job, runAt) => void scheduled.push({ job, runAt }));
    const s = await submitFlow('due_notify');
    const id = s.body.data.id as string;
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0].job).toEqual({ requestId: id, stepSeq: 1 });
    expect(scheduled[0].runAt.getTime() - Date.now()).toBeGreaterThan(7_000_000);
    const scope = await systemScope();
    // not due yet: nothing
    expect(await te.engine.approvals.escalate(scope, scheduled[0].job)).toBe(false);
    await overdue(id);
    expect(await te.engine.approvals.escalate(scope, scheduled[0].job)).toBe(true);
    expect(await te.engine.approvals.escalate(scope, scheduled[0].job)).toBe(false);
    const n = (await as.finance1('get', '/api/v1/notifications?limit=100')).body.data as {
      kind: string;
      link: { requestId: string };
    }[];
    expect(n.filter((x) => x.kind === 'approval_overdue' && x.link.requestId === id)).toHaveLength(1);
    const sub = (await as.rep1('get', '/api/v1/notifications?limit=100')).body.data as {
      kind: string;
      link: { requestId: string };
    }[];
    expect(sub.some((x) => x.kind === 'approval_overdue' && x.link.requestId === id)).toBe(true);
    // a decided request is not escalated
    await as.finance1('post', `/api/v1/approvals/${id}/decisions`, { action: 'approve' });
    expect(await te.engine.approvals.escalate(scope, scheduled[0].job)).toBe(false);
  });

  it('reassign to manager: the overdue decision moves to the approver’s manager', async () => {
    await setManager('finance1', 'boss');
    const s = await submitFlow('due_reassign');
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const id = s.body.data.id as string;
    await overdue(id);
    expect(await te.engine.approvals.escalate(await systemScope(), { requestId: id, stepSeq: 1 })).toBe(true);
    const v = (await as.rep1('get', `/api/v1/approvals/${id}`)).body.data;
    expect(
      v.approvers.map((a: { id: string; status: string; origin: string }) => [a.id, a.status, a.origin]),
    ).toEqual([
      [ids.finance1, 'transferred', 'route'],
      [ids.boss, 'pending', 'escalation'],
    ]);
    expect(v.decisions.some((d: { action: string }) => d.action === 'escalate')).toBe(true);
    expect(
      (await as.boss('post', `/api/v1/approvals/${id}/decisions`, { action: 'approve' })).body.data.status,
    ).toBe('approved');
    await setManager('finance1', null);
  });
});
