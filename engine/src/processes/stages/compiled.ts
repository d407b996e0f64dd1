import type { BusinessTypeDef, I18nText, PipelineDef, StageCategory, StageDef } from '../../core/model.js';
import type { CompiledField, CompiledModel, CompiledObject } from '../../metadata/compile.js';
import { gateItemKind, type CompiledGateItem } from '../gates/registry.js';
import { perObjectIn } from '../../metadata/per-object.js';

export interface CompiledStage {
  value: string;
  index: number;
  label: I18nText;
  category: StageCategory;
  def: StageDef;
  maxDays: number | null;
  gate: CompiledGateItem[];
}

export interface CompiledPipeline {
  name: string;
  def: PipelineDef;
  field: CompiledField;
  stages: CompiledStage[];
  byValue: ReadonlyMap<string, CompiledStage>;
  allowBack: boolean;
  allowSkip: boolean;
  /** Does any gate read other records (a move must lock them, in a transaction)? */
  related: boolean;
}

export interface CompiledType {
  name: string;
  def: BusinessTypeDef;
  pipeline: CompiledPipeline | null;
  /** Profiles that may use it; null: everyone. */
  profiles: ReadonlySet<string> | null;
  required: CompiledField[];
  /** Picklist field → the options this type allows. */
  picklists: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Business types and pipelines of one object, compiled once per metadata version. */
export interface ObjectProcess {
  object: CompiledObject;
  stageField: CompiledField | null;
  types: ReadonlyMap<string, CompiledType>;
  /** The object's default type (the one marked default, else the first active one). */
  defaultType: CompiledType | null;
  /** Profile → its default type. */
  defaultFor: ReadonlyMap<string, CompiledType>;
  pipelines: ReadonlyMap<string, CompiledPipeline>;
  /** Without business types: the object's one pipeline. */
  pipeline: CompiledPipeline | null;
  /** Fields whose change needs the record's type: required by a type, or with options per type. */
  sensitive: ReadonlySet<string>;
  /** Does anything here run at all? */
  any: boolean;
}

const NONE = new Map<string, never>();

/** The stage ids a gate item's answer is keyed by: its name, or `<kind>_<n>` by position. */
export const itemName = (kind: string, name: string | undefined, i: number) => name ?? `${kind}_${i + 1}`;

export const processFor = perObjectIn(function processFor(
  model: CompiledModel,
  o: CompiledObject,
): ObjectProcess {
  const pipelines = new Map<string, CompiledPipeline>();
  for (const p of model.pkg.pipelines ?? [])
    if (p.object === o.name) pipelines.set(p.name, compilePipeline(p, model, o));
  const types = new Map<string, CompiledType>();
  for (const t of model.pkg.businessTypes ?? []) {
    if (t.object !== o.name) continue;
    types.set(t.name, {
      name: t.name,
      def: t,
      pipeline: t.pipeline ? (pipelines.get(t.pipeline) ?? null) : null,
      profiles: t.profiles ? new Set(t.profiles) : null,
      required: (t.required ?? []).map((n) => o.fields.get(n)!).filter(Boolean),
      picklists: new Map(Object.entries(t.picklists ?? {}).map(([f, vs]) => [f, new Set(vs)])),
    });
  }
  const active = [...types.values()].filter((t) => t.def.active !== false);
  const defaultType = active.find((t) => t.def.default) ?? active[0] ?? null;
  const defaultFor = new Map<string, CompiledType>();
  for (const t of active)
    for (const p of t.def.defaultFor ?? []) if (!defaultFor.has(p)) defaultFor.set(p, t);
  const sensitive = new Set<string>();
  for (const t of types.values()) {
    t.required.forEach((f) => sensitive.add(f.name));
    t.picklists.forEach((_, f) => sensitive.add(f));
  }
  const stageField = o.stageField ? (o.fields.get(o.stageField) ?? null) : null;
  const p: ObjectProcess = {
    object: o,
    stageField,
    types: types.size ? types : NONE,
    defaultType,
    defaultFor,
    pipelines,
    pipeline: types.size ? null : ([...pipelines.values()][0] ?? null),
    sensitive,
    any: types.size > 0 || pipelines.size > 0,
  };
  return p;
});

function compilePipeline(p: PipelineDef, model: CompiledModel, o: CompiledObject): CompiledPipeline {
  const field = o.fields.get(p.field)!;
  const labels = new Map((field.def.options ?? []).map((x) => [x.value, x.label]));
  const stages = p.stages.map((s, index): CompiledStage => ({
    value: s.value,
    index,
    label: labels.get(s.value) ?? { en: s.value, 'zh-CN': s.value },
    category: s.category ?? 'open',
    def: s,
    maxDays: s.maxDays ?? null,
    gate: (s.gate ?? []).map((item, i) =>
      gateItemKind(item.kind)!.compile(item, itemName(item.kind, item.name, i), model, o),
    ),
  }));
  return {
    name: p.name,
    def: p,
    field,
    stages,
    byValue: new Map(stages.map((s) => [s.value, s])),
    allowBack: p.allowBack !== false,
    allowSkip: p.allowSkip === true,
    related: stages.some((s) => s.gate.some((g) => g.related)),
  };
}

/** The pipeline a record of this type (or of an object without types) follows. */
export const pipelineOf = (p: ObjectProcess, type: string | null | undefined): CompiledPipeline | null =>
  p.types.size ? ((type ? p.types.get(type)?.pipeline : p.defaultType?.pipeline) ?? null) : p.pipeline;

/** The type a new record gets when the writer names none: their profile's default, else the object's. */
export function defaultTypeFor(p: ObjectProcess, profile: string | null | undefined): CompiledType | null {
  const mine = profile ? p.defaultFor.get(profile) : undefined;
  if (mine && usable(mine, profile)) return mine;
  const dflt = p.defaultType;
  if (dflt && usable(dflt, profile)) return dflt;
  return [...p.types.values()].find((t) => t.def.active !== false && usable(t, profile)) ?? null;
}

/** May a caller of this profile use the type (administrators and system work: any)? */
export const usable = (t: CompiledType, profile: string | null | undefined) =>
  profile === undefined || !t.profiles || (profile !== null && t.profiles.has(profile));
