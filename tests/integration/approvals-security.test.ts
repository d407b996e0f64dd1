import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalPackage, makeUsers, type As } from '../helpers/approvals.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';

/** docs/security.md T16–T19: delegation, self-approval, races (see approvals-routing) and tampering. */
let te: TestEngine;
let admin: TestTenant;
let other: TestTenant;
let as: Record<string, As>;
let ids: Record<string, string>;

beforeAll(async () => {
  te = await startEngine();
  admin = await te.tenant({ ...approvalPackage(), approvalFlows: [], queues: [] }, 'sec_appr');
  other = await te.tenant({ ...approvalPackage(), approvalFlows: [], queues: [] }, 'sec_other');
  ({ as, ids } = await makeUsers(te, admin, {
    rep1: ['rep', 'rep'],
    rep2: ['rep', 'rep'],
    mgr: ['region_manager', 'rep'],
    finance1: ['staff', 'rep'],
    legal1: ['staff', 'rep'],
    boss: ['director', 'rep'],
  }));
  const r = await admin.post('/api/v1/meta/deploy', { package: approvalPackage() });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
});
afterAll(() => te?.close());

async function submitted(by: string, data: Record<string, unknown>) {
  const c = await as[by]('post', '/api/v1/data/auth_request', { name: 'S', reviewer: ids.mgr, ...data });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const s = await as[by]('post', `/api/v1/data/auth_request/${c.body.data.id}/approvals`, {});
  return { recordId: c.body.data.id as string, s };
}
const decide = (by: string, id: string, body: object) =>
  as[by]('post', `/api/v1/approvals/${id}/decisions`, body);

describe('T16 delegation: a transfer hands over the decision and a read of the record, nothing more', () => {
  it('the transferee reads but cannot edit; the one who transferred loses the read and the decision', async () => {
    const { recordId, s } = await submitted('rep1', { level: 'basic', amount: 1, reviewer: ids.finance1 });
    expect((await as.rep2('get', `/api/v1/data/auth_request/${recordId}`)).status).toBe(404);
    // someone who is not an approver cannot delegate
    expect((await decide('rep2', s.body.data.id, { action: 'transfer', to: ids.rep2 })).status).toBe(403);
    expect((await decide('finance1', s.body.data.id, { action: 'transfer', to: ids.rep2 })).status).toBe(200);
    const seen = await as.rep2('get', `/api/v1/data/auth_request/${recordId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.data).not.toHaveProperty('secret');
    // read only: no edit right comes with it
    expect([403, 404]).toContain(
      (await as.rep2('patch', `/api/v1/data/auth_request/${recordId}`, { notes: 'x' })).status,
    );
    expect((await as.finance1('get', `/api/v1/data/auth_request/${recordId}`)).status).toBe(404);
    expect((await decide('finance1', s.body.data.id, { action: 'approve' })).status).toBe(409);
    expect((await decide('rep2', s.body.data.id, { action: 'approve' })).body.data.status).toBe('approved');
  });
});

describe('T17 self-approval', () => {
  it('the submitter is left out of a step even through a role; alone, the submit is refused and changes nothing', async () => {
    // boss submits a large request: the director step would route to boss only
    const c = await as.boss('post', '/api/v1/data/auth_request', {
      name: 'Own',
      reviewer: ids.mgr,
      level: 'basic',
      amount: 50000,
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const s = await as.boss('post', `/api/v1/data/auth_request/${c.body.data.id}/approvals`, {});
    const a = await decide('mgr', s.body.data.id, { action: 'approve' });
    expect(a.status).toBe(422);
    expect(a.body.code).toBe('APPROVAL_NO_APPROVERS');
    // nothing changed: still at the review step, mgr still the approver
    const v = (await as.boss('get', `/api/v1/approvals/${s.body.data.id}`)).body.data;
    expect(v.currentStep.name).toBe('review');
    expect(v.approvers.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([
      [ids.mgr, 'pending'],
    ]);
    // handing the decision to the submitter is refused too
    const t = await decide('mgr', s.body.data.id, { action: 'transfer', to: ids.boss });
    expect(t.status).toBe(422);
    expect(t.body.errors[0].code).toBe('APPROVAL_SELF');
    const add = await decide('mgr', s.body.data.id, {
      action: 'add_approver',
      to: ids.boss,
      position: 'after',
    });
    expect(add.body.errors[0].code).toBe('APPROVAL_SELF');
  });

  it('an administrator cannot approve on behalf; a reassign is recorded with both identities', async () => {
    const { s } = await submitted('rep1', { level: 'basic', amount: 1 });
    const on = await admin.post(`/api/v1/approvals/${s.body.data.id}/decisions`, { action: 'approve' });
    expect(on.status).toBe(403);
    expect(on.body.code).toBe('APPROVAL_NOT_APPROVER');
    const re = await admin.post(`/api/v1/approvals/${s.body.data.id}/decisions`, {
      action: 'reassign',
      from: ids.mgr,
      to: ids.boss,
      comment: 'mgr on leave',
    });
    const entry = re.body.data.decisions.find((d: { action: string }) => d.action === 'reassign');
    expect(entry).toMatchObject({
      actor: { id: admin.adminUserId },
      detail: { from: ids.mgr, to: ids.boss },
      comment: 'mgr on leave',
    });
  });
});

describe('T19 tampering', () => {
  it('a later step’s approver cannot decide early; nobody decides a finished request; locked edits are 423', async () => {
    const { recordId, s } = await submitted('rep1', { level: 'advanced', amount: 1 });
    // finance1 decides at step 2, not step 1
    const early = await decide('finance1', s.body.data.id, { action: 'approve' });
    expect(early.status).toBe(403);
    expect((await as.rep1('patch', `/api/v1/data/auth_request/${recordId}`, { amount: 999999 })).status).toBe(
      423,
    );
    // the submitter may not write the status field around the lock either
    expect(
      (await as.rep1('patch', `/api/v1/data/auth_request/${recordId}`, { approval_status: 'approved' }))
        .status,
    ).toBe(423);
    await decide('mgr', s.body.data.id, { action: 'approve' });
    await decide('finance1', s.body.data.id, { action: 'approve' });
    const done = await decide('legal1', s.body.data.id, { action: 'approve' });
    expect(done.body.data.status).toBe('approved');
    expect((await decide('legal1', s.body.data.id, { action: 'reject' })).status).toBe(409);
    expect((await as.rep1('post', `/api/v1/approvals/${s.body.data.id}/recall`, {})).status).toBe(409);
  });

  it('a request of another tenant does not exist here; bad bodies change nothing', async () => {
    const { s } = await submitted('rep1', { level: 'basic', amount: 1 });
    const foreign = await other.post(`/api/v1/approvals/${s.body.data.id}/decisions`, { action: 'approve' });
    expect(foreign.status).toBe(404);
    const bad = await decide('mgr', s.body.data.id, { action: 'approve_all' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].pointer).toBe('/action');
    const zh = await decide('mgr', s.body.data.id, { action: 'transfer', to: 'nobody' }).set(
      'Accept-Language',
      'zh-CN',
    );
    expect(zh.status).toBe(422);
    expect(zh.body.errors[0].pointer).toBe('/to');
    expect((await as.mgr('get', `/api/v1/approvals/${s.body.data.id}`)).body.data.approvers).toHaveLength(1);
    expect((await as.rep2('get', `/api/v1/approvals/${s.body.data.id}`)).status).toBe(404);
  });
});
