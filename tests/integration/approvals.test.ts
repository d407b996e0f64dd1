import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { approvalPackage, makeUsers, type As } from '../helpers/approvals.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';

let te: TestEngine;
let admin: TestTenant;
let as: Record<string, As>;
let ids: Record<string, string>;

/** The package without what names users (the tenant has none yet when it is created). */
function withoutUsers(pkg: PackageDef): PackageDef {
  return { ...pkg, approvalFlows: [], queues: [] };
}

async function deploy(pkg: PackageDef) {
  const r = await admin.post('/api/v1/meta/deploy', { package: pkg });
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r;
}

async function newRequest(by: string, data: Record<string, unknown>) {
  const r = await as[by]('post', '/api/v1/data/auth_request', { name: 'R', reviewer: ids.mgr, ...data });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data.id as string;
}

async function submit(by: string, id: string, comment = 'please') {
  const r = await as[by]('post', `/api/v1/data/auth_request/${id}/approvals`, { comment });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data as {
    id: string;
    status: string;
    currentStep: { name: string } | null;
    approvers: { id: string }[];
  };
}

async function productLine() {
  const r = await admin.post('/api/v1/data/product_line', { name: 'PL' });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data.id as string;
}

const decide = (by: string, requestId: string, body: object) =>
  as[by]('post', `/api/v1/approvals/${requestId}/decisions`, body);

beforeAll(async () => {
  te = await startEngine();
  admin = await te.tenant(withoutUsers(approvalPackage()), 'appr');
  ({ as, ids } = await makeUsers(te, admin, {
    rep1: ['rep', 'rep'],
    rep2: ['rep', 'rep'],
    mgr: ['region_manager', 'rep'],
    finance1: ['staff', 'rep'],
    legal1: ['staff', 'rep'],
    boss: ['director', 'rep'],
    outsider: ['staff', 'rep'],
  }));
  await deploy(approvalPackage());
});
afterAll(() => te?.close());

describe('deploy checks', () => {
  it('refuses unknown fields, roles, users, queues, templates and ill-typed conditions with pointers, deploying nothing', async () => {
    const before = (await admin.get('/api/v1/meta')).body;
    const pkg = approvalPackage();
    const flow = pkg.approvalFlows![0];
    flow.steps[0].approvers = [
      { kind: 'field', field: 'name' },
      { kind: 'role', role: 'nobody' },
      { kind: 'user', users: ['ghost'] },
      { kind: 'queue', queue: 'nope' },
      { kind: 'related_field', path: ['product_line', 'nope'] },
      { kind: 'telepathy' },
    ];
    flow.steps[1].skipIf = { '==': [{ var: 'level' }, 'platinum'] };
    flow.steps[2].skipIf = { '<': [{ var: 'missing_field' }, 1] };
    flow.actions = { approved: [{ kind: 'notify', to: ['submitter'], template: 'no_such_template' }] };
    flow.lock = { mode: 'fields', fields: ['nope'] };
    const r = await admin.post('/api/v1/meta/deploy', { package: pkg }).set('Accept-Language', 'zh-CN');
    expect(r.status).toBe(422);
    const byPointer = Object.fromEntries(
      (r.body.errors as { pointer: string; code: string; message: string }[]).map((e) => [e.pointer, e]),
    );
    const at = '/approvalFlows/0';
    expect(byPointer[`${at}/steps/0/approvers/0/field`].code).toBe('APPROVAL_NOT_USER_FIELD');
    expect(byPointer[`${at}/steps/0/approvers/1/role`].code).toBe('APPROVAL_UNKNOWN_ROLE');
    expect(byPointer[`${at}/steps/0/approvers/3/queue`].code).toBe('APPROVAL_UNKNOWN_QUEUE');
    expect(byPointer[`${at}/steps/0/approvers/4/path/1`].code).toBe('APPROVAL_NOT_USER_FIELD');
    expect(byPointer[`${at}/steps/0/approvers/5/kind`].code).toBe('NOT_AN_OPTION');
    expect(Object.keys(byPointer).some((p) => p.startsWith(`${at}/steps/1/skipIf`))).toBe(true);
    expect(Object.keys(byPointer).some((p) => p.startsWith(`${at}/steps/2/skipIf`))).toBe(true);
    expect(byPointer[`${at}/actions/approved/0/template`].code).toBe('APPROVAL_UNKNOWN_TEMPLATE');
    expect(byPointer[`${at}/lock/fields/0`].code).toBe('META_UNKNOWN_FIELD');
    expect(byPointer[`${at}/steps/0/approvers/1/role`].message).toContain('不存在角色');
    expect((await admin.get('/api/v1/meta')).body).toEqual(before);

    // a user name that does not exist is refused by the check against the tenant's users
    const p2 = approvalPackage();
    p2.approvalFlows![0].steps[1].approvers = [{ kind: 'user', users: ['finance1', 'ghost'] }];
    const r2 = await admin.post('/api/v1/meta/deploy', { package: p2 });
    expect(r2.status).toBe(422);
    expect(r2.body.errors).toEqual([
      expect.objectContaining({
        pointer: `${at}/steps/1/approvers/0/users/1`,
        code: 'APPROVAL_UNKNOWN_USER',
      }),
    ]);
  });

  it('refuses a template that does not compile or reads unknown names', async () => {
    const pkg = approvalPackage();
    pkg.notificationTemplates = [
      { name: 'bad', title: { en: '{{#if}}', 'zh-CN': '{{lookup record "x"}} {{process.env}}' } },
    ];
    const r = await admin.post('/api/v1/meta/deploy', { package: pkg });
    expect(r.status).toBe(422);
    const codes = (r.body.errors as { pointer: string; code: string }[]).map((e) => `${e.pointer} ${e.code}`);
    expect(codes).toContain('/notificationTemplates/0/title/en TEMPLATE_INVALID');
    expect(codes).toContain('/notificationTemplates/0/title/zh-CN TEMPLATE_UNKNOWN_NAME');
  });
});

describe('a three-step flow through the API', () => {
  it('routes by the reviewer field, waits for finance AND legal, skips the director below 10,000, and locks the record meanwhile', async () => {
    const id = await newRequest('rep1', { level: 'advanced', amount: 5000 });
    const req = await submit('rep1', id);
    expect(req.status).toBe('pending');
    expect(req.currentStep!.name).toBe('review');
    expect(req.approvers.map((a) => a.id)).toEqual([ids.mgr]);

    // locked: the submitter's edit, a batch and a delete are refused and change nothing
    const patch = await as.rep1('patch', `/api/v1/data/auth_request/${id}`, { notes: 'sneaky' });
    expect(patch.status).toBe(423);
    expect(patch.body.code).toBe('RECORD_LOCKED');
    const batch = await as.rep1('post', '/api/v1/data/auth_request/batch', {
      operations: [{ op: 'update', id, data: { notes: 'x' } }],
    });
    expect(batch.status).toBe(423);
    expect((await as.rep1('delete', `/api/v1/data/auth_request/${id}`)).status).toBe(423);
    expect((await admin.get(`/api/v1/data/auth_request/${id}`)).body.data.notes).toBeNull();
    expect((await admin.get(`/api/v1/data/auth_request/${id}`)).body.data.approval_status).toBe('pending');

    // the current approver (who may edit it anyway, through the role hierarchy) is not locked out
    expect((await as.mgr('patch', `/api/v1/data/auth_request/${id}`, { notes: 'checked' })).status).toBe(200);

    // the record's approval state
    const state = (await as.rep1('get', `/api/v1/data/auth_request/${id}/approvals`)).body.data;
    expect(state.status).toBe('pending');
    expect(state.current.step.name).toBe('review');
    expect(state.current.approvers.map((a: { id: string }) => a.id)).toEqual([ids.mgr]);
    // what is locked, and for whom: the whole record, for the submitter but not the approver
    expect(state.flows).toBe(true);
    expect(state.lock).toEqual({ mode: 'record', fields: [], exempt: false });
    const mgrState = (await as.mgr('get', `/api/v1/data/auth_request/${id}/approvals`)).body.data;
    expect(mgrState.lock).toEqual({ mode: 'record', fields: [], exempt: true });
    expect((await admin.get(`/api/v1/data/auth_request/${id}/approvals`)).body.data.lock.exempt).toBe(true);

    // someone else: 403; the submitter cannot approve their own request
    expect((await decide('outsider', req.id, { action: 'approve' })).status).toBe(403);
    expect((await decide('rep1', req.id, { action: 'approve' })).status).toBe(403);

    // the reviewer approves → finance and legal (queue) both must approve
    const a1 = await decide('mgr', req.id, { action: 'approve', comment: 'ok' });
    expect(a1.status, JSON.stringify(a1.body)).toBe(200);
    expect(a1.body.data.currentStep.name).toBe('finance_legal');
    expect(a1.body.data.approvers.map((a: { id: string }) => a.id).sort()).toEqual(
      [ids.finance1, ids.legal1].sort(),
    );
    // the reviewer's turn is over: a second approval is a 409, not a second step
    expect((await decide('mgr', req.id, { action: 'approve' })).status).toBe(409);

    const a2 = await decide('finance1', req.id, { action: 'approve' });
    expect(a2.body.data.status).toBe('pending');
    expect(a2.body.data.currentStep.name).toBe('finance_legal');
    const a3 = await decide('legal1', req.id, { action: 'approve', comment: '法务同意' });
    // 5,000 < 10,000: the director step is skipped, the request is approved
    expect(a3.body.data.status).toBe('approved');
    expect(a3.body.data.decisions.map((d: { action: string }) => d.action)).toEqual([
      'submit',
      'step_entered',
      'approve',
      'step_approved',
      'step_entered',
      'approve',
      'approve',
      'step_approved',
      'skip',
      'approved',
    ]);
    const rec = (await admin.get(`/api/v1/data/auth_request/${id}`)).body.data;
    expect(rec.approval_status).toBe('approved');
    // the approved action created the related record through the pipeline
    const follow = await admin.get(
      `/api/v1/data/follow_up?filter=${encodeURIComponent(JSON.stringify({ request: { eq: id } }))}`,
    );
    expect(follow.body.data.map((f: { name: string }) => f.name)).toEqual(['Onboard']);
    // unlocked again
    expect((await as.rep1('patch', `/api/v1/data/auth_request/${id}`, { notes: 'after' })).status).toBe(200);
    const after = (await as.rep1('get', `/api/v1/data/auth_request/${id}/approvals`)).body.data;
    expect(after.lock).toBeNull();
    // an object without flows says so (a screen offers no submit there)
    const none = (await as.rep1('get', `/api/v1/data/product_line/${await productLine()}/approvals`)).body
      .data;
    expect(none).toMatchObject({ status: null, flows: false, lock: null, rounds: [] });
  });

  it('skips finance and legal for a basic level and asks the director above 10,000', async () => {
    const id = await newRequest('rep1', { level: 'basic', amount: 20000 });
    const req = await submit('rep1', id);
    const a1 = await decide('mgr', req.id, { action: 'approve' });
    expect(a1.body.data.currentStep.name).toBe('director');
    expect(a1.body.data.approvers.map((a: { id: string }) => a.id)).toEqual([ids.boss]);
    const done = await decide('boss', req.id, { action: 'approve' });
    expect(done.body.data.status).toBe('approved');
  });

  it('an approver reads the record while it is theirs (profile fields only), not before nor after', async () => {
    const id = await newRequest('rep2', { level: 'basic', amount: 1, reviewer: ids.outsider });
    expect((await admin.patch(`/api/v1/data/auth_request/${id}`, { secret: 'hidden' })).status).toBe(200);
    expect((await as.outsider('get', `/api/v1/data/auth_request/${id}`)).status).toBe(404);
    const req = await submit('rep2', id);
    const seen = await as.outsider('get', `/api/v1/data/auth_request/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.data.name).toBe('R');
    expect(seen.body.data).not.toHaveProperty('secret');
    expect((await decide('outsider', req.id, { action: 'approve' })).body.data.status).toBe('approved');
    expect((await as.outsider('get', `/api/v1/data/auth_request/${id}`)).status).toBe(404);
  });

  it('a rejected request can be edited and resubmitted; the history keeps every round', async () => {
    const id = await newRequest('rep1', { level: 'basic', amount: 1 });
    const r1 = await submit('rep1', id, 'first try');
    const rej = await decide('mgr', r1.id, { action: 'reject', comment: 'missing notes' });
    expect(rej.body.data.status).toBe('rejected');
    expect((await admin.get(`/api/v1/data/auth_request/${id}`)).body.data.approval_status).toBe('rejected');
    expect((await as.rep1('patch', `/api/v1/data/auth_request/${id}`, { notes: 'added' })).status).toBe(200);
    const r2 = await submit('rep1', id, 'second try');
    await decide('mgr', r2.id, { action: 'approve' });
    const h = (await as.rep1('get', `/api/v1/data/auth_request/${id}/approvals`)).body.data;
    expect(h.status).toBe('approved');
    expect(
      h.rounds.map((r: { round: number; status: string; comment: string }) => [r.round, r.status, r.comment]),
    ).toEqual([
      [2, 'approved', 'second try'],
      [1, 'rejected', 'first try'],
    ]);
    const rejectDecision = h.rounds[1].decisions.find((d: { action: string }) => d.action === 'reject');
    expect(rejectDecision).toMatchObject({
      comment: 'missing notes',
      actor: { id: ids.mgr, name: 'mgr name' },
    });
    expect(rejectDecision.step.name).toBe('review');
    // submitting while pending is a 409
    const r3 = await submit('rep1', id);
    expect((await as.rep1('post', `/api/v1/data/auth_request/${id}/approvals`, {})).status).toBe(409);
    await as.rep1('post', `/api/v1/approvals/${r3.id}/recall`, {});
  });

  it('recall by the submitter only; the approvers are told', async () => {
    const id = await newRequest('rep1', { level: 'basic', amount: 1 });
    const req = await submit('rep1', id);
    expect((await as.mgr('post', `/api/v1/approvals/${req.id}/recall`, {})).status).toBe(403);
    const r = await as.rep1('post', `/api/v1/approvals/${req.id}/recall`, { comment: 'wrong amount' });
    expect(r.status).toBe(200);
    expect(r.body.data.status).toBe('recalled');
    expect((await admin.get(`/api/v1/data/auth_request/${id}`)).body.data.approval_status).toBe('recalled');
    expect((await decide('mgr', req.id, { action: 'approve' })).status).toBe(409);
    const n = await as.mgr('get', '/api/v1/notifications?limit=100');
    expect(
      n.body.data.some(
        (x: { kind: string; link: { requestId: string } }) =>
          x.kind === 'approval_recalled' && x.link.requestId === req.id,
      ),
    ).toBe(true);
  });

  it('transfer (转办), add an approver before and after (加签), admin reassign', async () => {
    const id = await newRequest('rep1', { level: 'basic', amount: 1 });
    const req = await submit('rep1', id);
    // transfer to the submitter is refused; to someone else works
    expect((await decide('mgr', req.id, { action: 'transfer', to: ids.rep1 })).status).toBe(422);
    const t = await decide('mgr', req.id, { action: 'transfer', to: ids.boss, comment: 'you decide' });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect(t.body.data.approvers.map((a: { id: string; status: string }) => [a.id, a.status])).toEqual([
      [ids.mgr, 'transferred'],
      [ids.boss, 'pending'],
    ]);
    expect((await decide('mgr', req.id, { action: 'approve' })).status).toBe(409);
    // boss adds finance1 before himself: finance1 decides first, boss waits
    const before = await decide('boss', req.id, {
      action: 'add_approver',
      to: ids.finance1,
      position: 'before',
    });
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect((await decide('boss', req.id, { action: 'approve' })).status).toBe(409);
    expect((await decide('finance1', req.id, { action: 'approve' })).body.data.status).toBe('pending');
    // now boss: approves and adds legal1 after himself: the step waits for legal1
    const after = await decide('boss', req.id, { action: 'add_approver', to: ids.legal1, position: 'after' });
    expect(after.body.data.status).toBe('pending');
    expect(
      after.body.data.approvers
        .filter((a: { status: string }) => a.status === 'pending')
        .map((a: { id: string }) => a.id),
    ).toEqual([ids.legal1]);
    // the admin reassigns legal1's decision to outsider, who approves
    expect(
      (await decide('rep2', req.id, { action: 'reassign', from: ids.legal1, to: ids.outsider })).status,
    ).toBe(403);
    const re = await admin.post(`/api/v1/approvals/${req.id}/decisions`, {
      action: 'reassign',
      from: ids.legal1,
      to: ids.outsider,
    });
    expect(re.status, JSON.stringify(re.body)).toBe(200);
    const done = await decide('outsider', req.id, { action: 'approve' });
    expect(done.body.data.status).toBe('approved');
    expect(done.body.data.decisions.map((d: { action: string }) => d.action)).toEqual([
      'submit',
      'step_entered',
      'transfer',
      'add_approver',
      'approve',
      'add_approver',
      'approve',
      'reassign',
      'approve',
      'step_approved',
      'skip',
      'skip',
      'approved',
    ]);
  });
});

describe('inbox and notifications', () => {
  it('pending, done and submitted boxes, paged and filtered by object', async () => {
    await submit('rep2', await newRequest('rep2', { level: 'basic', amount: 1 }));
    const id = await newRequest('rep2', { level: 'basic', amount: 1 });
    const req = await submit('rep2', id);
    const pending = await as.mgr('get', '/api/v1/approvals?box=pending&object=auth_request');
    expect(pending.status).toBe(200);
    expect(pending.body.data.map((x: { id: string }) => x.id)).toContain(req.id);
    expect(pending.body.data.find((x: { id: string }) => x.id === req.id).recordName).toBe('R');
    const submitted = await as.rep2('get', '/api/v1/approvals?box=submitted&limit=1');
    expect(submitted.body.data).toHaveLength(1);
    expect(submitted.body.meta.next_cursor).toBeTruthy();
    const page2 = await as.rep2(
      'get',
      `/api/v1/approvals?box=submitted&limit=1&cursor=${submitted.body.meta.next_cursor}`,
    );
    expect(page2.body.data[0].id).not.toBe(submitted.body.data[0].id);
    await decide('mgr', req.id, { action: 'approve' });
    const done = await as.mgr('get', '/api/v1/approvals?box=done');
    expect(done.body.data.map((x: { id: string }) => x.id)).toContain(req.id);
    expect(
      (await as.mgr('get', '/api/v1/approvals?box=pending')).body.data.map((x: { id: string }) => x.id),
    ).not.toContain(req.id);
    expect((await as.mgr('get', '/api/v1/approvals?box=other')).status).toBe(400);
    expect((await as.mgr('get', '/api/v1/approvals?object=nope')).status).toBe(404);
  });

  it('approvers are notified when a request reaches them, submitters when decided; unread first, mark read', async () => {
    const id = await newRequest('rep2', { level: 'basic', amount: 1, name: 'Notify <me>' });
    const req = await submit('rep2', id);
    const mine = await as.mgr('get', '/api/v1/notifications').set('Accept-Language', 'zh-CN');
    const n = mine.body.data.find((x: { link: { requestId: string } }) => x.link.requestId === req.id);
    expect(n.kind).toBe('approval_requested');
    // escaped, in the reader's language, naming the record
    expect(n.title).toBe('rep2 name 请你审批auth_request“Notify &lt;me&gt;”');
    const count = (await as.mgr('get', '/api/v1/notifications/unread-count')).body.data.unread;
    expect(count).toBeGreaterThan(0);
    await decide('mgr', req.id, { action: 'reject', comment: 'no' });
    const sub = await as.rep2('get', '/api/v1/notifications');
    const decided = sub.body.data.find(
      (x: { kind: string; link: { requestId: string } }) =>
        x.kind === 'approval_decided' && x.link.requestId === req.id,
    );
    expect(decided.title).toBe('Your request for auth_request “Notify &lt;me&gt;” was rejected');
    expect(decided.body).toContain('no');
    const marked = await as.mgr('post', '/api/v1/notifications/read', { ids: [n.id] });
    expect(marked.body.data.marked).toBe(1);
    expect(marked.body.data.unread).toBe(count - 1);
    const list = (await as.mgr('get', '/api/v1/notifications?limit=100')).body.data as { read: boolean }[];
    // unread first
    const firstRead = list.findIndex((x) => x.read);
    expect(list.slice(firstRead).every((x) => x.read)).toBe(true);
    // someone else's notification cannot be marked
    expect((await as.rep2('post', '/api/v1/notifications/read', { ids: [n.id] })).body.data.marked).toBe(0);
    await as.mgr('post', '/api/v1/notifications/read', { all: true });
    expect((await as.mgr('get', '/api/v1/notifications/unread-count')).body.data.unread).toBe(0);
  });
});

describe('versions', () => {
  it('a flow changed mid-way does not reroute a pending request', async () => {
    const id = await newRequest('rep1', { level: 'advanced', amount: 50000 });
    const req = await submit('rep1', id);
    // a new version: a single step to the director, no finance/legal
    const pkg = approvalPackage();
    pkg.approvalFlows![0].steps = [
      {
        name: 'only',
        label: { en: 'Only', 'zh-CN': '唯一' },
        approvers: [{ kind: 'role', role: 'director' }],
      },
    ];
    await deploy(pkg);
    const a1 = await decide('mgr', req.id, { action: 'approve' });
    expect(a1.status).toBe(200);
    expect(a1.body.data.currentStep.name).toBe('finance_legal');
    await decide('finance1', req.id, { action: 'approve' });
    const a3 = await decide('legal1', req.id, { action: 'approve' });
    expect(a3.body.data.currentStep.name).toBe('director');
    expect((await decide('boss', req.id, { action: 'approve' })).body.data.status).toBe('approved');
    // a new submit uses the new version
    const id2 = await newRequest('rep1', { level: 'advanced', amount: 50000 });
    const req2 = await submit('rep1', id2);
    expect(req2.currentStep!.name).toBe('only');
    await deploy(approvalPackage());
  });
});

describe('preview', () => {
  it('shows the route of a record, skipped steps and why, approvers by source, and changes nothing', async () => {
    const id = await newRequest('rep1', { level: 'basic', amount: 20000 });
    const r = await admin.post('/api/v1/meta/approval-flows/auth/preview', { recordId: id });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const p = r.body.data;
    expect(p.applies).toBe(true);
    expect(p.chosenFlow).toBe('auth');
    expect(p.steps.map((s: { name: string; skipped: boolean }) => [s.name, s.skipped])).toEqual([
      ['review', false],
      ['finance_legal', true],
      ['director', false],
    ]);
    expect(p.steps[0].approvers).toEqual([{ id: ids.mgr, name: 'mgr name' }]);
    expect(p.steps[1].why['zh-CN']).toContain('跳过');
    expect(p.steps[2].sources[0].describe.en).toContain('Director');
    expect((await admin.get(`/api/v1/data/auth_request/${id}/approvals`)).body.data.rounds).toEqual([]);
    expect((await as.rep1('post', '/api/v1/meta/approval-flows/auth/preview', { recordId: id })).status).toBe(
      403,
    );
    expect((await admin.post('/api/v1/meta/approval-flows/nope/preview', { recordId: id })).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('documents the approval and notification routes with their scopes', async () => {
    const adminDoc = (await admin.get('/api/v1/openapi.json')).body;
    expect(adminDoc.paths['/api/v1/data/auth_request/{id}/approvals'].post['x-scope']).toBe('write');
    expect(adminDoc.paths['/api/v1/approvals/{requestId}/decisions'].post.requestBody).toBeDefined();
    expect(adminDoc.paths['/api/v1/meta/approval-flows/{name}/preview'].post['x-scope']).toBe('admin');
    expect(adminDoc.components.schemas.ApprovalRequest).toBeDefined();
    const repDoc = (await as.rep1('get', '/api/v1/openapi.json')).body;
    expect(repDoc.paths['/api/v1/notifications'].get['x-scope']).toBe('read');
    expect(repDoc.paths['/api/v1/meta/approval-flows/{name}/preview']).toBeUndefined();
    expect(repDoc.paths['/api/v1/data/product_line/{id}/approvals']).toBeUndefined();
  });
});

describe('write origin', () => {
  it('field updates of a request are in the field history with origin approval:<id>', async () => {
    const pkg = approvalPackage();
    const o = pkg.objects.find((x) => x.name === 'auth_request')!;
    o.fields.find((f) => f.name === 'approval_status')!.trackHistory = true;
    await deploy(pkg);
    const id = await newRequest('rep1', { level: 'basic', amount: 1 });
    const req = await submit('rep1', id);
    await decide('mgr', req.id, { action: 'approve' });
    const h = (await admin.get(`/api/v1/data/auth_request/${id}/history`)).body.data as {
      field: string;
      new: unknown;
      origin: string;
      actor: string;
    }[];
    const status = h.filter((x) => x.field === 'approval_status');
    expect(status.map((x) => [x.new, x.origin, x.actor])).toEqual([
      ['approved', `approval:${req.id}`, ids.mgr],
      ['pending', `approval:${req.id}`, ids.rep1],
    ]);
    await deploy(approvalPackage());
  });
});
