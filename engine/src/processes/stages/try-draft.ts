import { badRequest, invalid } from '../../core/errors.js';
import { text as msg } from '../../core/messages.js';
import type { BusinessTypeDef, PackageDef, PipelineDef } from '../../core/model.js';
import { compileModel } from '../../metadata/compile.js';
import { validatePackage } from '../../metadata/validate.js';
import type { Scope } from '../../records/service.js';
import { checkProcesses } from './check.js';

/** What the pipeline editor sends to try an undeployed draft on a real record. */
export interface TryDraftBody {
  /** The object's business types as drafted (absent: the deployed ones). */
  businessTypes?: BusinessTypeDef[];
  /** The object's pipelines as drafted: they replace the deployed ones of the object. */
  pipelines: PipelineDef[];
  recordId: string;
  /** The stage to try moving to (default: the record's next stage). */
  to?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The caller's scope with a model in which `object`'s business types and pipelines are the
 * draft's, checked exactly as a deploy would check them (422 METADATA_INVALID with pointers into
 * the body: the draft's items come first in the package, so `/pipelines/0` is the body's first).
 * Nothing is stored: the checklist is then computed against this model, on the real record.
 */
export function draftScope(
  s: Scope,
  object: string,
  body: unknown,
): { scope: Scope; recordId: string; to?: string } {
  if (!isObject(body)) throw badRequest('BAD_REQUEST', { reason: msg('R_EXPECTED_OBJECT') });
  const allowed = new Set(['businessTypes', 'pipelines', 'recordId', 'to']);
  for (const k of Object.keys(body))
    if (!allowed.has(k)) throw badRequest('BAD_REQUEST', { reason: msg('R_UNKNOWN_PROPERTY', { name: k }) });
  const { businessTypes, pipelines, recordId, to } = body as Partial<TryDraftBody>;
  if (!Array.isArray(pipelines))
    throw badRequest('BAD_REQUEST', { reason: msg('R_TRY_PIPELINES', { property: 'pipelines' }) });
  if (businessTypes !== undefined && !Array.isArray(businessTypes))
    throw badRequest('BAD_REQUEST', { reason: msg('R_TRY_TYPES', { property: 'businessTypes' }) });
  if (typeof recordId !== 'string')
    throw badRequest('BAD_REQUEST', { reason: msg('R_TRY_RECORD', { property: 'recordId' }) });
  if (to !== undefined && typeof to !== 'string')
    throw badRequest('BAD_REQUEST', { reason: msg('R_TRY_STAGE', { property: 'to' }) });
  for (const item of [...pipelines, ...(businessTypes ?? [])])
    if (!isObject(item) || item.object !== object)
      throw badRequest('BAD_REQUEST', { reason: msg('R_TRY_OTHER_OBJECT', { object }) });

  const deployed = s.model.pkg;
  const pkg: PackageDef = {
    ...deployed,
    pipelines: [...pipelines, ...(deployed.pipelines ?? []).filter((p) => p.object !== object)],
    businessTypes: [
      ...(businessTypes ?? (deployed.businessTypes ?? []).filter((t) => t.object === object)),
      ...(deployed.businessTypes ?? []).filter((t) => t.object !== object),
    ],
  };
  const checked = validatePackage(pkg);
  const issues = checked.ok ? checkProcesses(pkg) : checked.issues;
  if (issues.length) throw invalid(issues, 'METADATA_INVALID');
  const model = compileModel(pkg, s.model.version, `${s.model.hash}+draft`);
  return { scope: { ...s, model }, recordId, to: to === '' ? undefined : to };
}
