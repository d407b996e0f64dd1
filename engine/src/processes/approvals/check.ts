import type { Knex } from 'knex';
import type { FieldIssue } from '../../core/errors.js';
import type { Ident } from '../../core/ident.js';
import type { JsonValue, PackageDef } from '../../core/model.js';
import { USERS } from '../../schema-sync/ddl.js';
import { checkTyped, envFromObjects } from '../../rules/index.js';
import { checkAction } from '../actions/registry.js';
import { checkTemplates, templateNames } from '../notifications/templates.js';
import { approverKind, checkApprover } from './approvers/registry.js';

const STATUS_VALUES = ['pending', 'approved', 'rejected', 'recalled'];

/**
 * Deploy checks of approval flows, queues and notification templates: every object, field, role,
 * profile, queue, template and business type a flow names exists; conditions are type-checked
 * against the object; each approver and action passes its kind's checks. Pointers into the package.
 */
export function checkApprovals(pkg: PackageDef): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const envOf = envFromObjects(pkg.objects);
  const roles = new Set((pkg.roles ?? []).map((r) => r.name));
  const queueNames = new Set<string>();
  (pkg.queues ?? []).forEach((q, qi) => {
    if (queueNames.has(q.name))
      issues.push({ pointer: `/queues/${qi}/name`, code: 'META_DUPLICATE_NAME', params: { name: q.name } });
    queueNames.add(q.name);
    (q.roles ?? []).forEach((r, ri) => {
      if (!roles.has(r))
        issues.push({
          pointer: `/queues/${qi}/roles/${ri}`,
          code: 'APPROVAL_UNKNOWN_ROLE',
          params: { role: r },
        });
    });
  });
  const tplNames = new Set<string>();
  (pkg.notificationTemplates ?? []).forEach((t, ti) => {
    if (tplNames.has(t.name))
      issues.push({
        pointer: `/notificationTemplates/${ti}/name`,
        code: 'META_DUPLICATE_NAME',
        params: { name: t.name },
      });
    tplNames.add(t.name);
  });
  issues.push(...checkTemplates(pkg));
  const templates = templateNames(pkg);
  const types = (pkg as { businessTypes?: { name: string; object: string }[] }).businessTypes ?? [];
  const flowNames = new Set<string>();
  (pkg.approvalFlows ?? []).forEach((flow, fi) => {
    const at = `/approvalFlows/${fi}`;
    if (flowNames.has(flow.name))
      issues.push({ pointer: `${at}/name`, code: 'META_DUPLICATE_NAME', params: { name: flow.name } });
    flowNames.add(flow.name);
    const object = pkg.objects.find((o) => o.name === flow.object);
    if (!object) {
      issues.push({ pointer: `${at}/object`, code: 'META_UNKNOWN_TARGET', params: { target: flow.object } });
      return;
    }
    const env = envOf(object.name)!;
    const cond = (e: JsonValue | undefined, where: string) => {
      if (e === undefined) return;
      for (const i of checkTyped(e, env, 'condition').issues)
        issues.push({ pointer: where + i.pointer, code: i.code, params: i.params });
    };
    const field = (name: string, where: string) => {
      const f = object.fields.find((x) => x.name === name);
      if (!f)
        issues.push({
          pointer: where,
          code: 'META_UNKNOWN_FIELD',
          params: { field: name, object: object.name },
        });
      return f;
    };
    (flow.businessTypes ?? []).forEach((t, ti) => {
      if (!types.some((b) => b.name === t && b.object === object.name))
        issues.push({
          pointer: `${at}/businessTypes/${ti}`,
          code: 'APPROVAL_UNKNOWN_BUSINESS_TYPE',
          params: { type: t, object: object.label },
        });
    });
    cond(flow.entry, `${at}/entry`);
    if (flow.start?.on === 'condition') cond(flow.start.condition, `${at}/start/condition`);
    if (flow.statusField !== undefined) {
      const f = field(flow.statusField, `${at}/statusField`);
      const missing =
        f?.type === 'picklist' ? STATUS_VALUES.filter((v) => !f.options?.some((o) => o.value === v)) : [];
      if (f && (!['picklist', 'text'].includes(f.type) || missing.length))
        issues.push({
          pointer: `${at}/statusField`,
          code: 'APPROVAL_STATUS_FIELD',
          params: { field: f.label, values: STATUS_VALUES.join(', ') },
        });
    }
    if (flow.lock?.mode === 'fields' && !flow.lock.fields?.length)
      issues.push({ pointer: `${at}/lock/fields`, code: 'APPROVAL_LOCK_FIELDS' });
    (flow.lock?.fields ?? []).forEach((n, i) => field(n, `${at}/lock/fields/${i}`));
    const stepNames = new Set<string>();
    flow.steps.forEach((step, si) => {
      const sat = `${at}/steps/${si}`;
      if (stepNames.has(step.name))
        issues.push({ pointer: `${sat}/name`, code: 'META_DUPLICATE_NAME', params: { name: step.name } });
      stepNames.add(step.name);
      cond(step.skipIf, `${sat}/skipIf`);
      if (step.escalation && step.dueHours === undefined)
        issues.push({ pointer: `${sat}/escalation`, code: 'APPROVAL_ESCALATION_NEEDS_DUE' });
      step.approvers.forEach((a, ai) =>
        issues.push(...checkApprover(a, { pkg, object, pointer: `${sat}/approvers/${ai}` })),
      );
    });
    for (const [event, list] of Object.entries(flow.actions ?? {}))
      (list ?? []).forEach((a, ai) =>
        issues.push(...checkAction(a, { pkg, object, templates, pointer: `${at}/actions/${event}/${ai}` })),
      );
  });
  return issues;
}

/** User names flows and queues name (with pointers), for the check against the tenant's users. */
function namedUsers(pkg: PackageDef): { name: string; pointer: string }[] {
  const out: { name: string; pointer: string }[] = [];
  (pkg.queues ?? []).forEach((q, qi) =>
    (q.users ?? []).forEach((name, ui) => out.push({ name, pointer: `/queues/${qi}/users/${ui}` })),
  );
  (pkg.approvalFlows ?? []).forEach((flow, fi) =>
    flow.steps.forEach((step, si) =>
      step.approvers.forEach((a, ai) =>
        out.push(
          ...(approverKind(a.kind)?.usernames?.(a, `/approvalFlows/${fi}/steps/${si}/approvers/${ai}`) ?? []),
        ),
      ),
    ),
  );
  return out;
}

/** Users named in flows and queues exist in the tenant (read in the deploy's transaction). */
export async function checkApprovalUsers(trx: Knex, schema: Ident, pkg: PackageDef): Promise<FieldIssue[]> {
  const named = namedUsers(pkg);
  if (!named.length) return [];
  const found = new Set(
    (
      (await trx
        .withSchema(schema)
        .from(USERS)
        .whereIn('username', [...new Set(named.map((n) => n.name))])
        .select('username')) as { username: string }[]
    ).map((r) => r.username),
  );
  return named
    .filter((n) => !found.has(n.name))
    .map((n) => ({ pointer: n.pointer, code: 'APPROVAL_UNKNOWN_USER', params: { user: n.name } }));
}
