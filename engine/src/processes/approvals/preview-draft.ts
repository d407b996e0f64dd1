import { badRequest, invalid } from '../../core/errors.js';
import { text as msg } from '../../core/messages.js';
import type { ApprovalFlowDef } from '../../core/approval-model.js';
import type { PackageDef } from '../../core/model.js';
import { compileModel } from '../../metadata/compile.js';
import { validatePackage } from '../../metadata/validate.js';
import type { Scope } from '../../records/service.js';
import { checkApprovals } from './check.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The caller's scope with a model in which flow `name` is the editor's draft (in the deployed
 * one's place, else last), checked as a deploy would check it: 422 METADATA_INVALID with pointers
 * into the body (`/flow/steps/1/approvers/0/role`). Nothing is stored; the preview then runs
 * against this model on the real record. Users a draft names that do not exist resolve to nobody.
 */
export function draftFlowScope(s: Scope, name: string, flow: unknown): Scope {
  if (!isObject(flow) || flow.name !== name)
    throw badRequest('BAD_REQUEST', { reason: msg('R_PREVIEW_FLOW', { property: 'flow', name }) });
  const deployed = s.model.pkg;
  const list = [...(deployed.approvalFlows ?? [])];
  const at = list.findIndex((f) => f.name === name);
  const index = at < 0 ? list.length : at;
  list.splice(index, at < 0 ? 0 : 1, flow as unknown as ApprovalFlowDef);
  const pkg: PackageDef = { ...deployed, approvalFlows: list };
  const checked = validatePackage(pkg);
  const issues = checked.ok ? checkApprovals(pkg) : checked.issues;
  if (issues.length) {
    const prefix = `/approvalFlows/${index}`;
    throw invalid(
      issues.map((i) =>
        i.pointer === prefix || i.pointer.startsWith(`${prefix}/`)
          ? { ...i, pointer: `/flow${i.pointer.slice(prefix.length)}` }
          : i,
      ),
      'METADATA_INVALID',
    );
  }
  return { ...s, model: compileModel(pkg, s.model.version, `${s.model.hash}+draft`) };
}
