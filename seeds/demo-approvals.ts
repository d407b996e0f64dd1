import type { ApprovalFlowDef } from '../engine/src/core/approval-model.js';
import type { ObjectDef, PackageDef, RoleDef } from '../engine/src/core/model.js';
import type { Engine } from '../engine/src/engine.js';
import { ALLOW_ALL } from '../engine/src/records/access.js';
import { dbRoleOf, type Tenant } from '../engine/src/tenancy/tenants.js';
import demo from './demo-approvals.json' with { type: 'json' };

/**
 * The demo's approvals: the channel-staff authorization request (渠道人员授权申请单) approved by
 * the region manager (the rep's manager, or the regional manager role above theirs), then the
 * channel director unless the level is basic; quotes above 15% discount go to the national
 * sales director. Deployed as a second metadata version once the demo users exist, then a few
 * requests are submitted by reps, so the managers' inboxes are not empty.
 */
export async function seedApprovals(
  engine: Engine,
  tenant: Tenant,
  adminUserId: string,
  password: string,
  people: Map<string, string>,
  accountIds: Map<string, string>,
): Promise<void> {
  const current = (await engine.meta.current(tenant)).package as PackageDef;
  const pkg: PackageDef = structuredClone(current);
  pkg.roles = [...(pkg.roles ?? []), demo.role as RoleDef];
  pkg.objects.push(demo.object as ObjectDef);
  for (const p of pkg.profiles ?? [])
    if (p.name === 'sales_rep' || p.name === 'sales_manager')
      p.objects = { ...p.objects, channel_staff_auth: { create: true, read: true, edit: true } };
  pkg.approvalFlows = [...(pkg.approvalFlows ?? []), ...(demo.flows as ApprovalFlowDef[])];
  await engine.meta.deploy(tenant, adminUserId, pkg, { comment: 'demo: approval flows' });
  const model = await engine.models.get(tenant.id);
  const row = await engine.users.create(tenant, model, { ...demo.user, password }, adminUserId);
  people.set(demo.user.username, row.id as string);
  const caller = (username: string) => ({
    isAdmin: false,
    scope: {
      tenantId: tenant.id,
      schema: tenant.schema,
      actor: people.get(username)!,
      model,
      access: ALLOW_ALL,
      dbRole: dbRoleOf(tenant),
    },
  });
  for (const { owner, partner, ...data } of demo.requests) {
    const c = caller(owner);
    const { record } = await engine.records.create(c.scope, 'channel_staff_auth', {
      ...data,
      ...(partner ? { partner: accountIds.get(partner) } : {}),
    });
    await engine.approvals.submit(c, 'channel_staff_auth', record!.id as string, { comment: data.reason });
  }
  for (const { owner, account, ...data } of demo.quotes) {
    const c = caller(owner);
    const { record } = await engine.records.create(c.scope, 'quote', {
      ...data,
      account: accountIds.get(account),
    });
    await engine.approvals.submit(c, 'quote', record!.id as string, {
      comment: '大客户年度框架，请审批折扣',
    });
  }
}
