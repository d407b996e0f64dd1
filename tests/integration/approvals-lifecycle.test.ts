import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { ESCALATE_JOB } from '../../engine/src/processes/approvals/index.js';
import { approvalPackage, makeUsers, type As } from '../helpers/approvals.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object, opts } from '../helpers/packages.js';
import { until } from '../helpers/until.js';

/**
 * Approvals over their whole life with the real job runner: overdue steps escalate through
 * `approval.escalate` jobs, a deleted record's request is cancelled, and a create that starts
 * a flow returns the record as the start left it.
 */
let te: TestEngine;
let admin: TestTenant;
let as: Record<string, As>;
let ids: Record<string, string>;

function lifecyclePackage(): PackageDef {
  const pkg = approvalPackage();
  pkg.objects.push(
    object('memo', [
      field('name', 'text', { required: true }),
      field('approval_status', 'picklist', { options: opts('pending', 'approved', 'rejected', 'recalled') }),
    ]),
  );
  pkg.objects.push(
    object('memo_line', [
      field('name', 'text', { required: true }),
      field('memo', 'master_detail', { target: 'memo' }),
    ]),
  );
  pkg.profiles![0].objects!.memo = { create: true, read: true, edit: true, delete: true };
  pkg.profiles![0].objects!.memo_line = { create: true, read: true, edit: true, delete: true };
  const one = (name: string, extra: object) => ({
    name,
    label: l(name),
    object: 'auth_request',
    priority: 200,
    steps: [{ name: 's', label: l('S'), approvers: [{ kind: 'user', users: ['finance1'] }], ...extra }],
  });
  pkg.approvalFlows = [
    ...pkg.approvalFlows!,
    one('due_notify', { dueHours: 2, escalation: { action: 'notify' } }),
    one('due_reassign', { dueHours: 1, escalation: { action: 'reassign_to_manager' } }),
    {
      name: 'memo_on_create',
      label: l('Memo'),
      object: 'memo',
      start: { on: 'create' },
      statusField: 'approval_status',
      steps: [
        {
          name: 's',
          label: l('S'),
          approvers: [{ kind: 'user', users: ['finance1'] }],
          dueHours: 24,
          escalation: { action: 'notify' },
        },
      ],
    },
    {
      name: 'memo_line',
      label: l('Memo line'),
      object: 'memo_line',
      steps: [{ name: 's', label: l('S'), approvers: [{ kind: 'user', users: ['finance1'] }] }],
    },
  ] as PackageDef['approvalFlows'];
  return pkg;
}

beforeAll(async () => {
  // A fast poll: jobs made due by the test are claimed within a tick.
  te = await startEngine({ jobs: { pollMs: 100 } });
  admin = await te.tenant({ ...approvalPackage(), approvalFlows: [], queues: [] }, 'lifecycle');
  ({ as, ids } = await makeUsers(te, admin, {
    rep1: ['rep', 'rep'],
    boss: ['director', 'rep'],
    finance1: ['staff', 'rep'],
    legal1: ['staff', 'rep'],
  }));
  const r = await admin.post('/api/v1/meta/deploy', { package: lifecyclePackage() });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
});
afterAll(() => te?.close());

const knex = () => te.engine.db.knex;
const jobs = (requestId: string) =>
  knex()
    .withSchema(te.engine.platform)
    .table('jobs')
    .where({ tenant_id: admin.tenantId, kind: ESCALATE_JOB, key: `${requestId}:1` });

async function submit(flow: string) {
  const c = await as.rep1('post', '/api/v1/data/auth_request', { name: flow });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const s = await as.rep1('post', `/api/v1/data/auth_request/${c.body.data.id}/approvals`, { flow });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  return { recordId: c.body.data.id as string, requestId: s.body.data.id as string };
}

/** Makes the step overdue and its job due now, then waits until the runner has run it. */
async function runDue(requestId: string) {
  await knex()
    .withSchema(admin.schema)
    .table('_approval_requests')
    .where('id', requestId)
    .whereNotNull('step_due_at')
    .update({ step_due_at: new Date(Date.now() - 60_000) });
  expect(await jobs(requestId).update({ run_at: new Date(Date.now() - 1000) })).toBe(1);
  te.engine.jobs.runner.wake();
  await until(async () => !(await jobs(requestId).first()));
}

const escalations = async (requestId: string) =>
  (await knex()
    .withSchema(admin.schema)
    .table('_approval_decisions')
    .where({ request_id: requestId, action: 'escalate' })
    .count({ n: '*' })
    .first()) as { n: string | number };

const overdueNotes = async (user: string, requestId: string) =>
  (
    (await as[user]('get', '/api/v1/notifications?limit=100')).body.data as {
      kind: string;
      link: { requestId: string };
    }[]
  ).filter((x) => x.kind === 'approval_overdue' && x.link.requestId === requestId).length;

describe('escalation on the job runner', () => {
  it('enqueues a keyed job at the due time when the step is entered', async () => {
    const { requestId } = await submit('due_notify');
    const job = (await jobs(requestId).first()) as { state: string; run_at: Date; payload: unknown };
    expect(job.state).toBe('queued');
    expect(job.payload).toEqual({ requestId, stepSeq: 1 });
    expect(new Date(job.run_at).getTime() - Date.now()).toBeGreaterThan(7_000_000);
  });

  it('notify: the runner tells the approver and the submitter once; a second run does nothing', async () => {
    const { requestId } = await submit('due_notify');
    await runDue(requestId);
    expect(Number((await escalations(requestId)).n)).toBe(1);
    expect(await overdueNotes('finance1', requestId)).toBe(1);
    expect(await overdueNotes('rep1', requestId)).toBe(1);
    // at least once: the same job again finds the step escalated
    await te.engine.jobs.enqueue(
      ESCALATE_JOB,
      { requestId, stepSeq: 1 },
      { tenantId: admin.tenantId, key: `${requestId}:1` },
    );
    await until(async () => !(await jobs(requestId).first()));
    expect(Number((await escalations(requestId)).n)).toBe(1);
    expect(await overdueNotes('finance1', requestId)).toBe(1);
  });

  it('reassign_to_manager: the overdue decision moves to the manager', async () => {
    await knex()
      .withSchema(admin.schema)
      .table('_users')
      .where('id', ids.finance1)
      .update({ manager: ids.boss });
    try {
      const { requestId } = await submit('due_reassign');
      await runDue(requestId);
      const v = (await as.rep1('get', `/api/v1/approvals/${requestId}`)).body.data;
      expect(
        v.approvers.map((a: { id: string; status: string; origin: string }) => [a.id, a.status, a.origin]),
      ).toEqual([
        [ids.finance1, 'transferred', 'route'],
        [ids.boss, 'pending', 'escalation'],
      ]);
      const inbox = (await as.boss('get', '/api/v1/approvals?box=pending')).body.data as { id: string }[];
      expect(inbox.some((r) => r.id === requestId)).toBe(true);
    } finally {
      await knex()
        .withSchema(admin.schema)
        .table('_users')
        .where('id', ids.finance1)
        .update({ manager: null });
    }
  });

  it('a request that moved on is left alone', async () => {
    const { requestId } = await submit('due_reassign');
    const d = await as.finance1('post', `/api/v1/approvals/${requestId}/decisions`, { action: 'approve' });
    expect(d.body.data.status).toBe('approved');
    await runDue(requestId);
    expect(Number((await escalations(requestId)).n)).toBe(0);
    expect(await overdueNotes('rep1', requestId)).toBe(0);
  });
});

describe('a record deleted while its request is pending', () => {
  it('cancels the request in the delete: out of every inbox, on the timeline, no escalation', async () => {
    const { recordId, requestId } = await submit('due_notify');
    const pendingIds = async () =>
      ((await as.finance1('get', '/api/v1/approvals?box=pending')).body.data as { id: string }[]).map(
        (r) => r.id,
      );
    expect(await pendingIds()).toContain(requestId);
    // the submitter cannot delete it (locked); an admin can
    expect((await as.rep1('delete', `/api/v1/data/auth_request/${recordId}`)).status).toBe(423);
    expect((await admin.del(`/api/v1/data/auth_request/${recordId}`)).status).toBe(204);
    expect(await pendingIds()).not.toContain(requestId);
    const req = await knex()
      .withSchema(admin.schema)
      .table('_approval_requests')
      .where('id', requestId)
      .first();
    expect(req.status).toBe('cancelled');
    const tasks = await knex()
      .withSchema(admin.schema)
      .table('_approval_tasks')
      .where('request_id', requestId);
    expect(tasks.map((t: { status: string }) => t.status)).toEqual(['cancelled']);
    const last = await knex()
      .withSchema(admin.schema)
      .table('_approval_decisions')
      .where('request_id', requestId)
      .orderBy('seq', 'desc')
      .first();
    expect([last.action, last.actor, last.detail.reason]).toEqual([
      'cancelled',
      admin.adminUserId,
      'record_deleted',
    ]);
    const shares = await knex()
      .withSchema(admin.schema)
      .table('_record_shares')
      .where({ reason: `approval:${requestId}` });
    expect(shares).toHaveLength(0);
    // its escalation job, once due, does nothing
    await runDue(requestId);
    expect(Number((await escalations(requestId)).n)).toBe(0);
  });

  it('a batch delete cancels the same way (every delete path)', async () => {
    const { recordId, requestId } = await submit('due_notify');
    const r = await admin.post('/api/v1/data/auth_request/batch', {
      operations: [{ op: 'delete', id: recordId }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const req = await knex()
      .withSchema(admin.schema)
      .table('_approval_requests')
      .where('id', requestId)
      .first();
    expect(req.status).toBe('cancelled');
  });

  it('a master-detail parent’s delete cancels its children’s pending requests', async () => {
    const memo = await as.rep1('post', '/api/v1/data/memo', { name: 'Parent' });
    const line = await as.rep1('post', '/api/v1/data/memo_line', { name: 'L1', memo: memo.body.data.id });
    expect(line.status, JSON.stringify(line.body)).toBe(201);
    const s = await as.rep1('post', `/api/v1/data/memo_line/${line.body.data.id}/approvals`, {});
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    expect((await admin.del(`/api/v1/data/memo/${memo.body.data.id}`)).status).toBe(204);
    const statuses = await knex()
      .withSchema(admin.schema)
      .table('_approval_requests')
      .whereIn('record_id', [memo.body.data.id, line.body.data.id])
      .orderBy('object')
      .select('object', 'status');
    expect(statuses).toEqual([
      { object: 'memo', status: 'cancelled' },
      { object: 'memo_line', status: 'cancelled' },
    ]);
  });
});

describe('a create that starts a flow', () => {
  it('returns the record as the start left it: status, version and ETag', async () => {
    const c = await as.rep1('post', '/api/v1/data/memo', { name: 'M1' });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect(c.body.data.approval_status).toBe('pending');
    const g = await as.rep1('get', `/api/v1/data/memo/${c.body.data.id}`);
    expect(g.body.data.approval_status).toBe('pending');
    expect(c.headers.etag).toBe(g.headers.etag);
    expect(c.body.data.version ?? c.headers.etag).toEqual(g.body.data.version ?? g.headers.etag);
    // its first step's escalation is on the job runner too
    const req = await knex()
      .withSchema(admin.schema)
      .table('_approval_requests')
      .where({ object: 'memo', record_id: c.body.data.id })
      .first();
    await until(() => jobs(req.id).first());
  });
});
