import type { Api } from '../../api/client';
import type { DeployResult, FieldDef, ObjectDef, PackageDef } from '../../api/types';
import type { BusinessTypeDef, PipelineDef } from '../../../../engine/src/core/model';
import { isWritable } from '../../lib/objects';
import type { DeployRequest } from '../../editors/use-deploy';

/** Where the records of a stage a deploy removes go (POST /meta/deploy `stageMoves`). */
export interface StageMove {
  pipeline: string;
  from: string;
  to: string;
}

/**
 * The request the plan dialog plans and deploys for the process editors: the whole package with
 * the draft's business types and pipelines (POST /meta/plan, then /meta/deploy with the reviewed
 * planHash and the admin's consents), If-Match the version the edit started from.
 */
export function packageRequest(
  api: Api,
  build: () => PackageDef,
  moves: () => StageMove[] = () => [],
): DeployRequest {
  return (o) =>
    api.call<DeployResult>(
      'POST',
      o.dryRun ? '/meta/plan' : '/meta/deploy',
      {
        package: build(),
        comment: o.comment,
        allowLossy: o.allowLossy,
        expectPlan: o.expectPlan,
        confirm: o.confirm?.length ? o.confirm : undefined,
        stageMoves: moves().length ? moves() : undefined,
      },
      o.expected !== undefined ? { 'If-Match': `"m${o.expected}"` } : {},
    );
}

/** The package with `object`'s pipeline `name` replaced by `p` (added when new; `null` removes it). */
export function withPipeline(
  pkg: PackageDef,
  object: string,
  name: string | null,
  p: PipelineDef | null,
): PackageDef {
  const list = pkg.pipelines ?? [];
  const at = list.findIndex((x) => x.object === object && x.name === name);
  const pipelines = list.filter((_, i) => i !== at);
  if (p) pipelines.splice(at < 0 ? pipelines.length : at, 0, p);
  return { ...pkg, pipelines };
}

/** The package with `object`'s business type `name` replaced by `t` (or added). */
export function withType(
  pkg: PackageDef,
  object: string,
  name: string | null,
  t: BusinessTypeDef | null,
): PackageDef {
  const list = pkg.businessTypes ?? [];
  const at = list.findIndex((x) => x.object === object && x.name === name);
  let businessTypes = list.filter((_, i) => i !== at);
  if (t) {
    // One default per object: the new default takes it from the others.
    if (t.default)
      businessTypes = businessTypes.map((x) =>
        x.object === object && x.default ? { ...x, default: undefined } : x,
      );
    businessTypes.splice(at < 0 ? businessTypes.length : at, 0, t);
  }
  return { ...pkg, businessTypes };
}

/** Picklist fields an object's stages can run on. */
export const stageFieldsOf = (o: ObjectDef): FieldDef[] => o.fields.filter((f) => f.type === 'picklist');

/** Fields a gate or a type can ask to be filled. */
export const fillableFields = (o: ObjectDef): FieldDef[] => o.fields.filter((f) => isWritable(f));

/** Objects with a lookup or master-detail to `target`, and those fields: the children a gate can count. */
export function childrenOf(pkg: PackageDef, target: string): { object: ObjectDef; field: FieldDef }[] {
  return pkg.objects.flatMap((o) =>
    o.fields
      .filter((f) => (f.type === 'lookup' || f.type === 'master_detail') && f.target === target)
      .map((field) => ({ object: o, field })),
  );
}
